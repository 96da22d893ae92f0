"""``npc-crf derive km`` and ``derive orr``: the statistics from one JSON document.

Schemas in ``docs/derivations.md``. Every field that cannot be used is reported by its
JSON path (``time[3]: must be at least 0, not -2``) and a field that is not in the
schema is refused.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from npc_crf.endpoints.model import KmRow, Landmark
from npc_crf.endpoints.stats.binomial import clopper_pearson
from npc_crf.endpoints.stats.km import CONF_TYPES, kaplan_meier, landmark
from npc_crf.oncology.jsonin import Node

#: R's defaults: survfit(conf.type = "log", conf.int = 0.95), binom.test(conf.level = 0.95)
DEFAULT_CONF_TYPE = "log"
DEFAULT_CONF_LEVEL = Decimal("0.95")


def derive_km(doc: Node) -> dict[str, object]:
    """``derive km``: the Kaplan–Meier table, the median with its confidence interval and
    the survival at the landmark times."""
    doc.unknown_keys({"time", "event", "conf_type", "conf_level", "landmarks"})
    time_nodes = doc.get("time").elements()
    times = [_time(node) for node in time_nodes]
    event_node = doc.get("event")
    event_nodes = event_node.elements()
    if len(event_nodes) != len(time_nodes):
        event_node.fail(
            f"must have one element per time ({len(time_nodes)}), not {len(event_nodes)}"
        )
    events = [_event(node) for node in event_nodes]
    conf_type = doc.get("conf_type", DEFAULT_CONF_TYPE).choice(CONF_TYPES)
    conf_level = _conf_level(doc)
    landmarks = [_time(node) for node in doc.get("landmarks", []).elements()]
    fit = kaplan_meier(times, events, conf_type, conf_level)
    return {
        "conf_type": fit.conf_type,
        "conf_level": fit.conf_level,
        "n": fit.n,
        "events": fit.events,
        "median": {
            "time": _number(fit.median),
            "lower": _number(fit.median_lower),
            "upper": _number(fit.median_upper),
        },
        "landmarks": [_landmark_json(landmark(fit, t)) for t in landmarks],
        "table": [_row_json(row) for row in fit.rows],
    }


def derive_orr(doc: Node) -> dict[str, object]:
    """``derive orr``: a response rate with its exact Clopper–Pearson interval."""
    doc.unknown_keys({"responders", "n", "conf_level"})
    n = doc.get("n").integer(minimum=0)
    k_node = doc.get("responders")
    k = k_node.integer(minimum=0)
    if k > n:
        k_node.fail(f"must not be more than n ({n}), not {k}")
    result = clopper_pearson(k, n, _conf_level(doc)).to_json()
    result["method"] = "clopper-pearson"
    return result


# ---------------------------------------------------------------------------- reading
def _time(node: Node) -> float:
    value = float(node.decimal(minimum=Decimal(0)))
    if not math.isfinite(value):
        node.fail("must be a finite number")
    return value


def _event(node: Node) -> int:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int) or value not in (0, 1):
        node.fail(f"must be 1 (event) or 0 (censored), not {_shown(value)}")
    return value


def _shown(value: object) -> str:
    """A JSON value as the document spells it (short)."""
    if value is None or isinstance(value, (bool, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return str(value)


def _conf_level(doc: Node) -> float:
    node = doc.get("conf_level", DEFAULT_CONF_LEVEL)
    value = node.decimal()
    if not Decimal(0) < value < Decimal(1):
        node.fail(f"must be greater than 0 and less than 1, not {value}")
    return float(value)


# ---------------------------------------------------------------------------- writing
def _number(value: float | None) -> int | float | None:
    """A time as written: whole numbers without ``.0``."""
    if value is None:
        return None
    return int(value) if value.is_integer() else value


def _row_json(row: KmRow) -> dict[str, object]:
    return {
        "time": _number(row.time),
        "n_risk": row.n_risk,
        "n_event": row.n_event,
        "n_censor": row.n_censor,
        "survival": row.survival,
        "std_err": row.std_err,
        "lower": row.lower,
        "upper": row.upper,
    }


def _landmark_json(mark: Landmark) -> dict[str, object]:
    return {
        "time": _number(mark.time),
        "survival": mark.survival,
        "lower": mark.lower,
        "upper": mark.upper,
        "n_risk": mark.n_risk,
    }
