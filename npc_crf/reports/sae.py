"""The SAE report, laid out after the CIOMS I form, in English or Chinese.

The first page is the form: numbered boxes in ruled frames, in the four sections
of CIOMS I (I. reaction information, II. suspect drug(s), III. concomitant drug(s)
and history, IV. manufacturer / sponsor information), with tick boxes (☒ / ☐)
for the seriousness criteria, dechallenge, rechallenge, report source and report
type. The report identifier ``<study>-<subject>-AE<occurrence>-<number>`` and the
report type (initial, or follow-up no. n) head the page. Boxes hold what fits;
the full texts follow on continuation pages (the description of the reaction,
laboratory values, each suspect's dosing history, concomitant drugs, history),
and a box that was cut says so.

:func:`render_sae` takes a gathered :class:`~npc_crf.services.reports.sae_data.SaeDocument`;
it reads nothing and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    Table,
    TableStyle,
)

from npc_crf.forms.model import Text
from npc_crf.reports.document import RenderedPdf, RenderOptions, page_width, render
from npc_crf.reports.fonts import FONT, markup
from npc_crf.reports.layout import (
    ACCENT,
    BAND,
    BOX,
    BOX_TICKED,
    INK,
    WARN,
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
from npc_crf.services.reports.sae_data import (
    NO,
    NOT_APPLICABLE,
    YES,
    Administration,
    HistoryEntry,
    LabResult,
    Medication,
    SaeDocument,
    Suspect,
)

#: lines a list box shows on the form before "… and n more"
LIST_LINES = 6
#: the most the description box may take on the form (points)
DESCRIBE_HEIGHT = 150.0

T = {
    "title": L("Suspect adverse reaction report", "可疑不良反应报告"),
    "subtitle": L(
        "Serious adverse event report · laid out after the CIOMS I form",
        "严重不良事件报告 · 参照CIOMS I表格式",
    ),
    "running": L("SAE report", "严重不良事件报告"),
    "report_id": L("Report identifier", "报告编号"),
    "initial": L("Initial report", "首次报告"),
    "followup": L("Follow-up report no. {n}", "第{n}次随访报告"),
    "s1": L("I. Reaction information", "一、不良反应信息"),
    "s2": L("II. Suspect drug(s) information", "二、可疑药物信息"),
    "s3": L("III. Concomitant drug(s) and history", "三、合并用药及病史"),
    "s4": L("IV. Manufacturer / sponsor information", "四、生产企业/申办方信息"),
    "b1": L("Patient initials (first, last)", "患者姓名缩写"),
    "b1a": L("Country", "国家"),
    "b2": L("Date of birth", "出生日期"),
    "b2a": L("Age", "年龄"),
    "b3": L("Sex", "性别"),
    "b46": L("Reaction onset", "不良反应发生日期"),
    "b7": L(
        "Describe reaction(s) (including relevant tests / lab data)",
        "不良反应描述（包括相关检查/实验室数据）",
    ),
    "b812": L("Check all appropriate to adverse reaction", "勾选所有适用项"),
    "died": L("Patient died", "患者死亡"),
    "hospitalisation": L(
        "Involved or prolonged inpatient hospitalisation", "导致住院或住院时间延长"
    ),
    "disability": L(
        "Involved persistent or significant disability or incapacity",
        "导致持续或显著的残疾/功能丧失",
    ),
    "life_threatening": L("Life threatening", "危及生命"),
    "congenital_anomaly": L("Congenital anomaly / birth defect", "先天性异常/出生缺陷"),
    "medically_important": L("Other medically important condition", "其他重要医学事件"),
    "b14": L("Suspect drug(s) (include generic name)", "可疑药物（含通用名）"),
    "b15": L("Daily dose(s)", "日剂量"),
    "b16": L("Route(s) of administration", "给药途径"),
    "b17": L("Indication(s) for use", "用药适应症"),
    "b18": L("Therapy dates (from / to)", "治疗起止日期"),
    "b19": L("Therapy duration", "治疗持续时间"),
    "b20": L("Did reaction abate after stopping drug?", "停药后反应是否减轻？"),
    "b21": L("Did reaction reappear after reintroduction?", "再次用药后反应是否再次出现？"),
    "b22": L(
        "Concomitant drug(s) and dates of administration (exclude those used to treat reaction)",
        "合并用药及用药日期（不包括用于治疗该反应的药物）",
    ),
    "b23": L(
        "Other relevant history (e.g. diagnostics, allergies, pregnancy with last month of period)",
        "其他相关病史（如诊断、过敏、妊娠及末次月经等）",
    ),
    "b24a": L("Name and address of manufacturer / sponsor", "生产企业/申办方名称及地址"),
    "b24b": L("Mfr control no.", "报告编号"),
    "b24c": L("Date received by manufacturer / sponsor", "生产企业/申办方收到日期"),
    "b24d": L("Report source", "报告来源"),
    "report_date": L("Date of this report", "本报告日期"),
    "b25a": L("Report type", "报告类型"),
    "reporter": L("Reporting site / printed by", "报告中心/打印人"),
    "signature": L("Investigator's signature and date", "研究者签名及日期"),
    "study": L("Study", "研究"),
    "literature": L("Literature", "文献"),
    "health_professional": L("Health professional", "医务人员"),
    "followup_box": L("Follow-up", "随访报告"),
    "initial_box": L("Initial", "首次报告"),
    "yes": L("Yes", "是"),
    "no": L("No", "否"),
    "na": L("NA", "不适用"),
    "day": L("Day", "日"),
    "month": L("Month", "月"),
    "year": L("Year", "年"),
    "from_to": L("From {a} to {b}", "自 {a} 至 {b}"),
    "from_ongoing": L("From {a} — ongoing", "自 {a} 起，持续中"),
    "ongoing": L("ongoing", "持续中"),
    "product": L("Suspect product {n} of {m}", "可疑药物 {n}/{m}"),
    "causality": L("Causality (investigator)", "相关性（研究者判断）"),
    "action": L("Action taken", "采取的措施"),
    "not_collected": L("Not collected in this study.", "本研究未收集。"),
    "none_overlapping": L("None recorded during the reaction.", "不良反应期间无合并用药记录。"),
    "none": L("None recorded.", "无记录。"),
    "more": L("… and {n} more: see the continuation pages.", "……另有{n}项，见续页。"),
    "continued": L("(continued on the continuation pages)", "（续见续页）"),
    "abnormal": L("Abnormal laboratory values", "异常实验室检查值"),
    "all_tests": L("Laboratory values: see the continuation pages.", "实验室检查值见续页。"),
    "additional": L(
        "Additional information (not on the CIOMS I form)", "补充信息（CIOMS I表以外）"
    ),
    "term": L("CTCAE v5.0 term (MedDRA code)", "CTCAE术语（MedDRA编码）"),
    "verbatim": L("Verbatim / specify", "原始描述"),
    "grade": L("CTCAE grade", "CTCAE分级"),
    "onset": L("Onset date", "发生日期"),
    "end": L("Resolution date", "缓解日期"),
    "ongoing_q": L("Ongoing", "是否持续"),
    "outcome": L("Outcome", "转归"),
    "criteria": L("Seriousness criteria (as recorded)", "严重性标准（记录值）"),
    "serious_date": L("Date the event became serious", "达到严重标准日期"),
    "aware_date": L("Date the site became aware", "研究中心获知日期"),
    "reported_date": L("Date reported to the sponsor", "向申办方报告日期"),
    "expected": L("Expected (reference safety information)", "是否为预期事件"),
    "susar": L("SUSAR", "SUSAR"),
    "irae": L("Immune-related", "免疫相关"),
    "steroids": L("Systemic corticosteroids", "全身性糖皮质激素"),
    "record": L("AE record", "不良事件记录"),
    "record_value": L(
        "{event}[{occ}] form {form}, revision {rev}",
        "{event}[{occ}] 表 {form}，第{rev}版",
    ),
    "death": L("Death", "死亡"),
    "death_date": L("Date of death", "死亡日期"),
    "death_cause": L("Primary cause of death", "主要死亡原因"),
    "cont": L("Continuation of report {id}", "报告 {id} 续页"),
    "c7": L("7 + 13  Description of reaction(s)", "7 + 13  不良反应描述"),
    "c13": L(
        "13  Relevant tests and laboratory data (from {b} days before onset to {a} days after "
        "the end of the reaction)",
        "13  相关检查及实验室数据（发生前{b}天至反应结束后{a}天）",
    ),
    "c13_none": L("No laboratory values were sampled in this period.", "该期间无实验室检查记录。"),
    "c13_unmapped": L(
        "This study maps no laboratory forms to the report.", "本研究未指定实验室检查表。"
    ),
    "c14": L("14 – 19  Dosing history of the suspect products", "14 – 19  可疑药物用药记录"),
    "c22": L("22  Concomitant drugs during the reaction", "22  不良反应期间的合并用药"),
    "c23": L("23  Other relevant history", "23  其他相关病史"),
    "c_death": L("Death record", "死亡记录"),
    "date": L("Date", "日期"),
    "test": L("Test", "检查项目"),
    "value": L("Value", "结果"),
    "normal": L("Normal range", "正常范围"),
    "flag": L("Flag", "标记"),
    "visit": L("Visit", "访视"),
    "when": L("Date(s)", "日期"),
    "dose": L("Dose", "剂量"),
    "detail": L("Product / details", "药物/详情"),
    "notes": L("Notes", "备注"),
    "not_given": L("Not given", "未给药"),
    "after_onset": L("after onset", "发病后"),
    "drug": L("Drug", "药物"),
    "route": L("Route", "途径"),
    "indication": L("Indication", "适应症"),
    "start": L("Start", "开始"),
    "stop": L("End", "结束"),
    "started_after": L(
        "✱ started on or after the onset: it may treat the reaction.",
        "✱ 于发病当日或之后开始使用：可能用于治疗该反应。",
    ),
    "source": L("Source", "来源"),
    "condition": L("Condition / therapy", "疾病/治疗"),
    "details": L("Details", "详情"),
    "no_admin": L("No administration recorded.", "无用药记录。"),
}


def _t(key: str, lang: str, **kw: object) -> str:
    text = T[key].get(lang)
    return text.format(**kw) if kw else text


def _v(value: Text | None, lang: str, empty: str = "—") -> str:
    return value.get(lang) if value is not None and value.get(lang) else empty


@dataclass(frozen=True)
class _Look:
    """The styles of the form's boxes."""

    st: Styles
    label: ParagraphStyle
    value: ParagraphStyle
    small: ParagraphStyle
    band: ParagraphStyle
    big_id: ParagraphStyle
    report_type: ParagraphStyle


def _look() -> _Look:
    st = make_styles(9)
    return _Look(
        st=st,
        label=ParagraphStyle("box_label", parent=st.tiny, fontSize=6.8, leading=8.2),
        value=ParagraphStyle("box_value", parent=st.body, fontSize=8.8, leading=11),
        small=ParagraphStyle("box_small", parent=st.body, fontSize=7.8, leading=9.8),
        band=ParagraphStyle(
            "band", parent=st.body, fontSize=10, leading=13, textColor=colors.white
        ),
        big_id=ParagraphStyle(
            "big_id", parent=st.body, fontSize=12.5, leading=15.5, textColor=ACCENT
        ),
        report_type=ParagraphStyle(
            "report_type", parent=st.body, fontSize=10.5, leading=13.5, textColor=WARN
        ),
    )


def render_sae(doc: SaeDocument, options: RenderOptions, *, number: int = 0) -> RenderedPdf:
    """The SAE report of ``doc``: report ``number`` 0 is the initial report, n ≥ 1 the
    n-th follow-up; in ``options.lang``."""
    lang = options.lang
    report_id = doc.report_id(number)
    frame = options.frame(
        f"{_t('running', lang)} · {report_id}",
        f"{doc.study_oid} {doc.study_version} — {doc.study_name.get(lang)}",
        _about(doc, lang),
        content_hash=doc.content_hash,
    )
    look = _look()
    width = page_width(frame)
    date = (options.generated_at or dt.datetime.now(dt.UTC)).astimezone().date().isoformat()
    first, cut = _section_one(doc, look, lang, width)
    story: list[Flowable] = [
        _header(doc, report_id, number, look, lang, width),
        gap(2),
        *first,
        *_section_two(doc, look, lang, width),
        *_section_three(doc, look, lang, width),
        *_section_four(doc, report_id, number, date, options, look, lang, width),
        *_additional(doc, look, lang, width),
        PageBreak(),
        *_continuation(doc, report_id, cut, look, lang, width),
    ]
    return render(frame, story, pdf_title=f"{_t('running', lang)} {report_id}", options=options)


def _about(doc: SaeDocument, lang: str) -> str:
    if lang == "zh":
        return f"中心 {doc.site_id} · 受试者 {doc.subject_id} · 不良事件 {doc.event_oid}[{doc.occurrence}]"
    return f"Site {doc.site_id} · Subject {doc.subject_id} · AE {doc.event_oid}[{doc.occurrence}]"


# -- building blocks -------------------------------------------------------------------------


def _box(num: str, label: str, body: object, look: _Look) -> list[Flowable]:
    """A numbered box: its small label over its value (plain text or flowables)."""
    head = rich([(f"{num}  " if num else "", look.st.cell_head), (label, None)], look.label)
    if isinstance(body, Flowable):
        return [head, body]
    if isinstance(body, list):
        return [head, *body]
    return [head, para(body, look.value)]


def _grid(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A ruled form grid (rows never split across pages)."""
    grid = Table([list(r) for r in rows], colWidths=list(widths), hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.7, INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                *extra,
            ]
        )
    )
    return grid


def _band(text: str, look: _Look, width: float) -> Table:
    """A section's title bar."""
    bar = Table([[para(text, look.band)]], colWidths=[width], hAlign="LEFT")
    bar.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT),
                ("BOX", (0, 0), (-1, -1), 0.7, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return bar


def _ticks(options: Sequence[tuple[str, bool]], look: _Look, *, column: bool = False) -> Flowable:
    """Tick boxes: ☒ for the ticked, ☐ for the others; in a row or one per line."""
    marks = [f"{BOX_TICKED if on else BOX}\u00a0{label}" for label, on in options]
    if column:
        return Paragraph("<br/>".join(markup(m) for m in marks), look.small)
    return para("    ".join(marks), look.value)


def _answer(value: str, look: _Look, lang: str) -> Flowable:
    """Boxes 20 and 21: yes / no / NA, none ticked when not known."""
    return _ticks(
        [
            (_t("yes", lang), value == YES),
            (_t("no", lang), value == NO),
            (_t("na", lang), value == NOT_APPLICABLE),
        ],
        look,
    )


def _dmy(value: Text | None, look: _Look, lang: str, width: float) -> Table:
    """A date in day / month / year boxes (``UNK`` parts as written)."""
    text = _v(value, lang, "")
    parts = text.split("-")
    if len(parts) == 3 and len(parts[0]) == 4:
        day, month, year = parts[2], parts[1], parts[0]
    else:
        day, month, year = "", "", text
    room = width - 6
    cells = Table(
        [
            [para(_t(k, lang), look.label) for k in ("day", "month", "year")],
            [para(day, look.value), para(month, look.value), para(year, look.value)],
        ],
        colWidths=[room * 0.31, room * 0.3, room * 0.39],
        hAlign="LEFT",
    )
    cells.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return cells


def _fit(text: str, style: ParagraphStyle, width: float, height: float) -> tuple[str, bool]:
    """``text`` cut (at a word when it can) to fit ``height`` at ``width``; and whether
    it was cut."""

    def fits(candidate: str) -> bool:
        return float(para(candidate, style).wrap(width, 1e6)[1]) <= height

    if fits(text):
        return text, False
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if fits(text[:mid] + " …"):
            low = mid
        else:
            high = mid - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > len(cut) - 25 and space > 0:
        cut = cut[:space]
    return cut.rstrip(" ,;") + " …", True


def _listed(lines: Sequence[str], look: _Look, lang: str, empty: str) -> list[Flowable]:
    """Up to LIST_LINES lines, then how many more the continuation pages hold."""
    if not lines:
        return [para(empty, look.value)]
    shown = [para(line, look.small) for line in lines[:LIST_LINES]]
    if len(lines) > LIST_LINES:
        shown.append(para(_t("more", lang, n=len(lines) - LIST_LINES), look.label))
    return shown


# -- the form --------------------------------------------------------------------------------


def _header(
    doc: SaeDocument, report_id: str, number: int, look: _Look, lang: str, width: float
) -> Table:
    kind = _t("initial", lang) if number == 0 else _t("followup", lang, n=number)
    left = [para(_t("title", lang), look.st.title), para(_t("subtitle", lang), look.st.muted)]
    right = [
        para(_t("report_id", lang), look.label),
        para(report_id, look.big_id),
        para(kind, look.report_type),
    ]
    head = Table([[left, right]], colWidths=[width * 0.56, width * 0.44], hAlign="LEFT")
    head.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 1.2, ACCENT),
                ("BACKGROUND", (1, 0), (1, 0), BAND),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return head


def _section_one(
    doc: SaeDocument, look: _Look, lang: str, width: float
) -> tuple[list[Flowable], bool]:
    """Section I, and whether the description had to be cut to fit its box."""
    shares = (0.11, 0.10, 0.15, 0.09, 0.08, 0.15, 0.32)
    w = [width * s for s in shares]
    p, r = doc.patient, doc.reaction
    row0 = [
        _box("1", _t("b1", lang), _v(p.initials, lang), look),
        _box("1a", _t("b1a", lang), doc.country.get(lang), look),
        _box("2", _t("b2", lang), _dmy(p.birth_date, look, lang, w[2]), look),
        _box("2a", _t("b2a", lang), _v(p.age, lang), look),
        _box("3", _t("b3", lang), _v(p.sex, lang), look),
        _box("4–6", _t("b46", lang), _dmy(r.onset, look, lang, w[5]), look),
        _box("8–12", _t("b812", lang), [], look),
    ]
    ticks = _ticks([(_t(box, lang), box in r.ticked) for box in _BOXES], look, column=True)
    describe_width = sum(w[:6]) - 6
    describe, cut = _describe(doc, look, lang, describe_width)
    row1 = [_box("7 + 13", _t("b7", lang), describe, look), *[""] * 5, ticks]
    grid = _grid([row0, row1], w, [("SPAN", (0, 1), (5, 1))])
    return [keep(_band(_t("s1", lang), look, width), grid), gap(2)], cut


_BOXES = (
    "died",
    "hospitalisation",
    "disability",
    "life_threatening",
    "congenital_anomaly",
    "medically_important",
)


def _describe(
    doc: SaeDocument, look: _Look, lang: str, width: float
) -> tuple[list[Flowable], bool]:
    """Box 7 + 13: the description (cut to fit) and the abnormal laboratory values."""
    abnormal = [t for t in doc.tests or () if t.flag]
    lab_lines = [_lab_line(t, lang) for t in abnormal[:4]]
    room = DESCRIBE_HEIGHT - (len(lab_lines) + 1) * look.small.leading - 12
    text, cut = _fit(doc.narrative.get(lang), look.value, width, room)
    out: list[Flowable] = [para(text, look.value)]
    if cut:
        out.append(para(_t("continued", lang), look.label))
    if abnormal:
        out.append(para(_t("abnormal", lang) + ":", look.label))
        out += [para(line, look.small) for line in lab_lines]
        if len(abnormal) > len(lab_lines):
            out.append(para(_t("more", lang, n=len(abnormal) - len(lab_lines)), look.label))
    elif doc.tests:
        out.append(para(_t("all_tests", lang), look.label))
    return out, cut


def _lab_line(t: LabResult, lang: str) -> str:
    normal = f" ({t.normal.get(lang)})" if t.normal else ""
    return f"{t.date.get(lang)} {t.test.get(lang)} {t.value.get(lang)} {t.flag}{normal}"


def _section_two(doc: SaeDocument, look: _Look, lang: str, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    total = len(doc.suspects)
    for n, s in enumerate(doc.suspects, start=1):
        grid = _suspect_grid(s, n, total, look, lang, width)
        first = [_band(_t("s2", lang), look, width)] if n == 1 else []
        out += [keep(*first, grid), gap(1.5)]
    return out


def _suspect_grid(s: Suspect, n: int, total: int, look: _Look, lang: str, width: float) -> Table:
    w = [width * 0.36, width * 0.36, width * 0.28]
    name = para(s.name.get(lang), look.value)
    which = para(_t("product", lang, n=n, m=total), look.label) if total > 1 else None
    if s.first is None:
        dates = "—"
    elif s.ongoing:
        dates = _t("from_ongoing", lang, a=_v(s.first, lang))
    else:
        dates = _t("from_to", lang, a=_v(s.first, lang), b=_v(s.last, lang))
    causality = _v(s.causality, lang)
    action = _v(s.action, lang)
    rows: list[list[object]] = [
        [
            _box("14", _t("b14", lang), [b for b in (which, name) if b is not None], look),
            "",
            _box("20", _t("b20", lang), _answer(s.abated, look, lang), look),
        ],
        [
            _box("15", _t("b15", lang), _v(s.dose, lang), look),
            _box("16", _t("b16", lang), _v(s.route, lang), look),
            _box("21", _t("b21", lang), _answer(s.reappeared, look, lang), look),
        ],
        [
            _box("17", _t("b17", lang), _v(s.indication, lang), look),
            "",
            _box("", _v(s.causality_label, lang, _t("causality", lang)), causality, look),
        ],
        [
            _box("18", _t("b18", lang), dates, look),
            _box("19", _t("b19", lang), _v(s.duration, lang), look),
            _box("", _v(s.action_label, lang, _t("action", lang)), action, look),
        ],
    ]
    return _grid(rows, w, [("SPAN", (0, 0), (1, 0)), ("SPAN", (0, 2), (1, 2))])


def _section_three(doc: SaeDocument, look: _Look, lang: str, width: float) -> list[Flowable]:
    if doc.concomitant is None:
        meds: list[Flowable] = [para(_t("not_collected", lang), look.value)]
    else:
        lines = [_med_line(m, lang) for m in doc.concomitant]
        meds = _listed(lines, look, lang, _t("none_overlapping", lang))
    history = _listed([_history_line(h, lang) for h in doc.history], look, lang, _t("none", lang))
    grid = _grid(
        [[_box("22", _t("b22", lang), meds, look)], [_box("23", _t("b23", lang), history, look)]],
        [width],
    )
    return [keep(_band(_t("s3", lang), look, width), grid), gap(2)]


def _aside(text: str, lang: str) -> str:
    """`` (text)``, in full-width brackets in Chinese."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _med_line(m: Medication, lang: str) -> str:
    what = " ".join(x.get(lang) for x in (m.drug, m.dose, m.route) if x is not None)
    when = f"{_v(m.start, lang, '?')} → {_v(m.end, lang, '?')}"
    why = _aside(m.indication.get(lang), lang) if m.indication else ""
    star = " ✱" if m.after_onset else ""
    return f"{what}{'：' if lang == 'zh' else ': '}{when}{why}{star}"


def _history_line(h: HistoryEntry, lang: str) -> str:
    when = _v(h.start, lang, "")
    if h.end is not None:
        when = f"{when} → {h.end.get(lang)}"
    return h.term.get(lang) + (_aside(when, lang) if when else "")


def _section_four(
    doc: SaeDocument,
    report_id: str,
    number: int,
    date: str,
    options: RenderOptions,
    look: _Look,
    lang: str,
    width: float,
) -> list[Flowable]:
    w = [width * 0.25] * 4
    sponsor = [
        para(doc.sponsor_name.get(lang), look.value),
        para(doc.sponsor_address.get(lang), look.small),
    ]
    source = _ticks(
        [
            (_t(k, lang), doc.report_source == k)
            for k in ("study", "literature", "health_professional")
        ],
        look,
    )
    kind = _ticks(
        [(_t("initial_box", lang), number == 0), (_t("followup_box", lang), number > 0)], look
    )
    reporter = f"{doc.site_id}" + (f" · {options.generated_by}" if options.generated_by else "")
    rows: list[list[object]] = [
        [
            _box("24a", _t("b24a", lang), sponsor, look),
            "",
            _box("24b", _t("b24b", lang), report_id, look),
            "",
        ],
        [
            _box("24c", _t("b24c", lang), _v(doc.reaction.reported_date, lang), look),
            _box("24d", _t("b24d", lang), source, look),
            _box("", _t("report_date", lang), date, look),
            _box("25a", _t("b25a", lang), kind, look),
        ],
        [
            _box("", _t("reporter", lang), reporter, look),
            "",
            _box("", _t("signature", lang), [gap(9)], look),
            "",
        ],
    ]
    spans = [("SPAN", (0, r), (1, r)) for r in (0, 2)] + [("SPAN", (2, r), (3, r)) for r in (0, 2)]
    grid = _grid(rows, w, spans)
    return [keep(_band(_t("s4", lang), look, width), grid), gap(3)]


def _additional(doc: SaeDocument, look: _Look, lang: str, width: float) -> list[Flowable]:
    r = doc.reaction
    term = r.term.get(lang) + (f" ({r.term_code})" if r.term_code else "")
    pairs: list[tuple[object, object]] = [
        (_t("term", lang), term),
        (_t("grade", lang), _v(r.grade, lang)),
    ]
    optional = [
        ("verbatim", r.verbatim),
        ("onset", r.onset),
        ("end", r.end),
        ("ongoing_q", r.ongoing),
        ("outcome", r.outcome),
        ("criteria", r.criteria),
        ("serious_date", r.serious_date),
        ("aware_date", r.aware_date),
        ("reported_date", r.reported_date),
        ("expected", r.expected),
        ("susar", r.susar),
        ("irae", r.immune_related),
        ("steroids", r.steroids),
    ]
    pairs += [(_t(k, lang), v.get(lang)) for k, v in optional if v is not None]
    if doc.death is not None:
        pairs.append((_t("death_date", lang), _v(doc.death.date, lang)))
        if doc.death.cause is not None:
            pairs.append((_t("death_cause", lang), doc.death.cause.get(lang)))
    record = _t(
        "record_value",
        lang,
        event=doc.event_oid,
        occ=doc.occurrence,
        form=doc.form_oid,
        rev=doc.record_revision,
    )
    pairs.append((_t("record", lang), record))
    return [keep(para(_t("additional", lang), look.st.h3), fields(pairs, width, look.st))]


# -- continuation pages ----------------------------------------------------------------------

#: a table this long may start on one page and run on to the next
SHORT_TABLE = 12


def _part(head: Sequence[Flowable], body: Flowable, rows: int) -> list[Flowable]:
    """Headings and their table: kept together when short; a long table starts where
    its headings and first rows fit, and runs on (its header row repeated)."""
    if rows <= SHORT_TABLE:
        return [keep(*head, body)]
    return [CondPageBreak(50 * mm), *head, body]


def _continuation(
    doc: SaeDocument, report_id: str, cut: bool, look: _Look, lang: str, width: float
) -> list[Flowable]:
    st = look.st
    out: list[Flowable] = [para(_t("cont", lang, id=report_id), st.h1)]
    if cut:
        out += [para(_t("c7", lang), st.h2), para(doc.narrative.get(lang), st.body)]
    out += _tests_part(doc, look, lang, width)
    for n, s in enumerate(doc.suspects):
        head = [para(_t("c14", lang), st.h2)] if n == 0 else []
        out += _dosing(s, head, look, lang, width)
    out += _meds_part(doc, look, lang, width)
    out += _history_part(doc, look, lang, width)
    if doc.death is not None:
        pairs: list[tuple[object, object]] = [(_t("death_date", lang), _v(doc.death.date, lang))]
        if doc.death.cause is not None:
            pairs.append((_t("death_cause", lang), doc.death.cause.get(lang)))
        pairs += [(e.label.get(lang), e.value.get(lang)) for e in doc.death.details]
        out.append(keep(para(_t("c_death", lang), st.h2), fields(pairs, width, st)))
    return out


def _tests_part(doc: SaeDocument, look: _Look, lang: str, width: float) -> list[Flowable]:
    st = look.st
    if doc.tests is None:
        head = para(_t("c13", lang, b="–", a="–"), st.h2)
        return [keep(head, para(_t("c13_unmapped", lang), st.muted))]
    head = para(_t("c13", lang, b=doc.test_days[0], a=doc.test_days[1]), st.h2)
    if not doc.tests:
        return [keep(head, para(_t("c13_none", lang), st.muted))]
    rows: list[list[object]] = [[_t(k, lang) for k in ("date", "test", "value", "normal", "flag")]]
    flagged: list[tuple[Any, ...]] = []
    for n, t in enumerate(doc.tests, start=1):
        rows.append(
            [t.date.get(lang), t.test.get(lang), t.value.get(lang), _v(t.normal, lang, ""), t.flag]
        )
        if t.flag:
            flagged.append(("TEXTCOLOR", (4, n), (4, n), WARN))
    widths = [width * s for s in (0.14, 0.38, 0.18, 0.22, 0.08)]
    return _part([head], table(rows, widths, st, extra=flagged), len(rows))


def _dosing(
    s: Suspect, head: Sequence[Flowable], look: _Look, lang: str, width: float
) -> list[Flowable]:
    st = look.st
    title = [*head, para(s.name.get(lang), st.h3)]
    if not s.administrations:
        return [keep(*title, para(_t("no_admin", lang), st.muted))]
    details = any(a.detail is not None for a in s.administrations)
    keys = ["visit", "when", "dose", *(["detail"] if details else []), "notes"]
    rows: list[list[object]] = [[_t(k, lang) for k in keys]]
    rows += [_dosing_row(a, lang, details) for a in s.administrations]
    shares = (0.15, 0.19, 0.24, 0.22, 0.2) if details else (0.2, 0.22, 0.25, 0.33)
    return _part(title, table(rows, [width * x for x in shares], st, small=True), len(rows))


def _dosing_row(a: Administration, lang: str, details: bool) -> list[object]:
    when = _v(a.when, lang)
    if a.after_onset:
        when = f"{when} ({_t('after_onset', lang)})"
    dose = _v(a.dose, lang, "") if a.given else _t("not_given", lang)
    detail = [_v(a.detail, lang, "")] if details else []
    return [a.visit.get(lang), when, dose, *detail, _v(a.notes, lang, "")]


def _meds_part(doc: SaeDocument, look: _Look, lang: str, width: float) -> list[Flowable]:
    st = look.st
    head = para(_t("c22", lang), st.h2)
    if doc.concomitant is None:
        return [keep(head, para(_t("not_collected", lang), st.muted))]
    if not doc.concomitant:
        return [keep(head, para(_t("none_overlapping", lang), st.muted))]
    rows: list[list[object]] = [
        [_t(k, lang) for k in ("drug", "dose", "route", "indication", "start", "stop")]
    ]
    for m in doc.concomitant:
        rows.append(
            [
                m.drug.get(lang) + (" ✱" if m.after_onset else ""),
                _v(m.dose, lang, ""),
                _v(m.route, lang, ""),
                _v(m.indication, lang, ""),
                _v(m.start, lang, ""),
                _v(m.end, lang, ""),
            ]
        )
    widths = [width * x for x in (0.22, 0.12, 0.11, 0.27, 0.14, 0.14)]
    out = _part([head], table(rows, widths, st, small=True), len(rows))
    if any(m.after_onset for m in doc.concomitant):
        out.append(para(_t("started_after", lang), st.muted))
    return out


def _history_part(doc: SaeDocument, look: _Look, lang: str, width: float) -> list[Flowable]:
    st = look.st
    head = para(_t("c23", lang), st.h2)
    if not doc.history:
        return [keep(head, para(_t("none", lang), st.muted))]
    rows: list[list[object]] = [
        [_t(k, lang) for k in ("source", "condition", "start", "stop", "details")]
    ]
    for h in doc.history:
        rows.append(
            [
                h.source.get(lang),
                h.term.get(lang),
                _v(h.start, lang, ""),
                _v(h.end, lang, ""),
                _v(h.details, lang, ""),
            ]
        )
    widths = [width * x for x in (0.17, 0.25, 0.12, 0.12, 0.34)]
    return _part([head], table(rows, widths, st, small=True), len(rows))
