"""Kaplan–Meier and Clopper–Pearson against published R output (tests/data/endpoints).

The reference numbers are R's, copied as printed; each case names the repository, path
and commit it was taken from. A printed number is matched to half a unit of its last
digit (at least 1e-12).
"""

from __future__ import annotations

import json
import math
import time
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import norm

from npc_crf.endpoints.model import KmFit
from npc_crf.endpoints.stats import (
    clopper_pearson,
    kaplan_meier,
    landmark,
    survival_quantile,
)
from npc_crf.endpoints.stats.km import QUANTILE_TOLERANCE, at_risk

DATA = Path(__file__).resolve().parent / "data" / "endpoints"
KM = json.loads((DATA / "km_cases.json").read_text(encoding="utf-8"))
BINOM = json.loads((DATA / "binom_cases.json").read_text(encoding="utf-8"))
MISSING = ("NA", "NaN")


def assert_printed(actual: float | None, printed: str, what: str) -> None:
    """``actual`` rounds to what R printed (``NA``/``NaN``: missing)."""
    if printed in MISSING:
        assert actual is None, f"{what}: R printed {printed}, got {actual}"
        return
    assert actual is not None, f"{what}: R printed {printed}, got None"
    exponent = Decimal(printed).as_tuple().exponent
    assert isinstance(exponent, int)
    # half a unit of the last printed digit; numbers printed to 16 digits get 1e-12
    # (floating-point differences between R's and scipy's beta quantile)
    allowed = max(0.5 * 10.0**exponent * (1 + 1e-9), 1e-12)
    assert abs(actual - float(printed)) <= allowed, f"{what}: R printed {printed}, got {actual}"


def fit_of(case: dict[str, Any], conf_type: str | None = None) -> KmFit:
    return kaplan_meier(
        case["time"], case["event"], conf_type or case["conf_type"], case["conf_level"]
    )


# ------------------------------------------------------------------ R survfit: aml
@pytest.mark.parametrize("case", KM["tables"], ids=[c["name"] for c in KM["tables"]])
def test_the_event_rows_are_r_summary_survfit(case: dict[str, Any]) -> None:
    fit = fit_of(case)
    event_rows = [r for r in fit.rows if r.n_event > 0]
    assert len(event_rows) == len(case["rows"])
    for row, printed in zip(event_rows, case["rows"], strict=True):
        where = f"{case['name']} t={printed[0]}"
        assert (row.time, row.n_risk, row.n_event) == tuple(float(v) for v in printed[:3])
        for value, text, column in zip(
            (row.survival, row.std_err, row.lower, row.upper),
            printed[3:],
            case["columns"][3:],
            strict=True,
        ):
            assert_printed(value, text, f"{where} {column}")


@pytest.mark.parametrize("case", KM["tables"], ids=[c["name"] for c in KM["tables"]])
def test_n_events_and_the_median_are_r_print_survfit(case: dict[str, Any]) -> None:
    fit = fit_of(case)
    assert (fit.n, fit.events) == (case["n"], case["events"])
    for value, text, what in zip(
        (fit.median, fit.median_lower, fit.median_upper),
        case["median"],
        ("median", "LCL", "UCL"),
        strict=True,
    ):
        assert_printed(value, text, f"{case['name']} {what}")


@pytest.mark.parametrize("case", KM["tables"], ids=[c["name"] for c in KM["tables"]])
def test_censored_rows_carry_the_curve_forward(case: dict[str, Any]) -> None:
    fit = fit_of(case)
    times = case["time"]
    assert [r.time for r in fit.rows] == sorted({float(t) for t in times})
    for before, row in pairwise(fit.rows):
        if row.n_event == 0:
            assert (row.survival, row.std_err, row.lower, row.upper) == (
                before.survival,
                before.std_err,
                before.lower,
                before.upper,
            )
        assert row.n_risk == before.n_risk - before.n_event - before.n_censor
    assert sum(r.n_censor for r in fit.rows) == case["event"].count(0)


@pytest.mark.parametrize("case", KM["tables"], ids=[c["name"] for c in KM["tables"]])
def test_the_number_at_risk_is_r_n_risk(case: dict[str, Any]) -> None:
    fit = fit_of(case)
    event_times = [float(r[0]) for r in case["rows"]]
    expected = [int(r[1]) for r in case["rows"]]
    assert at_risk(fit, event_times) == expected
    assert at_risk(case["time"], event_times) == expected


# ------------------------------------------------------------------ R quantile.survfit
def quantile_curves() -> list[tuple[str, list[float], list[int], dict[str, Any]]]:
    data = KM["quantiles"]["data"]
    rows = [
        (t, s, x)
        for t, s, x in zip(data["time"], data["status"], data["x"], strict=True)
        if s is not None  # R drops the NA status
    ]
    out = []
    for curve in KM["quantiles"]["curves"]:
        subset = curve["subset"]
        chosen = [(t, s) for t, s, x in rows if subset == "all" or subset == f"x={x}"]
        out.append((subset, [t for t, _ in chosen], [s for _, s in chosen], curve))
    return out


@pytest.mark.parametrize(
    ("subset", "times", "events", "expected"),
    quantile_curves(),
    ids=[c[0] for c in quantile_curves()],
)
def test_quantiles_are_r_quantile_survfit(
    subset: str, times: list[float], events: list[int], expected: dict[str, Any]
) -> None:
    fit = kaplan_meier(times, events)  # R's default: log limits, 95 %
    for i, level in enumerate(KM["quantiles"]["qq"]):
        num, den = (float(p) for p in level.split("/"))
        prob = 1 - num / den  # R: 1 - qq, in floating point
        got = survival_quantile(fit, prob)
        for name, value in (("quantile", got.time), ("lower", got.lower), ("upper", got.upper)):
            assert value == expected[name][i], f"{subset} qq={level} {name}: {value}"


def test_a_curve_lying_on_one_half_takes_the_midpoint_of_the_flat() -> None:
    # S = 3/4, 1/2, 1/4, 0: the curve is 1/2 from 2 to 3, so the median is 2.5
    assert kaplan_meier([4, 3, 2, 1], [1, 1, 1, 1]).median == 2.5
    # a final flat on 1/2 (follow-up ends at 4): midpoint with the last time,
    # as R's quantile.survfit does for the 9/35 case of quantile.R
    assert kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0]).median == 3.0
    # within R's tolerance: 1/2 computed as (1 - 1/2) after other factors
    fit = kaplan_meier(list(range(1, 101)), [1] * 100)
    assert abs(fit.rows[49].survival - 0.5) < QUANTILE_TOLERANCE
    assert fit.median == 50.5


def test_a_band_that_is_not_monotone_is_read_as_r_approx_reads_it() -> None:
    from npc_crf.endpoints.stats.km import _findq

    # 1 - upper band: 0.4, 0.55, 0.52, 0.7 at times 1..4 (the upper log limit can rise).
    # R approx(…, method="constant", f=1) takes the lowest level at or above 0.5: 0.52
    assert _findq([0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 0.4, 0.55, 0.52, 0.7], 0.5) == 3.0
    # missing band values are skipped, and a band that never reaches the level gives None
    assert _findq([0.0, 1.0, 2.0], [0.0, 0.6, None], 0.5) == 1.0
    assert _findq([0.0, 1.0, 2.0], [0.0, 0.3, None], 0.5) is None


# ------------------------------------------------------------------ transforms
def greenwood(case: dict[str, Any], upto: int) -> tuple[float, float]:
    """S and se(log S) from R's printed n.risk and n.event columns, exactly."""
    surv, var = Fraction(1), Fraction(0)
    for row in case["rows"][: upto + 1]:
        n, d = int(row[1]), int(row[2])
        surv *= Fraction(n - d, n)
        var += Fraction(d, n * (n - d))
    return float(surv), math.sqrt(var)


@pytest.mark.parametrize("conf_level", [0.95, 0.9, 0.8])
def test_log_log_and_plain_limits_follow_their_definitions(conf_level: float) -> None:
    case = KM["tables"][0]  # aml Maintained: S never reaches 0
    z = float(norm.ppf(1 - (1 - conf_level) / 2))
    for kind in ("log-log", "plain", "log"):
        fit = kaplan_meier(case["time"], case["event"], kind, conf_level)
        event_rows = [r for r in fit.rows if r.n_event > 0]
        for i, row in enumerate(event_rows):
            surv, se = greenwood(case, i)
            if kind == "log-log":  # S^exp(±z·se/|log S|) (Kalbfleisch–Prentice)
                a = z * se / abs(math.log(surv))
                expected = (surv ** math.exp(a), surv ** math.exp(-a))
            elif kind == "plain":
                expected = (max(0.0, surv - z * surv * se), min(1.0, surv + z * surv * se))
            else:
                expected = (surv * math.exp(-z * se), min(1.0, surv * math.exp(z * se)))
            assert row.lower == pytest.approx(expected[0], rel=1e-12)
            assert row.upper == pytest.approx(expected[1], rel=1e-12)
            assert row.lower is not None and row.upper is not None
            assert row.lower <= row.survival <= row.upper


def test_limits_are_missing_where_the_transform_is_undefined() -> None:
    # censored before the first event (S = 1), then the last subject dies (S = 0)
    times, events = [1, 2, 3], [0, 1, 1]
    log = kaplan_meier(times, events, "log")
    loglog = kaplan_meier(times, events, "log-log")
    plain = kaplan_meier(times, events, "plain")
    assert (log.rows[0].lower, log.rows[0].upper, log.rows[0].std_err) == (1.0, 1.0, 0.0)
    assert (plain.rows[0].lower, plain.rows[0].upper) == (1.0, 1.0)
    assert (loglog.rows[0].lower, loglog.rows[0].upper) == (None, None)
    for fit in (log, loglog, plain):
        last = fit.rows[-1]
        assert (last.survival, last.std_err, last.lower, last.upper) == (0.0, None, None, None)


# ------------------------------------------------------------------ landmarks
def test_landmarks_read_the_curve_as_r_summary_times() -> None:
    case = KM["tables"][0]  # aml Maintained
    fit = fit_of(case)
    rows = {float(r[0]): r for r in case["rows"]}
    # 30 lies between 23 and 31: S(23) from R's table; at risk at 30 = n.risk of 31
    mark = landmark(fit, 30)
    for value, text in zip(
        (mark.survival, mark.lower, mark.upper), (rows[23.0][3], *rows[23.0][5:]), strict=True
    ):
        assert_printed(value, text, "S(30)")
    assert mark.n_risk == int(rows[31.0][1])
    # at an event time: that row
    at_nine = landmark(fit, 9)
    assert_printed(at_nine.survival, rows[9.0][3], "S(9)")
    assert at_nine.n_risk == 11
    # before the first time: 1 with limits 1, everyone at risk (R survfit0)
    for t in (0, 5):
        start = landmark(fit, t)
        assert (start.survival, start.lower, start.upper, start.n_risk) == (1.0, 1.0, 1.0, 11)
    # the last time (a censoring at 161) is still on the curve; beyond it nothing is
    last = landmark(fit, 161)
    assert_printed(last.survival, rows[48.0][3], "S(161)")
    assert last.n_risk == 1
    beyond = landmark(fit, 161.5)
    assert (beyond.survival, beyond.lower, beyond.upper, beyond.n_risk) == (None, None, None, 0)


def test_a_landmark_before_the_first_time_is_one_under_every_transform() -> None:
    for kind in ("log", "log-log", "plain"):
        mark = landmark(kaplan_meier([3, 4], [1, 0], kind), 2)
        assert (mark.survival, mark.lower, mark.upper, mark.n_risk) == (1.0, 1.0, 1.0, 2)


def test_at_risk_counts_follow_up_at_least_that_long() -> None:
    times, events = [2, 2, 5, 7, 7, 7], [1, 0, 0, 1, 1, 0]
    fit = kaplan_meier(times, events)
    grid = [0, 1, 2, 3, 5, 6, 7, 8]
    expected = [6, 6, 6, 4, 4, 3, 3, 0]
    assert at_risk(fit, grid) == expected
    assert at_risk(times, grid) == expected
    assert at_risk(kaplan_meier([], []), [0, 1]) == [0, 0]


# ------------------------------------------------------------------ edges and errors
def test_ties_put_censorings_at_risk_at_the_event_time() -> None:
    fit = kaplan_meier([5, 5, 5, 9], [1, 0, 1, 1])
    first = fit.rows[0]
    assert (first.time, first.n_risk, first.n_event, first.n_censor) == (5.0, 4, 2, 1)
    assert first.survival == 0.5
    assert (fit.rows[1].n_risk, fit.rows[1].survival) == (1, 0.0)


def test_degenerate_data() -> None:
    empty = kaplan_meier([], [])
    assert (empty.rows, empty.n, empty.events, empty.median) == ((), 0, 0, None)
    assert landmark(empty, 3).survival is None
    censored = kaplan_meier([4, 8], [0, 0])
    assert [r.survival for r in censored.rows] == [1.0, 1.0]
    assert (censored.median, censored.median_lower, censored.median_upper) == (None, None, None)
    one = kaplan_meier([7], [True])
    assert (one.rows[0].survival, one.rows[0].std_err, one.median) == (0.0, None, 7.0)


@pytest.mark.parametrize(
    ("times", "events", "kwargs", "message"),
    [
        ([1, -2], [1, 0], {}, "times[1]: must be a finite number of at least 0, not -2."),
        ([1, math.nan], [1, 0], {}, "times[1]: must be a finite number of at least 0"),
        ([1, math.inf], [1, 0], {}, "times[1]: must be a finite number of at least 0"),
        ([1, 2], [1, 2], {}, "events[1]: must be 1 (event) or 0 (censored), not 2."),
        ([1, 2], [1], {}, "events: there must be one per time (2 times), not 1."),
        ([1], [1], {"conf_type": "loglog"}, "conf_type: must be one of log, log-log, plain"),
        ([1], [1], {"conf_level": 1.0}, "conf_level: must be greater than 0 and less than 1"),
        ([1], [1], {"conf_level": 0.0}, "conf_level: must be greater than 0 and less than 1"),
    ],
    ids=["negative", "nan", "inf", "event 2", "lengths", "conf_type", "level 1", "level 0"],
)
def test_bad_input_is_refused_with_where(
    times: list[float], events: list[int], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        kaplan_meier(times, events, **kwargs)
    assert str(raised.value).startswith(message)


def test_ten_thousand_subjects_are_quick() -> None:
    n = 10_000
    times = [float((i * 7919) % 3650) for i in range(n)]  # deterministic, many ties
    events = [1 if (i * 31) % 5 else 0 for i in range(n)]
    started = time.perf_counter()
    fit = kaplan_meier(times, events, "log-log")
    landmarks = [landmark(fit, t) for t in range(0, 3650, 30)]
    counts = at_risk(fit, range(0, 3650, 30))
    elapsed = time.perf_counter() - started
    assert len(fit.rows) == len(set(times))
    assert fit.events == sum(events)
    assert [m.n_risk for m in landmarks] == counts
    assert elapsed < 5.0, f"{elapsed:.2f} s for {n} subjects"


# ------------------------------------------------------------------ Clopper–Pearson
@pytest.mark.parametrize(
    "case",
    BINOM["cases"],
    ids=[f"{c['k']}of{c['n']}@{c['conf_level']}" for c in BINOM["cases"]],
)
def test_clopper_pearson_is_the_published_interval(case: dict[str, Any]) -> None:
    k, n, level = case["k"], case["n"], case["conf_level"]
    got = clopper_pearson(k, n, level)
    assert (got.k, got.n, got.conf_level) == (k, n, level)
    assert got.estimate == k / n
    assert_printed(got.lower, case["lower"], f"{k}/{n} lower")
    assert_printed(got.upper, case["upper"], f"{k}/{n} upper")
    if "closed_form" in case["source"]:  # the stored number is the formula's, not invented
        half = (1 - level) / 2
        if k == 0:
            assert float(case["upper"]) == pytest.approx(1 - half ** (1 / n), rel=1e-15)
        if k == n:
            assert float(case["lower"]) == pytest.approx(half ** (1 / n), rel=1e-15)


def test_clopper_pearson_edges_and_errors() -> None:
    none = clopper_pearson(0, 0)
    assert (none.estimate, none.lower, none.upper) == (None, None, None)
    assert none.to_json() == {
        "responders": 0,
        "n": 0,
        "proportion": None,
        "lower": None,
        "upper": None,
        "conf_level": 0.95,
    }
    wider = clopper_pearson(7, 20, 0.99)
    narrower = clopper_pearson(7, 20, 0.9)
    assert wider.lower is not None and narrower.lower is not None
    assert wider.upper is not None and narrower.upper is not None
    assert wider.lower < narrower.lower < 0.35 < narrower.upper < wider.upper
    for k, n, level in ((3, 2, 0.95), (-1, 5, 0.95), (1, -1, 0.95), (1, 5, 1.0), (True, 5, 0.95)):
        with pytest.raises(ValueError):
            clopper_pearson(k, n, level)
