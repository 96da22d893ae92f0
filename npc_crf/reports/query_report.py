"""The query report: a site's (or one subject's) queries with their threads.

Monitors print it after a monitoring visit for the trial master file. A summary
page comes first (site, scope, the day it counts to, and counts by status, by age
of the open queries, by form and by subject), then each subject's queries as
blocks: a header band (number, what the query is about, kind, status, assigned
role, who raised it and when, age) and the whole thread below it (when, who,
role, the status the message left, the text). Landscape A4, in English or Chinese;
every text of the document's own is a :func:`~npc_crf.reports.layout.L` pair
below, every label comes from the definitions in the chosen language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from npc_crf.forms.model import Text
from npc_crf.reports.document import RenderedPdf, RenderOptions, page_width, render
from npc_crf.reports.layout import (
    ACCENT,
    BAND,
    MUTED,
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
from npc_crf.services.monitoring.query_model import QueryKind, QueryStatus
from npc_crf.services.reports.monitoring_data import (
    QueryLine,
    QueryReportData,
    StudyLine,
    SubjectQueries,
)

TITLE = L("Query report", "质疑报告")

STATUS_TEXT: dict[QueryStatus, Text] = {
    QueryStatus.NEW: L("New", "新建"),
    QueryStatus.UPDATED: L("Updated", "已更新"),
    QueryStatus.RESOLUTION_PROPOSED: L("Resolution proposed", "已提出解决方案"),
    QueryStatus.CLOSED: L("Closed", "已关闭"),
    QueryStatus.NOT_APPLICABLE: L("Not applicable", "不适用"),
}

#: the colour of a status (as on screen: red waits for an answer, orange was answered,
#: blue waits for the monitor, green is done, grey needs nothing)
STATUS_COLOUR: dict[QueryStatus, colors.Color] = {
    QueryStatus.NEW: colors.HexColor("#b71c1c"),
    QueryStatus.UPDATED: WARN,
    QueryStatus.RESOLUTION_PROPOSED: ACCENT,
    QueryStatus.CLOSED: OK,
    QueryStatus.NOT_APPLICABLE: MUTED,
}

KIND_TEXT: dict[str, Text] = {
    QueryKind.FAILED_CHECK.value: L("Failed check", "逻辑核查未通过"),
    QueryKind.MANUAL.value: L("Question", "问题"),
    QueryKind.REASON_FOR_CHANGE.value: L("Reason for change", "修改原因"),
    QueryKind.ANNOTATION.value: L("Note", "备注"),
}

ROLE_TEXT: dict[str, Text] = {
    "CRC": L("research nurse (CRC)", "研究护士（CRC）"),
    "INV": L("investigator", "研究者"),
    "MON": L("monitor", "监查员"),
    "ADMIN": L("site administrator", "中心管理员"),
}
ANYONE = L("anyone", "任何人")

AGE_TEXT: dict[str, Text] = {
    "0-7": L("0–7 days", "0–7 天"),
    "8-14": L("8–14 days", "8–14 天"),
    "15-30": L("15–30 days", "15–30 天"),
    ">30": L("more than 30 days", "超过 30 天"),
}

T = {
    "site": L("Site", "中心"),
    "scope": L("Scope", "范围"),
    "whole_site": L("the whole site", "全中心"),
    "subject": L("Subject", "受试者"),
    "all_subjects": L("all subjects", "全部受试者"),
    "protocol": L("Protocol", "方案"),
    "study": L("Study", "研究"),
    "as_of": L("Ages counted to", "时长计算截至"),
    "included": L("Included", "纳入范围"),
    "all_queries": L(
        "every query, closed and not applicable ones too", "全部质疑（含已关闭和不适用）"
    ),
    "open_only": L(
        "open queries only (closed and not applicable ones left out)",
        "仅未关闭的质疑（不含已关闭和不适用）",
    ),
    "queries": L("Queries", "质疑数"),
    "open": L("Open", "未关闭"),
    "summary": L("Summary", "汇总"),
    "by_status": L("By status", "按状态"),
    "by_age": L("Open queries by age", "未关闭质疑的时长"),
    "by_form": L("By form", "按表单"),
    "by_subject": L("By subject", "按受试者"),
    "status": L("Status", "状态"),
    "count": L("Queries", "数量"),
    "age": L("Age", "时长"),
    "form": L("Form", "表单"),
    "total": L("Total", "合计"),
    "oldest": L("Oldest open query (days)", "最久未关闭质疑（天）"),
    "no_form": L("About a subject or a visit (no form)", "针对受试者或访视（无表单）"),
    "whole": L("the subject as a whole", "受试者整体"),
    "kind": L("Kind", "类型"),
    "assigned": L("Assigned to", "指派给"),
    "raised": L("Raised", "提出"),
    "by": L("by", "提出人"),
    "days": L("{n} days old", "已 {n} 天"),
    "day": L("1 day old", "已 1 天"),
    "when": L("When (UTC)", "时间（UTC）"),
    "who": L("Who", "人员"),
    "after": L("Status after", "之后状态"),
    "message": L("Message", "内容"),
    "no_queries_subject": L("This subject has no queries.", "该受试者没有质疑。"),
    "no_open_subject": L("This subject has no open queries.", "该受试者没有未关闭的质疑。"),
    "no_queries_site": L("There are no queries at this site.", "本中心没有质疑。"),
    "no_open_site": L("There are no open queries at this site.", "本中心没有未关闭的质疑。"),
    "subject_queries": L("{n} queries, {open} open", "共 {n} 条质疑，{open} 条未关闭"),
    "subject_query": L("1 query, {open} open", "共 1 条质疑，{open} 条未关闭"),
    "continued": L("(continued)", "（续）"),
}

#: a message longer than this is set over several table rows, so no row outgrows a page
CHUNK = 1500


def utc_text(at_utc: str | None) -> str:
    """A stored UTC moment as ``2026-01-25 03:12 UTC`` (the text itself if unreadable)."""
    if not at_utc:
        return ""
    try:
        moment = dt.datetime.fromisoformat(at_utc.replace("Z", "+00:00"))
    except ValueError:
        return at_utc
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def role_text(role: str | None, lang: str) -> str:
    """A role in words; the coordinating center's own roles as they are written."""
    if role is None:
        return ANYONE.get(lang)
    named = ROLE_TEXT.get(role)
    return named.get(lang) if named is not None else role


def age_text(days: int, lang: str) -> str:
    """``12 days old`` / ``已 12 天``."""
    if days == 1:
        return T["day"].get(lang)
    return T["days"].get(lang).format(n=max(days, 0))


def about_line(site_id: str, subject_id: str | None, lang: str) -> str:
    """The footer's ``Site S01 · Subject S01-01-0001`` (or ``· all subjects``)."""
    site = f"{T['site'].get(lang)} {site_id}"
    if subject_id is None:
        return f"{site} · {T['all_subjects'].get(lang)}"
    return f"{site} · {T['subject'].get(lang)} {subject_id}"


def scope_text(subject_id: str | None, lang: str) -> str:
    """``the whole site`` or ``Subject S01-01-0001``."""
    if subject_id is None:
        return T["whole_site"].get(lang)
    return f"{T['subject'].get(lang)} {subject_id}"


def study_fields(study: StudyLine, lang: str) -> list[tuple[object, object]]:
    """The study and protocol as label/value pairs for a summary page."""
    return [
        (T["study"].get(lang), f"{study.oid} {study.version} — {study.name.get(lang)}"),
        (T["protocol"].get(lang), study.protocol),
    ]


def _chunks(text: str, size: int = CHUNK) -> list[str]:
    """``text`` cut at line breaks or spaces into pieces of at most about ``size``."""
    out: list[str] = []
    rest = text
    while len(rest) > size:
        cut = max(rest.rfind("\n", 0, size), rest.rfind(" ", 0, size))
        if cut <= size // 2:
            cut = size
        out.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ")
    out.append(rest)
    return out


# -- the summary ---------------------------------------------------------------------------


def _counts_table(
    rows: Sequence[Sequence[Cell]], head: Sequence[str], widths: Sequence[float], st: Styles
) -> Flowable:
    return table([list(head), *[list(r) for r in rows]], widths, st)


def _summary(data: QueryReportData, lang: str, st: Styles, width: float) -> list[Flowable]:
    def g(key: str) -> str:
        return T[key].get(lang)

    included = g("all_queries") if data.include_closed else g("open_only")
    story: list[Flowable] = [
        para(TITLE.get(lang), st.title),
        para(data.study.name.get(lang), st.subtitle),
        fields(
            [
                (g("site"), data.site_id),
                (g("scope"), scope_text(data.subject_id, lang)),
                *study_fields(data.study, lang),
                (g("as_of"), data.as_of.isoformat()),
                (g("included"), included),
                (g("queries"), str(data.total)),
                (g("open"), str(data.open)),
            ],
            width,
            st,
        ),
        gap(4),
        para(g("summary"), st.h1),
    ]
    status_rows = [
        [para(STATUS_TEXT[s].get(lang), _status_style(st, s)), str(n)] for s, n in data.by_status
    ]
    age_rows = [[AGE_TEXT[key].get(lang), str(n)] for key, n in data.by_age]
    column = (width - 8 * mm) / 2
    status_table = _counts_table(
        status_rows, [g("status"), g("count")], [column * 0.7, column * 0.3], st
    )
    age_table = _counts_table(age_rows, [g("age"), g("open")], [column * 0.7, column * 0.3], st)
    story.append(
        table(
            [[para(g("by_status"), st.h3), para(g("by_age"), st.h3)], [status_table, age_table]],
            [column + 4 * mm, column + 4 * mm],
            st,
            header_rows=0,
            zebra=False,
            grid=False,
            extra=[("LINEBELOW", (0, 0), (-1, -1), 0, colors.white)],
        )
    )
    if data.by_form:
        story += [para(g("by_form"), st.h2)]
        rows = [
            [
                f.form.get(lang) if f.form is not None else g("no_form"),
                f.form_oid or "—",
                str(f.total),
                str(f.open),
            ]
            for f in data.by_form
        ]
        story.append(
            table(
                [[g("form"), "OID", g("total"), g("open")], *rows],
                [width * 0.55, width * 0.2, width * 0.125, width * 0.125],
                st,
            )
        )
    if data.subject_id is None:
        story += [para(g("by_subject"), st.h2)]
        rows = [
            [
                s.subject_id,
                str(len(s.queries)),
                str(s.open),
                str(s.oldest_open_days) if s.oldest_open_days is not None else "—",
            ]
            for s in data.subjects
        ]
        story.append(
            table(
                [[g("subject"), g("total"), g("open"), g("oldest")], *rows],
                [width * 0.4, width * 0.2, width * 0.2, width * 0.2],
                st,
            )
        )
    return story


def _status_style(st: Styles, status: QueryStatus) -> ParagraphStyle:
    """The cell style in the status's colour."""
    return ParagraphStyle(f"status-{status.value}", parent=st.cell, textColor=STATUS_COLOUR[status])


# -- one query ------------------------------------------------------------------------------


def _header(number: int, q: QueryLine, lang: str, st: Styles, width: float) -> Flowable:
    def g(key: str) -> str:
        return T[key].get(lang)

    about = rich(
        [
            (f"{number}. ", st.h3),
            (q.place.text(lang, g("whole")), None),
            (f"\n{q.place.path}", st.code),
        ],
        st.cell,
    )
    status = rich(
        [
            (f"{KIND_TEXT[q.kind].get(lang)}\n", st.code),
            (STATUS_TEXT[q.status].get(lang), _status_style(st, q.status)),
        ],
        st.cell,
    )
    assigned = rich(
        [(f"{g('assigned')}\n", st.code), (role_text(q.assigned_role, lang), None)], st.cell
    )
    raised = rich(
        [(f"{g('raised')} {utc_text(q.raised_at)}\n", st.code), (q.raised_by_name, None)],
        st.cell,
    )
    age = para(age_text(q.age_days, lang) if q.is_open else "", st.cell)
    widths = [width * 0.42, width * 0.15, width * 0.14, width * 0.19, width * 0.10]
    return table(
        [[about, status, assigned, raised, age]],
        widths,
        st,
        header_rows=0,
        zebra=False,
        extra=[
            ("BACKGROUND", (0, 0), (-1, -1), BAND),
            ("LINEABOVE", (0, 0), (-1, 0), 1.2, STATUS_COLOUR[q.status]),
        ],
    )


def _thread(q: QueryLine, lang: str, st: Styles, width: float) -> Flowable:
    def g(key: str) -> str:
        return T[key].get(lang)

    rows: list[list[Cell]] = [[g("when"), g("who"), g("after"), g("message")]]
    for m in q.messages:
        pieces = _chunks(m.text)
        who = rich(
            [(f"{m.full_name}\n", None), (f"{m.username} · {role_text(m.role, lang)}", st.code)],
            st.cell,
        )
        status = para(STATUS_TEXT[m.status].get(lang), _status_style(st, m.status))
        rows.append([utc_text(m.at_utc), who, status, para(pieces[0], st.cell)])
        for piece in pieces[1:]:
            rows.append(["", para(g("continued"), st.cell_small), "", para(piece, st.cell)])
    indent = 6 * mm
    inner = width - indent
    widths = [inner * 0.14, inner * 0.2, inner * 0.13, inner * 0.53]
    thread = table(rows, widths, st, small=True, grid=False)
    thread.hAlign = "RIGHT"
    return thread


def _subject(
    s: SubjectQueries, data: QueryReportData, lang: str, st: Styles, width: float
) -> list[Flowable]:
    def g(key: str) -> str:
        return T[key].get(lang)

    heading = para(f"{g('subject')} {s.subject_id}", st.h1)
    if not s.queries:
        empty = g("no_queries_subject") if data.include_closed else g("no_open_subject")
        return [keep(heading, para(empty, st.body))]
    counts = para(
        g("subject_query" if len(s.queries) == 1 else "subject_queries").format(
            n=len(s.queries), open=s.open
        ),
        st.muted,
    )
    story: list[Flowable] = []
    for n, q in enumerate(s.queries, start=1):
        block = [_header(n, q, lang, st, width), gap(1), _thread(q, lang, st, width), gap(4)]
        if n == 1:
            block = [heading, counts, *block]
        story.append(keep(*block))
    return story


def render_query_report(data: QueryReportData, options: RenderOptions) -> RenderedPdf:
    """The query report of ``data`` as a PDF (landscape A4) in ``options.lang``."""
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
    shown = [s for s in data.subjects if s.queries or data.subject_id is not None]
    if not shown:
        key = "no_queries_site" if data.include_closed else "no_open_site"
        story += [gap(4), para(T[key].get(lang), st.note)]
    elif data.subject_id is None:
        story.append(PageBreak())
    for s in shown:
        story += _subject(s, data, lang, st, width)
    title = f"{TITLE.get(lang)} — {about_line(data.site_id, data.subject_id, lang)}"
    return render(frame, story, pdf_title=title, options=options)


__all__ = [
    "KIND_TEXT",
    "ROLE_TEXT",
    "STATUS_TEXT",
    "about_line",
    "age_text",
    "render_query_report",
    "role_text",
    "scope_text",
    "study_fields",
    "utc_text",
]
