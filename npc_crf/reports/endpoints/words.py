"""The words of the efficacy and safety reports (English and Chinese): titles,
labels, the endpoint settings said as sentences, and the derivation reasons.

Shared with the figures: :mod:`npc_crf.endpoints.figures.words` (response groups,
endpoint names, median texts).
"""

from __future__ import annotations

from npc_crf.endpoints.figures.words import level_text
from npc_crf.endpoints.model import EndpointSettings, Status
from npc_crf.forms.model import Text
from npc_crf.reports.layout import L

EFFICACY_TITLE = L("Efficacy report", "疗效报告")
SAFETY_TITLE = L("Safety report", "安全性报告")

T: dict[str, Text] = {
    "study": L("Study", "研究"),
    "scope": L("Scope", "范围"),
    "cutoff": L("Data cut-off", "数据截止日期"),
    "subjects": L("Subjects", "受试者"),
    "with_start": L("With a start date", "具有起始日期"),
    "evaluable": L("Response-evaluable", "可评价缓解"),
    "not_evaluable": L("Not response-evaluable", "不可评价缓解"),
    "settings": L("Settings used", "所用设置"),
    "setting": L("Setting (study.yaml)", "设置（study.yaml）"),
    "meaning": L("What it means here", "含义"),
    "response": L("Tumour response", "肿瘤缓解"),
    "bor": L("Best overall response", "最佳总体缓解"),
    "count": L("Subjects", "例数"),
    "percent": L("% of response-evaluable", "占可评价例数 %"),
    "measure": L("Measure", "指标"),
    "rate": L("Rate", "率"),
    "ci_exact": L(
        "{level} % CI (exact, Clopper–Pearson)", "{level}% 置信区间（精确法，Clopper–Pearson）"
    ),
    "orr": L("Objective response rate (CR + PR)", "客观缓解率（CR + PR）"),
    "dcr": L("Disease-control rate (CR + PR + SD)", "疾病控制率（CR + PR + SD）"),
    "none": L("none", "无"),
    "tte": L("Time-to-event endpoints", "时间-事件终点"),
    "endpoint": L("Endpoint", "终点"),
    "events": L("Events", "事件"),
    "censored_n": L("Censored", "删失"),
    "median": L("Median (months)", "中位数（月）"),
    "ci": L("{level} % CI", "{level}% 置信区间"),
    "transform": L("CI transform", "置信区间变换"),
    "landmarks": L("Landmark rates", "里程碑生存率"),
    "months": L("Months", "月"),
    "at_risk": L("At risk", "风险人数"),
    "survival": L("Survival", "生存率"),
    "km_note": L(
        "Kaplan–Meier estimates; Greenwood variance; confidence limits on the {conf} scale "
        "at {level} %; the median's interval by Brookmeyer–Crowley as R's survfit reports "
        "it. NR: not reached.",
        "Kaplan–Meier 估计；Greenwood 方差；置信限按 {conf} 变换，置信水平 {level}%；"
        "中位数置信区间按 Brookmeyer–Crowley 法（与 R survfit 一致）。“未达到”即 NR。",
    ),
    "figures": L("Figures", "图"),
    "based_on": L("Based on {n} subjects: {who}.", "基于 {n} 例受试者：{who}。"),
    "who_targets": L(
        "those with a target-lesion sum at baseline and at least one after it",
        "具有基线及至少一次基线后靶病灶直径总和者",
    ),
    "who_start": L("those with a start date", "具有起始日期者"),
    "who_km": L(
        "those with this endpoint derived ({events} events)", "已推导该终点者（事件 {events} 例）"
    ),
    "km_tables": L("Kaplan–Meier survival tables", "Kaplan–Meier 生存表"),
    "time": L("Time (months)", "时间（月）"),
    "n_event": L("Events", "事件数"),
    "n_censor": L("Censored", "删失数"),
    "std_err": L("Std. error", "标准误"),
    "lower": L("Lower", "下限"),
    "upper": L("Upper", "上限"),
    "excluded": L("Subjects excluded from the response analysis", "未纳入缓解分析的受试者"),
    "no_excluded": L("No subject was excluded.", "没有受试者被排除。"),
    "subject": L("Subject", "受试者"),
    "reason": L("Reason", "原因"),
    "listing": L("Per-subject derivations", "逐例推导结果"),
    "start": L("Start", "起始日期"),
    "bor_short": L("BOR (unconfirmed)", "BOR（未确认）"),
    "pfs": L("PFS", "PFS"),
    "os": L("OS", "OS"),
    "dor": L("DoR", "DoR"),
    "os_1y": L("1-year OS", "1 年 OS"),
    "notes": L("Notes", "备注"),
    "not_derived": L("not derived", "未推导"),
    "mo": L("{m} mo", "{m} 月"),
    "safety_population": L("Safety population", "安全性人群"),
    "ae_records": L("Adverse events recorded", "记录的不良事件"),
    "teae": L("Treatment-emergent", "治疗期间出现"),
    "exposure": L("Subjects with exposure records", "有暴露记录的受试者"),
    "contents": L("Tables", "表格目录"),
    "safety_excluded": L("Subjects left out of the safety tables", "未纳入安全性表格的受试者"),
    "no_tables": L("There are no tables to show.", "没有可显示的表格。"),
    "empty_table": L("No rows.", "无数据。"),
    "continued": L("(continued)", "（续）"),
}

STATUS_WORDS: dict[str, Text] = {
    Status.EVENT.value: L("Event", "事件"),
    Status.CENSORED.value: L("Censored", "删失"),
}

#: the stable reason codes of docs/derivations.md, in words
REASON_WORDS: dict[str, Text] = {
    "progression": L("progression", "疾病进展"),
    "death": L("death", "死亡"),
    "no_baseline": L("no baseline assessment", "无基线评估"),
    "no_post_baseline": L("no assessment after baseline", "无基线后评估"),
    "new_therapy": L("new anticancer therapy before progression", "进展前开始新的抗肿瘤治疗"),
    "missed_assessments": L(
        "progression or death after missed assessments", "漏评估后发生进展或死亡"
    ),
    "no_progression": L("no progression (last adequate assessment)", "未进展（末次充分评估）"),
    "alive": L("alive (last known alive)", "存活（末次已知存活）"),
    "cutoff": L("data cut-off", "数据截止"),
}

OS_1Y_WORDS: dict[str, Text] = {
    "alive": L("alive", "存活"),
    "dead": L("dead", "死亡"),
    "censored": L("censored before one year", "一年内删失"),
}

CONF_TYPE_WORDS: dict[str, Text] = {
    "log": L("log (R survfit's default)", "log（R survfit 默认）"),
    "log-log": L("log-log (SAS PROC LIFETEST's default)", "log-log（SAS PROC LIFETEST 默认）"),
    "plain": L("plain (linear)", "plain（线性）"),
}


def g(key: str, lang: str, **values: object) -> str:
    """The text ``key`` of :data:`T` in ``lang`` with ``values`` filled in."""
    return T[key].get(lang).format(**values)


def reason_text(code: str, lang: str) -> str:
    """A derivation reason code in words (the code itself when it is not known)."""
    known = REASON_WORDS.get(code)
    return known.get(lang) if known is not None else code


def _months_list(months: tuple[float, ...], lang: str) -> str:
    parts = [f"{m:g}" for m in months]
    if not parts:
        return L("none", "无").get(lang)
    if lang == "zh":
        return "、".join(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def settings_sentences(settings: EndpointSettings, lang: str) -> list[tuple[str, str]]:
    """Each endpoint setting as (its ``oncology: endpoints:`` key, a sentence)."""
    zh = lang == "zh"
    start = {
        "first_dose": L(
            "Time is counted from the first dose of study treatment.",
            "时间自首次研究治疗给药起计算。",
        ),
        "enrolment": L("Time is counted from enrolment.", "时间自入组起计算。"),
    }
    progression = {
        "recist": L(
            "Progression is RECIST 1.1 progressive disease (PD).",
            "疾病进展按 RECIST 1.1 的疾病进展（PD）判定。",
        ),
        "irecist": L(
            "Progression is iRECIST confirmed progression (iCPD).",
            "疾病进展按 iRECIST 确认的进展（iCPD）判定。",
        ),
    }
    conf = CONF_TYPE_WORDS.get(settings.conf_type)
    level = level_text(settings.conf_level)
    missed = settings.missed_assessments
    out = [
        ("start", _pick(start, settings.start, lang)),
        ("progression", _pick(progression, settings.progression, lang)),
        (
            "conf_type",
            (
                f"Kaplan–Meier 置信区间采用 {conf.get(lang) if conf else settings.conf_type} 变换。"
                if zh
                else "Kaplan–Meier confidence intervals use the "
                f"{conf.get(lang) if conf else settings.conf_type} transform."
            ),
        ),
        (
            "conf_level",
            f"置信水平为 {level}%（率及中位数）。"
            if zh
            else f"Confidence intervals are {level} % (rates and medians).",
        ),
        (
            "censor_new_therapy",
            (
                "进展前开始新的抗肿瘤治疗者，PFS 在该治疗前末次充分评估日删失。"
                if zh
                else "A new anticancer therapy before progression censors PFS at the last "
                "adequate assessment before it."
            )
            if settings.censor_new_therapy
            else (
                "新的抗肿瘤治疗不导致删失：PFS 持续至进展或死亡。"
                if zh
                else "A new anticancer therapy does not censor: PFS runs on to progression "
                "or death."
            ),
        ),
        (
            "missed_assessments",
            (
                f"漏评估 {missed} 次或以上后发生的进展或死亡，在末次充分评估日删失。"
                if zh
                else f"Progression or death after {missed} or more missed assessments is "
                "censored at the last adequate assessment."
            )
            if missed > 0
            else (
                "漏评估不导致删失。"
                if zh
                else "Missed assessments never censor progression or death."
            ),
        ),
        (
            "assessment_interval_days",
            f"方案规定的评估间隔为 {settings.assessment_interval_days} 天（用于计算漏评估）。"
            if zh
            else f"The protocol's assessment interval is {settings.assessment_interval_days} "
            "days (for counting missed assessments).",
        ),
        (
            "day_count",
            ("天数 = 结束日期 − 起始日期 + 1。" if zh else "Days are counted as end − start + 1.")
            if settings.day_count == "inclusive"
            else ("天数 = 结束日期 − 起始日期。" if zh else "Days are counted as end − start."),
        ),
        (
            "month_days",
            f"1 个月按 {settings.month_days:g} 天计。"
            if zh
            else f"A month is {settings.month_days:g} days.",
        ),
        (
            "landmarks_months",
            f"里程碑生存率时间点：{_months_list(settings.landmarks_months, lang)} 个月。"
            if zh
            else f"Landmark rates at {_months_list(settings.landmarks_months, lang)} months.",
        ),
    ]
    return out


def _pick(choices: dict[str, Text], value: str, lang: str) -> str:
    known = choices.get(value)
    if known is not None:
        return known.get(lang)
    return f"{value}（未知取值）" if lang == "zh" else f"{value} (an unknown value)"
