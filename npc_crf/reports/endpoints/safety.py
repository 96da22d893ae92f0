"""The safety report (PDF): the safety tables of one study, for all sites or one, at a
data cut-off.

Landscape A4, in English or Chinese. The first page names the study, the scope,
the data cut-off, the safety population, how many adverse events and exposure
records the tables are made from, and lists the tables. Each table follows with
its title and note; a long table runs over pages with its header repeated. The
subjects left out of the tables close the report, with the reason.

The tables themselves (adverse events by SOC and term, maximum grade per subject,
grade 3 or worse, related, immune-related, serious; exposure) are made elsewhere
and arrive as :class:`~npc_crf.endpoints.model.Table`; this module lays out any
list of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak

from npc_crf.endpoints.model import SafetyResult, Table
from npc_crf.reports.document import RenderedPdf, RenderOptions, page_width, render
from npc_crf.reports.endpoints.blocks import table_block
from npc_crf.reports.endpoints.words import SAFETY_TITLE, g
from npc_crf.reports.layout import Styles, fields, gap, make_styles, para, table


def _cover(
    result: SafetyResult,
    tables: Sequence[Table],
    lang: str,
    st: Styles,
    width: float,
    study_line: str,
) -> list[Flowable]:
    emergent = sum(1 for e in result.events if e.treatment_emergent)
    exposed = len({x.subject_id for x in result.exposure})
    story: list[Flowable] = [
        para(SAFETY_TITLE.get(lang), st.title),
        para(study_line, st.subtitle),
        fields(
            [
                (g("study", lang), result.study_oid),
                (g("scope", lang), result.scope),
                (g("cutoff", lang), result.cutoff.isoformat()),
                (g("safety_population", lang), str(result.subjects)),
                (g("ae_records", lang), str(len(result.events))),
                (g("teae", lang), str(emergent)),
                (g("exposure", lang), str(exposed)),
            ],
            width,
            st,
        ),
        gap(3),
        para(g("contents", lang), st.h2),
    ]
    if not tables:
        return [*story, para(g("no_tables", lang), st.body)]
    zh = lang == "zh"
    rows: list[list[object]] = [["#", g("contents", lang), "CSV"]]
    rows += [
        [str(n), t.title_zh if zh else t.title_en, f"{t.name}.csv"]
        for n, t in enumerate(tables, start=1)
    ]
    return [*story, table(rows, [width * 0.06, width * 0.64, width * 0.3], st)]


def render_safety(
    result: SafetyResult,
    tables: Sequence[Table],
    options: RenderOptions | None = None,
    *,
    study_name: str = "",
) -> RenderedPdf:
    """The safety report of ``result`` with ``tables`` laid out in their order (see the
    module docstring). ``study_name`` is added to the running header."""
    options = options or RenderOptions()
    lang = options.lang
    line = f"{result.study_oid} — {study_name}" if study_name else result.study_oid
    frame = options.frame(
        SAFETY_TITLE.get(lang),
        line,
        f"{result.scope} · {g('cutoff', lang)} {result.cutoff.isoformat()}",
        landscape=True,
    )
    st = make_styles()
    width = page_width(frame)
    story: list[Flowable] = [*_cover(result, tables, lang, st, width, line)]
    if tables:
        story.append(PageBreak())
    for n, t in enumerate(tables, start=1):
        story += table_block(t, lang, st, width, number=n)
    story += [CondPageBreak(40 * mm), para(g("safety_excluded", lang), st.h1)]
    if result.excluded:
        rows: list[list[object]] = [[g("subject", lang), g("reason", lang)]]
        rows += [[subject, reason] for subject, reason in sorted(result.excluded)]
        story.append(table(rows, [width * 0.2, width * 0.8], st))
    else:
        story.append(para(g("no_excluded", lang), st.body))
    return render(frame, story, pdf_title=SAFETY_TITLE.get(lang), options=options)
