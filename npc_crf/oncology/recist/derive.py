"""JSON in and out for ``npc-crf derive recist | recist-overall | bor`` (docs/derivations.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from npc_crf.oncology.jsonin import InputError, Node
from npc_crf.oncology.recist.bor import Best, BorResult, Point, best_overall_response
from npc_crf.oncology.recist.evaluate import Evaluation, TimepointResult, evaluate
from npc_crf.oncology.recist.model import (
    Assessment,
    Baseline,
    Irradiation,
    Lesion,
    Mark,
    Measurement,
    Method,
    NewLesions,
    NewLesionStatus,
    Response,
    ResponseSettings,
    Role,
)
from npc_crf.oncology.recist.timepoint import overall_response
from npc_crf.oncology.settings import SettingError, settings_as_mapping, settings_from_mapping

_METHODS = {
    "ct": Method.CT,
    "mri": Method.MRI,
    "pet-ct": Method.PET_CT,
    "pet_ct": Method.PET_CT,
    "petct": Method.PET_CT,
    "x-ray": Method.XRAY,
    "xray": Method.XRAY,
    "caliper": Method.CALIPER,
    "clinical": Method.CALIPER,
    "ultrasound": Method.US,
    "us": Method.US,
    "other": Method.OTHER,
}
_ROLES = {"target": Role.TARGET, "non_target": Role.NON_TARGET, "non-target": Role.NON_TARGET}
_NON_TARGET = ("CR", "NON-CR/NON-PD", "PD", "NE")
_TARGET = ("CR", "PR", "SD", "PD", "NE")


def read_settings(doc: Node) -> ResponseSettings:
    """``settings`` (optional) with ``criteria`` (optional) over the documented defaults."""
    raw: dict[str, object] = {}
    if doc.has("settings") and not doc.get("settings").is_null:
        raw.update(doc.get("settings").obj())
    if doc.has("criteria"):
        raw["criteria"] = doc.get("criteria").choice(["RECIST1.1", "iRECIST"])
    try:
        return settings_from_mapping(ResponseSettings, raw)
    except SettingError as exc:
        field = (
            "criteria" if exc.key == "criteria" and doc.has("criteria") else f"settings.{exc.key}"
        )
        raise InputError(field, exc.message) from exc


def _number(node: Node) -> Decimal:
    return node.decimal(minimum=Decimal(0))


def _measurement(node: Node, targets: set[str] | None) -> Measurement:
    value = node.value
    if isinstance(value, str):
        return Measurement(mark=Mark(node.choice(["too_small", "not_assessed"])))
    if isinstance(value, dict):
        node.unknown_keys({"fragments_mm", "merged_into"})
        if node.has("fragments_mm") == node.has("merged_into"):
            node.fail('must have exactly one of "fragments_mm" or "merged_into"')
        if node.has("fragments_mm"):
            parts = node.get("fragments_mm").elements()
            if not parts:
                node.get("fragments_mm").fail("must list at least one fragment")
            return Measurement(fragments_mm=tuple(_number(p) for p in parts))
        into = node.get("merged_into")
        other = into.string()
        if targets is not None and other not in targets:
            into.fail(f"{other!r} is not a baseline target lesion")
        return Measurement(merged_into=other)
    if value is None:
        node.fail('must be a number of mm, 0, "too_small", "not_assessed" or an object')
    return Measurement(mm=_number(node))


def _lesion(node: Node) -> Lesion:
    node.unknown_keys(
        {
            "id",
            "role",
            "organ",
            "nodal",
            "method",
            "slice_thickness_mm",
            "diameter_mm",
            "irradiated",
        }
    )
    method_node = node.get("method")
    method = (
        _METHODS.get(str(method_node.value).lower()) if isinstance(method_node.value, str) else None
    )
    if method is None:
        method_node.fail(
            'must be one of "CT", "MRI", "PET-CT", "X-ray", "caliper", "ultrasound", "other"'
        )
    thick = node.get("slice_thickness_mm", None)
    diam = node.get("diameter_mm", None)
    return Lesion(
        id=node.get("id").string(),
        role=_ROLES[node.get("role").choice(list(_ROLES))],
        organ=node.get("organ").string(),
        nodal=node.get("nodal").boolean(),
        method=method,
        slice_thickness_mm=None if thick.is_null else thick.decimal(minimum=Decimal(0)),
        diameter_mm=None if diam.is_null else _number(diam),
        irradiated=_irradiation(node.get("irradiated", None)),
    )


def _irradiation(node: Node) -> Irradiation | None:
    if node.is_null or node.value is False:
        return None
    if node.value is True:
        return Irradiation()
    node.unknown_keys({"date", "dose_gy", "progressed_since"})
    date = node.get("date", None)
    dose = node.get("dose_gy", None)
    progressed = node.get("progressed_since", None)
    return Irradiation(
        date=None if date.is_null else date.string(),
        dose_gy=None if dose.is_null else dose.decimal(minimum=Decimal(0)),
        progressed_since=None if progressed.is_null else progressed.boolean(),
    )


def read_baseline(node: Node) -> Baseline:
    """The ``baseline`` object; lesion ids must be unique."""
    node.unknown_keys({"date", "lesions"})
    lesions: list[Lesion] = []
    for element in node.get("lesions").elements():
        lesion = _lesion(element)
        if any(lesion.id == other.id for other in lesions):
            element.get("id").fail(f"duplicate lesion id {lesion.id!r}")
        lesions.append(lesion)
    return Baseline(node.get("date").date(), tuple(lesions))


def read_assessments(node: Node, baseline: Baseline) -> list[Assessment]:
    """The ``assessments`` array, in strictly increasing date order after the baseline."""
    targets = {lesion.id for lesion in baseline.lesions if lesion.role is Role.TARGET}
    has_nt = any(lesion.role is Role.NON_TARGET for lesion in baseline.lesions)
    result: list[Assessment] = []
    previous = baseline.date
    for element in node.elements():
        element.unknown_keys(
            {
                "date",
                "measurements",
                "non_target",
                "new_lesions",
                "new_lesion_measurements",
                "new_lesions_non_target",
                "non_target_increase",
                "clinical_sign_scan",
                "scanned",
            }
        )
        date_node = element.get("date")
        date = date_node.date()
        if date <= previous:
            date_node.fail(f"must be after {previous} (the baseline and earlier assessments)")
        previous = date
        scanned = element.get("scanned", True).boolean()
        measurements: dict[str, Measurement] = {}
        if element.has("measurements") or scanned:
            for key, m in element.get("measurements", {}).items():
                if key not in targets:
                    raise InputError(m.path, "not a baseline target lesion")
                measurements[key] = _measurement(m, targets - {key})
        nt_node = element.get("non_target", None)
        if nt_node.is_null:
            if has_nt and scanned:
                nt_node.fail(
                    'is required: the baseline has non-target lesions (use "NE" if not evaluated)'
                )
            non_target = None
        else:
            if not has_nt:
                nt_node.fail("must be null: the baseline has no non-target lesions")
            non_target = Response(nt_node.choice(_NON_TARGET))
        new = NewLesions(element.get("new_lesions", "no").choice(["no", "yes", "equivocal"]))
        nlt = {
            k: _measurement(m, None) for k, m in element.get("new_lesion_measurements", {}).items()
        }
        nlnt = {
            k: NewLesionStatus(v.choice(["present", "increased", "absent"]))
            for k, v in element.get("new_lesions_non_target", {}).items()
        }
        if (
            nlt or any(v is not NewLesionStatus.ABSENT for v in nlnt.values())
        ) and new is NewLesions.NO:
            element.get("new_lesions").fail(
                'must be "yes" or "equivocal" when new lesions are listed'
            )
        result.append(
            Assessment(
                date=date,
                measurements=measurements,
                non_target=non_target,
                new_lesions=new,
                new_lesion_measurements=nlt,
                new_lesions_non_target=nlnt,
                non_target_increase=element.get("non_target_increase", False).boolean(),
                clinical_sign_scan=element.get("clinical_sign_scan", False).boolean(),
                scanned=scanned,
            )
        )
    return result


def derive_recist(doc: Node) -> dict[str, object]:
    """``derive recist``: classify, check targets, derive every timepoint and the BOR."""
    doc.unknown_keys({"criteria", "treatment_start", "settings", "baseline", "assessments"})
    settings = read_settings(doc)
    baseline = read_baseline(doc.get("baseline"))
    assessments = read_assessments(doc.get("assessments"), baseline)
    start = doc.get("treatment_start").date()
    return evaluation_json(evaluate(baseline, assessments, start, settings))


def evaluation_json(ev: Evaluation) -> dict[str, object]:
    """An evaluation as the JSON of ``derive recist``."""
    out: dict[str, object] = {
        "criteria": ev.settings.criteria,
        "settings": settings_as_mapping(ev.settings),
        "baseline": {
            "sum_mm": ev.baseline_sum_mm,
            "lesions": [
                {
                    "id": c.lesion_id,
                    "classification": c.classification.value,
                    "reason": c.reason,
                    "organ_group": c.organ_group,
                }
                for c in ev.classes
            ],
            "target_selection_valid": ev.valid_targets,
            "problems": [
                {
                    "severity": p.severity,
                    "lesion": p.lesion_id,
                    "code": p.code,
                    "message": p.message,
                }
                for p in ev.problems
            ],
        },
        "timepoints": [_timepoint_json(t, ev.settings.irecist) for t in ev.timepoints],
        "best_overall_response": bor_json(ev.bor),
    }
    if ev.ibor is not None:
        out["ibor"] = bor_json(ev.ibor)
    return out


def _timepoint_json(t: TimepointResult, irecist: bool) -> dict[str, object]:
    out: dict[str, object] = {
        "date": t.date,
        "sum_mm": t.sum_mm,
        "measured_sum_mm": t.measured_sum_mm,
        "nadir_mm": t.nadir_mm,
        "change_from_baseline_pct": t.change_from_baseline_pct,
        "change_from_nadir_pct": t.change_from_nadir_pct,
        "change_from_nadir_mm": t.change_from_nadir_mm,
        "target": _token(t.target),
        "target_raw": _token(t.target_raw),
        "non_target": _token(t.non_target),
        "new_lesions": t.new_lesions.value,
        "overall": t.overall.value,
        "notes": list(t.notes),
    }
    if irecist:
        out["iresponse"] = _token(t.iresponse)
        out["new_lesion_target_sum_mm"] = t.nlt_sum_mm
        out["iupd_categories"] = list(t.iupd_categories)
    return out


def _token(r: Response | None) -> str | None:
    return None if r is None else r.value


def _best(b: Best) -> dict[str, object]:
    return {"response": b.response.value, "date": b.date}


def bor_json(b: BorResult) -> dict[str, object]:
    """A best-overall-response result as JSON."""
    return {
        "confirmed": _best(b.confirmed),
        "unconfirmed": _best(b.unconfirmed),
        "response_start": b.response_start,
        "confirmation_date": b.confirmation_date,
        "progression_date": b.progression_date,
        "notes": list(b.notes),
    }


def derive_overall(doc: Node) -> dict[str, object]:
    """``derive recist-overall``: tables 1 and 2 of RECIST 1.1."""
    doc.unknown_keys({"target", "non_target", "new_lesions"})
    target_node = doc.get("target", None)
    nt_node = doc.get("non_target", None)
    target = None if target_node.is_null else Response(target_node.choice(_TARGET))
    non_target = None if nt_node.is_null else Response(nt_node.choice(_NON_TARGET))
    if target is None and non_target is None:
        doc.fail('"target" and "non_target" cannot both be null (no disease to assess)')
    new = NewLesions(doc.get("new_lesions").choice(["no", "yes", "equivocal"]))
    return {"overall": overall_response(target, non_target, new).value}


def derive_bor(doc: Node) -> dict[str, object]:
    """``derive bor``: best overall response from timepoint responses."""
    doc.unknown_keys(
        {"criteria", "treatment_start", "assessments", "settings", "measurable_disease"}
    )
    settings = read_settings(doc)
    irecist = settings.irecist
    allowed = (
        ["iCR", "iPR", "iSD", "NON-CR/NON-PD", "iUPD", "iCPD", "NE"]
        if irecist
        else ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"]
    )
    start = doc.get("treatment_start").date()
    points: list[Point] = []
    previous: dt.date | None = None
    for element in doc.get("assessments").elements():
        element.unknown_keys({"date", "response"})
        date_node = element.get("date")
        date = date_node.date()
        if previous is not None and date <= previous:
            date_node.fail(f"must be after {previous} (assessments in date order)")
        previous = date
        points.append(Point(date, Response(element.get("response").choice(allowed))))
    if doc.has("measurable_disease"):
        measurable = doc.get("measurable_disease").boolean()
    else:  # NON-CR/NON-PD occurs without target lesions, PR and SD with them
        tokens = {p.response for p in points}
        measurable = Response.NON_CR_NON_PD not in tokens or bool(
            tokens & {Response.PR, Response.SD, Response.IPR, Response.ISD}
        )
    result = bor_json(
        best_overall_response(points, start, settings, irecist=irecist, measurable=measurable)
    )
    result["criteria"] = settings.criteria
    return result
