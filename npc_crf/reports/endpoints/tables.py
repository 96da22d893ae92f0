"""The efficacy results as tables (:class:`~npc_crf.endpoints.model.Table`), for the
CSV files of ``report efficacy`` and for anyone who wants them as rows.

English column names are short identifiers a statistician can load into R, SAS
or pandas as they are (``subject_id``, ``pfs_status``, ``n_risk``); the Chinese
ones are descriptive. Values are codes, ISO dates and plain numbers (months as
days over ``EndpointSettings.month_days``), never words, so the files read the
same whatever the report's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from npc_crf.endpoints.model import (
    EfficacyResult,
    EndpointSettings,
    KmFit,
    Proportion,
    SubjectEndpoints,
    Table,
    TimeToEvent,
)

Row = tuple[str | int | float | None, ...]

#: the order of BOR codes in the response table; codes not listed follow, sorted
BOR_ORDER = (
    "CR",
    "iCR",
    "PR",
    "iPR",
    "SD",
    "iSD",
    "NON-CR/NON-PD",
    "PD",
    "iUPD",
    "iCPD",
    "NE",
)
#: the time-to-event endpoints, in report order
ENDPOINTS = ("pfs", "os", "dor")
ENDPOINT_ZH = {"pfs": "无进展生存期", "os": "总生存期", "dor": "缓解持续时间"}

_TTE_COLUMNS = (
    ("{e}_status", "{z}状态"),
    ("{e}_date", "{z}日期"),
    ("{e}_days", "{z}天数"),
    ("{e}_months", "{z}月数"),
    ("{e}_reason", "{z}原因代码"),
    ("{e}_detail", "{z}说明"),
)


def _date(value: object) -> str | None:
    return None if value is None else str(value)


def months(days: int, settings: EndpointSettings) -> float:
    """``days`` in months of ``settings.month_days`` days, to 4 decimals."""
    return round(days / settings.month_days, 4)


def _tte(tte: TimeToEvent | None, settings: EndpointSettings) -> Row:
    if tte is None:
        return (None,) * len(_TTE_COLUMNS)
    return (
        tte.status.value,
        tte.date.isoformat(),
        tte.days,
        months(tte.days, settings),
        tte.reason,
        tte.detail,
    )


def subject_columns() -> tuple[tuple[str, str], ...]:
    """The columns of the per-subject table."""
    head = (
        ("site_id", "中心编号"),
        ("subject_id", "受试者编号"),
        ("cutoff", "数据截止日期"),
        ("start", "起始日期"),
        ("bor", "最佳总体缓解（确认）"),
        ("bor_unconfirmed", "最佳总体缓解（未确认）"),
        ("response_evaluable", "可评价缓解"),
        ("excluded_reason", "不可评价原因"),
        ("response_start", "缓解开始日期"),
        ("progression", "进展日期"),
        ("death", "死亡日期"),
        ("last_known_alive", "末次已知存活日期"),
        ("new_therapy", "新抗肿瘤治疗日期"),
        ("last_dose", "末次给药日期"),
        ("best_change_pct", "靶病灶最佳变化（%）"),
    )
    tte = tuple(
        (en.format(e=e), zh.format(z=ENDPOINT_ZH[e])) for e in ENDPOINTS for en, zh in _TTE_COLUMNS
    )
    return (*head, *tte, ("os_1y", "1 年总生存状态"), ("notes", "推导备注"))


def subject_row(s: SubjectEndpoints, settings: EndpointSettings) -> Row:
    """One subject's derivations as a row of :func:`subject_columns`."""
    best = s.best_change
    return (
        s.site_id,
        s.subject_id,
        s.cutoff.isoformat(),
        _date(s.start),
        s.bor,
        s.bor_unconfirmed,
        "yes" if s.excluded is None else "no",
        s.excluded,
        _date(s.response_start),
        _date(s.progression),
        _date(s.death),
        _date(s.last_known_alive),
        _date(s.new_therapy),
        _date(s.last_dose),
        None if best is None else round(best, 2),
        *_tte(s.pfs, settings),
        *_tte(s.os, settings),
        *_tte(s.dor, settings),
        s.os_1y,
        "; ".join(s.notes) or None,
    )


def bor_counts(subjects: Sequence[SubjectEndpoints]) -> list[tuple[str, int]]:
    """(BOR code, subjects) among the response-evaluable subjects, in RECIST order;
    ``none`` counts the evaluable subjects without a BOR yet."""
    counts: dict[str, int] = {}
    for s in subjects:
        if s.excluded is None:
            code = s.bor or "none"
            counts[code] = counts.get(code, 0) + 1
    known = [c for c in BOR_ORDER if c in counts]
    rest = sorted(c for c in counts if c not in BOR_ORDER and c != "none")
    tail = ["none"] if "none" in counts else []
    return [(c, counts[c]) for c in (*known, *rest, *tail)]


def _rate_row(measure: str, p: Proportion) -> Row:
    return (measure, p.k, p.n, p.estimate, p.lower, p.upper, p.conf_level, "Clopper-Pearson")


def km_table(endpoint: str, fit: KmFit) -> Table:
    """A Kaplan–Meier survival table with R ``summary(survfit)``'s columns."""
    zh = ENDPOINT_ZH.get(endpoint, endpoint)
    return Table(
        name=f"efficacy_km_{endpoint}",
        title_en=f"Kaplan–Meier table: {endpoint.upper()} (months)",
        title_zh=f"Kaplan–Meier 生存表：{zh}（月）",
        columns=(
            ("time_months", "时间（月）"),
            ("n_risk", "风险人数"),
            ("n_event", "事件数"),
            ("n_censor", "删失数"),
            ("survival", "生存率"),
            ("std_err", "标准误"),
            ("lower", "置信下限"),
            ("upper", "置信上限"),
        ),
        rows=tuple(
            (r.time, r.n_risk, r.n_event, r.n_censor, r.survival, r.std_err, r.lower, r.upper)
            for r in fit.rows
        ),
        note_en=f"Confidence limits: {fit.conf_type} transform, level {fit.conf_level:g}.",
        note_zh=f"置信限：{fit.conf_type} 变换，置信水平 {fit.conf_level:g}。",
    )


def ordered(keys: Iterable[str]) -> list[str]:
    """Endpoint keys in report order: PFS, OS, DoR, then any other, sorted."""
    present = set(keys)
    return [e for e in ENDPOINTS if e in present] + sorted(present - set(ENDPOINTS))


def efficacy_tables(result: EfficacyResult) -> list[Table]:
    """The efficacy results as tables: per-subject derivations, best overall response,
    ORR and DCR, Kaplan–Meier summaries, survival tables and landmark rates, and the
    subjects excluded from the response analysis."""
    settings = result.settings
    subjects = sorted(result.subjects, key=lambda s: (s.site_id, s.subject_id))
    evaluable = sum(1 for s in subjects if s.excluded is None)
    out = [
        Table(
            name="efficacy_subjects",
            title_en="Per-subject derivations",
            title_zh="逐例推导结果",
            columns=subject_columns(),
            rows=tuple(subject_row(s, settings) for s in subjects),
        ),
        Table(
            name="efficacy_best_response",
            title_en="Best overall response (response-evaluable subjects)",
            title_zh="最佳总体缓解（可评价缓解的受试者）",
            columns=(("bor", "最佳总体缓解"), ("subjects", "例数"), ("percent", "百分比")),
            rows=tuple(
                (code, n, round(100 * n / evaluable, 2) if evaluable else None)
                for code, n in bor_counts(subjects)
            ),
            note_en=f"Percent of the {evaluable} response-evaluable subjects.",
            note_zh=f"百分比的分母为 {evaluable} 例可评价缓解的受试者。",
        ),
        Table(
            name="efficacy_rates",
            title_en="Objective response and disease-control rates",
            title_zh="客观缓解率与疾病控制率",
            columns=(
                ("measure", "指标"),
                ("k", "例数"),
                ("n", "分母"),
                ("estimate", "率"),
                ("lower", "置信下限"),
                ("upper", "置信上限"),
                ("conf_level", "置信水平"),
                ("method", "方法"),
            ),
            rows=(_rate_row("orr", result.orr), _rate_row("dcr", result.dcr)),
        ),
    ]
    fits = [(e, result.km[e]) for e in ordered(result.km)]
    out.append(
        Table(
            name="efficacy_km_summary",
            title_en="Kaplan–Meier summaries (months)",
            title_zh="Kaplan–Meier 汇总（月）",
            columns=(
                ("endpoint", "终点"),
                ("n", "例数"),
                ("events", "事件数"),
                ("censored", "删失数"),
                ("median", "中位数"),
                ("median_lower", "中位数置信下限"),
                ("median_upper", "中位数置信上限"),
                ("conf_type", "置信区间变换"),
                ("conf_level", "置信水平"),
            ),
            rows=tuple(
                (
                    e,
                    f.n,
                    f.events,
                    f.n - f.events,
                    f.median,
                    f.median_lower,
                    f.median_upper,
                    f.conf_type,
                    f.conf_level,
                )
                for e, f in fits
            ),
            note_en="An empty median or limit: not reached.",
            note_zh="中位数或置信限为空：未达到。",
        )
    )
    out += [km_table(e, f) for e, f in fits]
    out.append(
        Table(
            name="efficacy_landmarks",
            title_en="Landmark survival rates",
            title_zh="里程碑生存率",
            columns=(
                ("endpoint", "终点"),
                ("time_months", "时间（月）"),
                ("survival", "生存率"),
                ("lower", "置信下限"),
                ("upper", "置信上限"),
                ("n_risk", "风险人数"),
                ("conf_type", "置信区间变换"),
                ("conf_level", "置信水平"),
            ),
            rows=tuple(
                (
                    e,
                    m.time,
                    m.survival,
                    m.lower,
                    m.upper,
                    m.n_risk,
                    result.km[e].conf_type if e in result.km else settings.conf_type,
                    result.km[e].conf_level if e in result.km else settings.conf_level,
                )
                for e in ordered(result.landmarks)
                for m in result.landmarks[e]
            ),
            note_en="An empty survival: the time is beyond the last observation.",
            note_zh="生存率为空：该时间点超出末次观察。",
        )
    )
    out.append(
        Table(
            name="efficacy_excluded",
            title_en="Subjects excluded from the response analysis",
            title_zh="未纳入缓解分析的受试者",
            columns=(("subject_id", "受试者编号"), ("reason", "原因")),
            rows=tuple((subject, reason) for subject, reason in result.excluded),
        )
    )
    return out
