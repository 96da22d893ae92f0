"""The efficacy report (PDF): the endpoints of one study, for all sites or one, at a
data cut-off.

Landscape A4, in English or Chinese. The first page names the study, the scope,
the data cut-off, how many subjects there are (with a start date, response-
evaluable or not) and every endpoint setting used, in words. Then: best overall
response with the objective-response and disease-control rates and their exact
(Clopper–Pearson) intervals; the waterfall, spider and swimmer plots; the
Kaplan–Meier summaries (median with its interval, landmark rates, the confidence
transform stated) and curves with the number at risk; the subjects excluded from
the response analysis with the reason; every subject's derivations (start, BOR,
PFS/OS/DoR status, date and reason); and the Kaplan–Meier survival tables.
Every figure says how many subjects it is drawn from.

The figures need matplotlib (the ``center`` extra); without it the report is
refused with a :class:`~npc_crf.core.errors.UsageError` saying how to install it.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak

from npc_crf.core.errors import UsageError
from npc_crf.endpoints.derive.subject import EXCLUSIONS
from npc_crf.endpoints.figures.words import (
    BOR_NAMES,
    ENDPOINT_NAMES,
    bor_group,
    bound,
    level_text,
)
from npc_crf.endpoints.model import (
    EfficacyResult,
    KmFit,
    Proportion,
    SubjectEndpoints,
    TimeToEvent,
)
from npc_crf.reports.document import RenderedPdf, RenderOptions, ReportCancelled, page_width, render
from npc_crf.reports.endpoints.blocks import cell_text, figure_block
from npc_crf.reports.endpoints.tables import bor_counts, ordered
from npc_crf.reports.endpoints.words import (
    CONF_TYPE_WORDS,
    EFFICACY_TITLE,
    OS_1Y_WORDS,
    STATUS_WORDS,
    g,
    reason_text,
    settings_sentences,
)
from npc_crf.reports.layout import Styles, fields, gap, make_styles, para, table

#: the size of the figures (inches): the page's width, so their text prints at its size
FIG_W = 10.4
FIG_H = 5.3
#: a swimmer plot holds at most this many lanes; more subjects make several plots
SWIMMER_LANES = 25

INSTALL_HINT = "Install the coordinating center's extra with: pip install 'npc-crf[center]'."


def _check(options: RenderOptions) -> None:
    if options.cancelled is not None and options.cancelled():
        raise ReportCancelled("The document was cancelled; nothing was kept.")


def percent(value: float | None, lang: str, digits: int = 1) -> str:
    """``40.0 %`` (``40.0%`` in Chinese); ``—`` without a value."""
    if value is None:
        return "—"
    return f"{100 * value:.{digits}f}{'%' if lang == 'zh' else ' %'}"


def proportion_cells(p: Proportion, lang: str) -> list[object]:
    """``k/n``, the rate and its interval, as table cells."""
    ci = (
        "—"
        if p.lower is None or p.upper is None
        else (f"{percent(p.lower, lang)} – {percent(p.upper, lang)}")
    )
    return [f"{p.k}/{p.n}", percent(p.estimate, lang), ci]


def study_line(result: EfficacyResult, study_name: str) -> str:
    """The running header's study line."""
    return f"{result.study_oid} — {study_name}" if study_name else result.study_oid


def _cover(
    result: EfficacyResult, lang: str, st: Styles, width: float, study_name: str
) -> list[Flowable]:
    subjects = result.subjects
    with_start = sum(1 for s in subjects if s.start is not None)
    evaluable = sum(1 for s in subjects if s.excluded is None)
    settings = settings_sentences(result.settings, lang)
    return [
        para(EFFICACY_TITLE.get(lang), st.title),
        para(study_line(result, study_name), st.subtitle),
        fields(
            [
                (g("study", lang), result.study_oid),
                (g("scope", lang), result.scope),
                (g("cutoff", lang), result.cutoff.isoformat()),
                (g("subjects", lang), str(len(subjects))),
                (g("with_start", lang), str(with_start)),
                (g("evaluable", lang), str(evaluable)),
                (g("not_evaluable", lang), str(len(subjects) - evaluable)),
            ],
            width,
            st,
        ),
        gap(3),
        para(g("settings", lang), st.h2),
        table(
            [[g("setting", lang), g("meaning", lang)], *[[k, v] for k, v in settings]],
            [width * 0.22, width * 0.78],
            st,
        ),
    ]


def _response(result: EfficacyResult, lang: str, st: Styles, width: float) -> list[Flowable]:
    level = level_text(result.orr.conf_level)
    evaluable = sum(1 for s in result.subjects if s.excluded is None)
    bor_rows: list[list[object]] = [[g("bor", lang), g("count", lang), g("percent", lang)]]
    for code, n in bor_counts(result.subjects):
        group = bor_group(code if code != "none" else None)
        name = g("none", lang) if code == "none" else f"{code} — {BOR_NAMES[group].get(lang)}"
        bor_rows.append([name, str(n), percent(n / evaluable if evaluable else None, lang)])
    rate_rows: list[list[object]] = [
        [g("measure", lang), "k/n", g("rate", lang), g("ci_exact", lang, level=level)],
        [g("orr", lang), *proportion_cells(result.orr, lang)],
        [g("dcr", lang), *proportion_cells(result.dcr, lang)],
    ]
    return [
        para(g("response", lang), st.h1),
        table(bor_rows, [width * 0.4, width * 0.15, width * 0.2], st),
        gap(3),
        table(rate_rows, [width * 0.4, width * 0.15, width * 0.15, width * 0.3], st),
    ]


def _tte_summary(result: EfficacyResult, lang: str, st: Styles, width: float) -> list[Flowable]:
    fits = [(e, result.km[e]) for e in ordered(result.km)]
    if not fits and not result.landmarks:
        return []
    story: list[Flowable] = [CondPageBreak(60 * mm), para(g("tte", lang), st.h1)]
    if fits:
        rows: list[list[object]] = [
            [
                g("endpoint", lang),
                g("subjects", lang),
                g("events", lang),
                g("censored_n", lang),
                g("median", lang),
                g("ci", lang, level=level_text(fits[0][1].conf_level)),
                g("transform", lang),
            ]
        ]
        for e, f in fits:
            rows.append(
                [
                    _endpoint_name(e, lang),
                    str(f.n),
                    str(f.events),
                    str(f.n - f.events),
                    bound(f.median, lang),
                    f"{bound(f.median_lower, lang)} – {bound(f.median_upper, lang)}",
                    _conf_words(f.conf_type, lang),
                ]
            )
        story.append(table(rows, _shares(width, 0.2, 0.09, 0.09, 0.09, 0.12, 0.16, 0.25), st))
        first = fits[0][1]
        story.append(
            para(
                g(
                    "km_note",
                    lang,
                    conf=first.conf_type,
                    level=level_text(first.conf_level),
                ),
                st.muted,
            )
        )
    landmark_rows: list[list[object]] = [
        [
            g("endpoint", lang),
            g("months", lang),
            g("at_risk", lang),
            g("survival", lang),
            g("ci", lang, level=level_text(result.settings.conf_level)),
        ]
    ]
    for e in ordered(result.landmarks):
        for m in result.landmarks[e]:
            ci = (
                "—"
                if m.lower is None or m.upper is None
                else f"{percent(m.lower, lang)} – {percent(m.upper, lang)}"
            )
            landmark_rows.append(
                [
                    _endpoint_name(e, lang),
                    f"{m.time:g}",
                    str(m.n_risk),
                    percent(m.survival, lang),
                    ci,
                ]
            )
    if len(landmark_rows) > 1:
        story += [
            para(g("landmarks", lang), st.h2),
            table(landmark_rows, _shares(width, 0.3, 0.1, 0.1, 0.15, 0.25), st),
        ]
    return story


def _shares(width: float, *shares: float) -> list[float]:
    return [width * s for s in shares]


def _endpoint_name(endpoint: str, lang: str) -> str:
    name = ENDPOINT_NAMES.get(endpoint)
    return f"{endpoint.upper()} — {name.get(lang)}" if name else endpoint


def _conf_words(conf_type: str, lang: str) -> str:
    words = CONF_TYPE_WORDS.get(conf_type)
    return words.get(lang) if words else conf_type


def _figures(
    result: EfficacyResult, options: RenderOptions, st: Styles, width: float
) -> list[Flowable]:
    lang = options.lang
    try:
        from npc_crf.endpoints.figures.km import km_plot
        from npc_crf.endpoints.figures.response import spider, waterfall, with_target_changes
        from npc_crf.endpoints.figures.swimmer_plot import lanes_longest_first, parts, swimmer
    except ImportError as exc:
        if not (exc.name or "").startswith("matplotlib"):
            raise
        raise UsageError(
            "The efficacy report draws its figures with matplotlib, which is not installed "
            "on this computer.",
            INSTALL_HINT,
        ) from None
    settings = result.settings
    origin = settings.start if settings.start in ("first_dose", "enrolment") else "first_dose"
    targets = len(with_target_changes(result.subjects))
    lanes = lanes_longest_first(result.subjects, settings.month_days)
    who_targets = g("based_on", lang, n=targets, who=g("who_targets", lang))
    who_start = g("based_on", lang, n=len(lanes), who=g("who_start", lang))
    story: list[Flowable] = [PageBreak(), para(g("figures", lang), st.h1)]
    _check(options)
    story.append(
        figure_block(
            waterfall(result.subjects, lang=lang, width_in=FIG_W, height_in=FIG_H),
            who_targets,
            st,
            width,
        )
    )
    _check(options)
    story.append(
        figure_block(
            spider(result.subjects, lang=lang, origin=origin, width_in=FIG_W, height_in=FIG_H),
            who_targets,
            st,
            width,
        )
    )
    groups = parts(result.subjects, SWIMMER_LANES, settings.month_days) or [[]]
    x_max = lanes[0].end if lanes else None
    first = 1
    for group in groups:
        _check(options)
        last = first + len(group) - 1
        part = (first, last, len(lanes)) if len(groups) > 1 else None
        fig = swimmer(
            group,
            lang=lang,
            origin=origin,
            month_days=settings.month_days,
            width_in=FIG_W,
            x_max=x_max,
            part=part,
        )
        story.append(figure_block(fig, who_start, st, width))
        first = last + 1
    for e in ordered(result.km):
        if e not in ENDPOINT_NAMES:
            continue
        fit = result.km[e]
        _check(options)
        caption = g("based_on", lang, n=fit.n, who=g("who_km", lang, events=fit.events))
        fig = km_plot([("", fit)], endpoint=e, lang=lang, width_in=FIG_W, height_in=FIG_H)
        story.append(figure_block(fig, caption, st, width))
    return story


def _excluded(result: EfficacyResult, lang: str, st: Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [CondPageBreak(40 * mm), para(g("excluded", lang), st.h1)]
    if not result.excluded:
        return [*story, para(g("no_excluded", lang), st.body)]
    rows: list[list[object]] = [[g("subject", lang), g("reason", lang)]]
    words = {code: pair[0 if lang == "en" else 1] for code, pair in EXCLUSIONS.items()}
    rows += [[subject, words.get(reason, reason)] for subject, reason in sorted(result.excluded)]
    return [*story, table(rows, [width * 0.2, width * 0.8], st)]


def tte_cell(tte: TimeToEvent | None, month_days: float, lang: str) -> str:
    """``Event 2024-05-03 (5.2 mo)`` and the reason in words on a second line."""
    if tte is None:
        return g("not_derived", lang)
    status = STATUS_WORDS.get(tte.status.value)
    head = status.get(lang) if status else tte.status.value
    months = g("mo", lang, m=f"{tte.days / month_days:.1f}")
    return f"{head} {tte.date.isoformat()} ({months})\n{reason_text(tte.reason, lang)}"


def _bor_cell(s: SubjectEndpoints, lang: str) -> str:
    bor = s.bor or "—"
    if s.bor_unconfirmed and s.bor_unconfirmed != s.bor:
        return f"{bor} ({s.bor_unconfirmed})"
    return bor


def _os_1y_cell(value: str | None, lang: str) -> str:
    if value is None:
        return "—"
    words = OS_1Y_WORDS.get(value)
    return words.get(lang) if words else value


def _listing(result: EfficacyResult, lang: str, st: Styles, width: float) -> list[Flowable]:
    month_days = result.settings.month_days
    rows: list[list[object]] = [
        [
            g("subject", lang),
            g("start", lang),
            g("bor_short", lang),
            g("pfs", lang),
            g("os", lang),
            g("dor", lang),
            g("os_1y", lang),
            g("notes", lang),
        ]
    ]
    for s in sorted(result.subjects, key=lambda s: (s.site_id, s.subject_id)):
        notes = [*([s.excluded] if s.excluded else []), *s.notes]
        rows.append(
            [
                s.subject_id,
                s.start.isoformat() if s.start else "—",
                _bor_cell(s, lang),
                tte_cell(s.pfs, month_days, lang),
                tte_cell(s.os, month_days, lang),
                tte_cell(s.dor, month_days, lang) if s.responder or s.dor else "—",
                _os_1y_cell(s.os_1y, lang),
                "\n".join(notes),
            ]
        )
    return [
        PageBreak(),
        para(g("listing", lang), st.h1),
        table(rows, _shares(width, 0.11, 0.08, 0.08, 0.17, 0.17, 0.16, 0.1, 0.13), st, small=True),
    ]


def _km_tables(result: EfficacyResult, lang: str, st: Styles, width: float) -> list[Flowable]:
    fits: list[tuple[str, KmFit]] = [(e, result.km[e]) for e in ordered(result.km)]
    if not fits:
        return []
    story: list[Flowable] = [PageBreak(), para(g("km_tables", lang), st.h1)]
    for e, f in fits:
        level = level_text(f.conf_level)
        head: list[object] = [
            g("time", lang),
            g("at_risk", lang),
            g("n_event", lang),
            g("n_censor", lang),
            g("survival", lang),
            g("std_err", lang),
            f"{g('lower', lang)} ({level} %)",
            f"{g('upper', lang)} ({level} %)",
        ]
        rows: list[list[object]] = [head]
        rows += [
            [
                cell_text(r.time),
                str(r.n_risk),
                str(r.n_event),
                str(r.n_censor),
                f"{r.survival:.4f}",
                "" if r.std_err is None else f"{r.std_err:.4f}",
                "" if r.lower is None else f"{r.lower:.4f}",
                "" if r.upper is None else f"{r.upper:.4f}",
            ]
            for r in f.rows
        ]
        story += [
            CondPageBreak(40 * mm),
            para(f"{_endpoint_name(e, lang)} · {_conf_words(f.conf_type, lang)}", st.h2),
            table(rows, [width / 8] * 8, st, small=True),
        ]
    return story


def render_efficacy(
    result: EfficacyResult,
    options: RenderOptions | None = None,
    *,
    study_name: str = "",
) -> RenderedPdf:
    """The efficacy report of ``result`` (see the module docstring). ``study_name``
    (the study's title in the report's language) is added to the running header."""
    options = options or RenderOptions()
    lang = options.lang
    frame = options.frame(
        EFFICACY_TITLE.get(lang),
        study_line(result, study_name),
        f"{result.scope} · {g('cutoff', lang)} {result.cutoff.isoformat()}",
        landscape=True,
    )
    st = make_styles()
    width = page_width(frame)
    story: list[Flowable] = [
        *_cover(result, lang, st, width, study_name),
        PageBreak(),
        *_response(result, lang, st, width),
        *_tte_summary(result, lang, st, width),
        *_figures(result, options, st, width),
        *_excluded(result, lang, st, width),
        *_listing(result, lang, st, width),
        *_km_tables(result, lang, st, width),
    ]
    return render(frame, story, pdf_title=EFFICACY_TITLE.get(lang), options=options)
