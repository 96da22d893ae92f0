"""The words of the endpoint figures and reports, in English and Chinese, and the
few number formats they share.

Pure Python (no matplotlib): the report modules use these words too, and a ward
PC without the ``center`` extra can still import them.
"""

from __future__ import annotations

import math

from npc_crf.forms.model import Text

#: the response groups of the figures, best first; every BOR code falls into one
BOR_GROUPS = ("CR", "PR", "SD", "PD", "NE")

#: BOR codes (RECIST 1.1 and iRECIST) by group; anything else (no BOR yet, an unknown
#: code) is drawn as NE
_GROUP_OF = {
    "CR": "CR",
    "ICR": "CR",
    "PR": "PR",
    "IPR": "PR",
    "SD": "SD",
    "ISD": "SD",
    "NON-CR/NON-PD": "SD",  # non-target disease only: disease control, no target sum
    "PD": "PD",
    "IUPD": "PD",
    "ICPD": "PD",
    "NE": "NE",
}

BOR_NAMES: dict[str, Text] = {
    "CR": Text("Complete response", "完全缓解"),
    "PR": Text("Partial response", "部分缓解"),
    "SD": Text("Stable disease", "疾病稳定"),
    "PD": Text("Progressive disease", "疾病进展"),
    "NE": Text("Not evaluable", "无法评价"),
}

ENDPOINT_NAMES: dict[str, Text] = {
    "pfs": Text("Progression-free survival", "无进展生存期"),
    "os": Text("Overall survival", "总生存期"),
    "dor": Text("Duration of response", "缓解持续时间"),
}

#: the y axis of a Kaplan–Meier figure
ENDPOINT_AXIS: dict[str, Text] = {
    "pfs": Text("Probability of progression-free survival", "无进展生存概率"),
    "os": Text("Probability of survival", "生存概率"),
    "dor": Text("Probability of remaining in response", "维持缓解的概率"),
}

#: how time is counted from the origin (``EndpointSettings.start``)
ORIGIN_WORDS: dict[str, dict[str, Text]] = {
    "first_dose": {
        "weeks": Text("Weeks from the first dose", "首次给药后周数"),
        "months": Text("Months from the first dose", "首次给药后月数"),
    },
    "enrolment": {
        "weeks": Text("Weeks from enrolment", "入组后周数"),
        "months": Text("Months from enrolment", "入组后月数"),
    },
    "response": {
        "weeks": Text("Weeks from the first response", "首次缓解后周数"),
        "months": Text("Months from the first response", "首次缓解后月数"),
    },
}

W: dict[str, Text] = {
    "legend_bor": Text("{code} (n = {n})", "{code} {name}（n = {n}）"),
    "waterfall_title": Text(
        "Best change in the sum of target lesions (n = {n})",
        "靶病灶直径总和的最佳变化（n = {n}）",
    ),
    "waterfall_y": Text(
        "Best change from baseline (%)",
        "相对基线的最佳变化（%）",
    ),
    "waterfall_x": Text("Subjects, by best change", "受试者（按最佳变化排序）"),
    "spider_title": Text(
        "Change in the sum of target lesions over time (n = {n})",
        "靶病灶直径总和随时间的变化（n = {n}）",
    ),
    "spider_y": Text("Change from baseline (%)", "相对基线的变化（%）"),
    "pr_line": Text("−30 % (PR)", "−30%（PR）"),
    "pd_line": Text("+20 % (PD)", "+20%（PD）"),
    "swimmer_title": Text("Time on study (n = {n})", "研究时间（n = {n}）"),
    "swimmer_part": Text(
        "Time on study (subjects {first}–{last} of {n}, longest first)",
        "研究时间（第 {first}–{last} 例，共 {n} 例，按时间由长到短）",
    ),
    "swimmer_y": Text("Subjects", "受试者"),
    "on_treatment": Text("On study treatment", "治疗期"),
    "follow_up": Text("Follow-up after treatment", "治疗后随访"),
    "response_start": Text("Response starts", "缓解开始"),
    "progression": Text("Progression", "疾病进展"),
    "death": Text("Death", "死亡"),
    "ongoing": Text("Alive without progression at the last contact", "末次随访时存活且未进展"),
    "km_title": Text(
        "{endpoint} (n = {n}, {events} events)",
        "{endpoint}（n = {n}，事件 {events} 例）",
    ),
    "months": Text("Months", "月"),
    "at_risk": Text("Number at risk", "风险人数"),
    "censored": Text("Censored", "删失"),
    "band": Text("{level} % CI ({conf})", "{level}% 置信区间（{conf}）"),
    "median": Text("Median {value}", "中位 {value}"),
    "median_ci": Text(
        "Median {value} ({level} % CI {lower}–{upper})",
        "中位 {value}（{level}% 置信区间 {lower}–{upper}）",
    ),
    "not_reached": Text("NR", "未达到"),
    "no_targets": Text(
        "No subject has a target-lesion sum at baseline and after it.",
        "没有受试者同时具有基线及基线后的靶病灶直径总和。",
    ),
    "no_start": Text("No subject has a start date.", "没有受试者具有起始日期。"),
    "no_fit": Text("No subject has this endpoint.", "没有受试者具有该终点。"),
}

#: the Kaplan–Meier confidence transforms as people name them
CONF_TYPE_NAMES: dict[str, Text] = {
    "log": Text("log", "log"),
    "log-log": Text("log-log", "log-log"),
    "plain": Text("plain", "plain"),
}


def bor_group(code: str | None) -> str:
    """The figure group (CR, PR, SD, PD, NE) of a BOR code; NE when there is none."""
    if code is None:
        return "NE"
    return _GROUP_OF.get(code.strip().upper(), "NE")


def word(key: str, lang: str, **values: object) -> str:
    """The text ``key`` of :data:`W` in ``lang`` with ``values`` filled in."""
    return W[key].get(lang).format(**values)


def level_text(conf_level: float) -> str:
    """``95`` for 0.95, ``97.5`` for 0.975."""
    return f"{conf_level * 100:.4g}"


def bound(value: float | None, lang: str, digits: int = 1) -> str:
    """A median or its confidence limit; NR (not reached) when there is none."""
    if value is None or math.isnan(value) or math.isinf(value):
        return W["not_reached"].get(lang)
    return f"{value:.{digits}f}"


def median_text(
    median: float | None,
    lower: float | None,
    upper: float | None,
    conf_level: float,
    lang: str,
) -> str:
    """``Median 12.3 (95 % CI 8.1–NR)``."""
    return word(
        "median_ci",
        lang,
        value=bound(median, lang),
        level=level_text(conf_level),
        lower=bound(lower, lang),
        upper=bound(upper, lang),
    )
