"""The SDV report: source data verification progress of a site or of one subject.

Monitors print it after a monitoring visit for the trial master file. A summary
comes first (site, scope, totals, and per subject: forms needing SDV, forms fully
verified, values needing SDV, verified, pending, percent, values changed since
they were verified), then per subject the table of its forms in casebook order
(visit, form, SDV level, counts, who verified and when, the items still pending)
and the values changed after verification that wait to be verified again.
Landscape A4, in English or Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, PageBreak

from npc_crf.forms.model import Text
from npc_crf.reports.document import RenderedPdf, RenderOptions, page_width, render
from npc_crf.reports.layout import (
    BAND,
    OK,
    WARN,
    Cell,
    L,
    Styles,
    fields,
    gap,
    keep,
    make_styles,
    para,
    rich,
    table,
)
from npc_crf.reports.query_report import about_line, scope_text, study_fields, utc_text
from npc_crf.services.reports.monitoring_data import (
    RESET_PENDING,
    PendingItem,
    SdvFormLine,
    SdvReportData,
    SdvReset,
    SubjectSdvLine,
)

TITLE = L("Source data verification report", "源数据核查（SDV）报告")

MODE_TEXT: dict[str, Text] = {
    "all": L("every item", "全部条目"),
    "critical": L("critical items", "关键条目"),
    "none": L("none", "无"),
}

RESET_TEXT: dict[str, Text] = {
    RESET_PENDING: L("pending: verify again", "待重新核查"),
    "gone": L("value cleared or row removed", "数据已清除或行已删除"),
}

T = {
    "site": L("Site", "中心"),
    "scope": L("Scope", "范围"),
    "as_of": L("As of", "截至"),
    "summary": L("Summary", "汇总"),
    "by_subject": L("By subject", "按受试者"),
    "subject": L("Subject", "受试者"),
    "total": L("All subjects", "全部受试者"),
    "values": L("Values needing SDV", "需核查数据"),
    "verified": L("Verified", "已核查"),
    "pending": L("Pending", "待核查"),
    "percent": L("% verified", "核查比例"),
    "forms": L("Forms needing SDV", "需核查表单"),
    "forms_done": L("Forms fully verified", "已全部核查的表单"),
    "changed": L("Changed since verification", "核查后修改"),
    "visit": L("Visit", "访视"),
    "form": L("Form", "表单"),
    "mode": L("SDV of", "核查范围"),
    "needed": L("Needing SDV", "需核查"),
    "verified_by": L("Verified by (last, UTC)", "核查人（最近，UTC）"),
    "pending_items": L("Items still pending", "待核查条目"),
    "all_verified": L("✓ every value verified", "✓ 全部已核查"),
    "none_verified": L("—", "—"),
    "subject_line": L(
        "{verified} of {required} values verified ({percent}) · {done} of {forms} forms "
        "fully verified",
        "已核查 {verified}/{required} 项数据（{percent}）· 已全部核查表单 {done}/{forms}",
    ),
    "nothing_subject": L("No value of this subject needs SDV yet.", "该受试者暂无需要核查的数据。"),
    "nothing_site": L("No value at this site needs SDV yet.", "本中心暂无需要核查的数据。"),
    "changed_intro": L(
        "Values that were verified and then changed: the change dropped the verification.",
        "以下数据核查后被修改，原核查已失效。",
    ),
    "item": L("Item", "条目"),
    "changed_at": L("Changed (UTC)", "修改时间（UTC）"),
    "changed_by": L("Changed by", "修改人"),
    "was_verified": L("Verified before by (UTC)", "原核查人（UTC）"),
    "now": L("Now", "当前"),
    "continued": L("(continued)", "（续）"),
    "rows": L("rows", "行"),
    "changed_note": L(
        "{n} changed after verification (see below)", "其中 {n} 项核查后被修改（见下文）"
    ),
}

#: about how many Latin characters of pending items one table row holds (a Chinese
#: character counts two); a longer list goes on over several rows, so no row grows
#: taller than a page
ROW_BUDGET = 1200


def percent_text(value: float | None) -> str:
    """``9.8 %``, or a dash when nothing needs SDV."""
    return "—" if value is None else f"{value:.1f} %"


def _rows_text(rows: Sequence[int], comma: str = ", ") -> str:
    """``1–3, 5``: row numbers with runs joined (``1–3、5`` with a Chinese comma)."""
    runs: list[list[int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return comma.join(f"{r[0]}–{r[-1]}" if len(r) > 2 else comma.join(map(str, r)) for r in runs)


def pending_entries(items: Sequence[PendingItem], lang: str) -> list[str]:
    """The pending items as short entries, in form order: an item's label, and for a
    column of a repeating group ``Lines: Regimen (rows 1–3, 5)`` once for its rows."""
    order: list[tuple[str, str]] = []
    rows: dict[tuple[str, str], list[int]] = {}
    for p in items:
        group = p.label.group.get(lang) if p.label.group is not None else ""
        key = (group, p.label.item.get(lang))
        if key not in rows:
            order.append(key)
            rows[key] = []
        if p.label.row is not None:
            rows[key].append(p.label.row)
    out: list[str] = []
    for group, item in order:
        if not group:
            out.append(item)
        elif lang == "zh":
            out.append(f"{group}：{item}（第 {_rows_text(rows[(group, item)], '、')} 行）")
        else:
            out.append(f"{group}: {item} ({T['rows'].get(lang)} {_rows_text(rows[(group, item)])})")
    return out


def _weight(text: str) -> int:
    """About how wide ``text`` sets, in Latin characters (wide characters count two)."""
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def chunk_entries(entries: Sequence[str], budget: int = ROW_BUDGET) -> list[list[str]]:
    """``entries`` in runs of at most about ``budget`` characters (one entry at least)."""
    chunks: list[list[str]] = []
    used = budget
    for entry in entries:
        size = _weight(entry) + 3
        if used + size > budget and (not chunks or chunks[-1]):
            chunks.append([])
            used = 0
        chunks[-1].append(entry)
        used += size
    return chunks


def _style(st: Styles, colour: object, name: str) -> ParagraphStyle:
    return ParagraphStyle(name, parent=st.cell, textColor=colour)


# -- the summary -----------------------------------------------------------------------------


def _summary(data: SdvReportData, lang: str, st: Styles, width: float) -> list[Flowable]:
    def g(key: str) -> str:
        return T[key].get(lang)

    changed = sum(len(s.resets) for s in data.subjects)
    story: list[Flowable] = [
        para(TITLE.get(lang), st.title),
        para(data.study.name.get(lang), st.subtitle),
        fields(
            [
                (g("site"), data.site_id),
                (g("scope"), scope_text(data.subject_id, lang)),
                *study_fields(data.study, lang),
                (g("as_of"), data.as_of.isoformat()),
                (g("percent"), percent_text(data.percent)),
                (g("values"), str(data.required)),
                (g("verified"), str(data.verified)),
                (g("pending"), str(data.pending)),
                (g("changed"), str(changed)),
                (g("forms"), str(data.forms)),
                (
                    g("forms_done"),
                    f"{data.forms_done} ({percent_text(data.forms_percent)})",
                ),
            ],
            width,
            st,
        ),
        gap(4),
    ]
    if data.subject_id is not None:
        return story  # the fields above are the subject's totals
    story.append(para(g("by_subject"), st.h1))
    head: list[Cell] = [
        g("subject"),
        g("forms"),
        g("forms_done"),
        g("values"),
        g("verified"),
        g("pending"),
        g("percent"),
        g("changed"),
    ]
    rows: list[list[Cell]] = [head]
    for s in data.subjects:
        rows.append(
            [
                s.subject_id,
                str(len(s.forms)),
                str(s.forms_done),
                str(s.required),
                str(s.verified),
                str(s.pending),
                percent_text(s.percent),
                str(len(s.resets)),
            ]
        )
    rows.append(
        [
            g("total"),
            str(data.forms),
            str(data.forms_done),
            str(data.required),
            str(data.verified),
            str(data.pending),
            percent_text(data.percent),
            str(changed),
        ]
    )
    extra = [("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BAND)]
    first = width * 0.2
    rest = (width - first) / 7
    story.append(table(rows, [first] + [rest] * 7, st, extra=extra))
    return story


# -- one subject ----------------------------------------------------------------------------


def _form_rows(f: SdvFormLine, lang: str, st: Styles) -> list[list[Cell]]:
    """A form's row, and continuation rows when its pending items are many."""
    form = rich(
        [
            (f.place.form.get(lang) if f.place.form else "", None),
            (f"\n{f.place.form_oid}", st.code),
        ],
        st.cell,
    )
    if f.verified_by:
        by = rich(
            [("\n".join(f.verified_by), None), (f"\n{utc_text(f.last_verified_at)}", st.code)],
            st.cell,
        )
    else:
        by = para(T["none_verified"].get(lang), st.cell)
    entries = pending_entries(f.pending_items, lang)
    chunks = chunk_entries(entries)
    if not chunks:
        pending: Cell = para(T["all_verified"].get(lang), _style(st, OK, "sdv-done"))
    else:
        runs: list[tuple[object, ParagraphStyle | None]] = [(" · ".join(chunks[0]), None)]
        if f.changed:
            note = T["changed_note"].get(lang).format(n=f.changed)
            runs.append((f"\n{note}", _style(st, WARN, "sdv-changed")))
        pending = rich(runs, st.cell)
    first: list[Cell] = [
        f.place.event.get(lang) if f.place.event else "",
        form,
        MODE_TEXT.get(f.mode, Text(f.mode, f.mode)).get(lang),
        str(f.required),
        str(f.verified),
        para(str(f.pending), _style(st, WARN, "sdv-pending")) if f.pending else "0",
        by,
        pending,
    ]
    rows = [first]
    for chunk in chunks[1:]:
        cont = para(T["continued"].get(lang), st.cell_small)
        rows.append(["", cont, "", "", "", "", "", para(" · ".join(chunk), st.cell)])
    return rows


def _forms_table(s: SubjectSdvLine, lang: str, st: Styles, width: float) -> Flowable:
    def g(key: str) -> str:
        return T[key].get(lang)

    rows: list[list[Cell]] = [
        [f"{g('subject')} {s.subject_id}", "", "", "", "", "", "", ""],
        [
            g("visit"),
            g("form"),
            g("mode"),
            g("needed"),
            g("verified"),
            g("pending"),
            g("verified_by"),
            g("pending_items"),
        ],
    ]
    for f in s.forms:
        rows += _form_rows(f, lang, st)
    share = [0.12, 0.15, 0.07, 0.06, 0.06, 0.06, 0.14, 0.34]
    # the subject on a header row of its own, repeated with the column names on every page
    subject_row = [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), BAND)]
    return table(rows, [width * x for x in share], st, header_rows=2, extra=subject_row)


def _resets_table(resets: Sequence[SdvReset], lang: str, st: Styles, width: float) -> Flowable:
    def g(key: str) -> str:
        return T[key].get(lang)

    rows: list[list[Cell]] = [
        [
            f"{g('visit')} · {g('form')}",
            g("item"),
            g("changed_at"),
            g("changed_by"),
            g("was_verified"),
            g("now"),
        ]
    ]
    for r in resets:
        place = " · ".join(t.get(lang) for t in (r.place.event, r.place.form) if t is not None)
        item = rich(
            [
                (r.place.item.get(lang) if r.place.item else "", None),
                (f"\n{r.place.path}", st.code),
            ],
            st.cell,
        )
        rows.append(
            [
                place,
                item,
                utc_text(r.changed_at),
                r.changed_by,
                rich([(r.verified_by, None), (f"\n{utc_text(r.verified_at)}", st.code)], st.cell),
                para(
                    RESET_TEXT[r.state].get(lang),
                    _style(st, WARN if r.state == RESET_PENDING else OK, "sdv-reset"),
                ),
            ]
        )
    share = [0.2, 0.24, 0.12, 0.15, 0.17, 0.12]
    return table(rows, [width * x for x in share], st)


def _subject(s: SubjectSdvLine, lang: str, st: Styles, width: float) -> list[Flowable]:
    def g(key: str) -> str:
        return T[key].get(lang)

    heading = para(f"{g('subject')} {s.subject_id}", st.h1)
    if not s.forms and not s.resets:
        return [keep(heading, para(g("nothing_subject"), st.body))]
    line = g("subject_line").format(
        verified=s.verified,
        required=s.required,
        percent=percent_text(s.percent),
        done=s.forms_done,
        forms=len(s.forms),
    )
    story: list[Flowable] = [heading, para(line, st.muted), gap(1)]
    if s.forms:
        story.append(_forms_table(s, lang, st, width))
    if s.resets:
        story += [
            keep(
                para(g("changed"), st.h2),
                para(g("changed_intro"), st.small),
                _resets_table(s.resets, lang, st, width),
            )
        ]
    story.append(gap(4))
    return story


def render_sdv_report(data: SdvReportData, options: RenderOptions) -> RenderedPdf:
    """The SDV report of ``data`` as a PDF (landscape A4) in ``options.lang``."""
    lang = options.lang
    frame = options.frame(
        TITLE.get(lang),
        data.study.text(lang),
        about_line(data.site_id, data.subject_id, lang),
        landscape=True,
        content_hash=data.content_hash,
    )
    st = make_styles()
    width = page_width(frame)
    story = _summary(data, lang, st, width)
    shown = [s for s in data.subjects if s.forms or s.resets or data.subject_id is not None]
    if not shown:
        story += [gap(4), para(T["nothing_site"].get(lang), st.note)]
    for s in shown:
        if data.subject_id is None:
            story.append(PageBreak())
        story += _subject(s, lang, st, width)
    title = f"{TITLE.get(lang)} — {about_line(data.site_id, data.subject_id, lang)}"
    return render(frame, story, pdf_title=title, options=options)


__all__ = [
    "MODE_TEXT",
    "RESET_TEXT",
    "chunk_entries",
    "pending_entries",
    "percent_text",
    "render_sdv_report",
]
