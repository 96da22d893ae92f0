"""Baseline: classify each lesion (RECIST 1.1 §3) and check the choice of targets."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from npc_crf.oncology.recist.model import (
    Baseline,
    Classification,
    Lesion,
    Method,
    ResponseSettings,
    Role,
)

MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
NODE_MEASURABLE_MM = Decimal(15)  # short axis
NODE_PATHOLOGICAL_MM = Decimal(10)
MIN_LD_MM = Decimal(10)  # CT/MRI with slices <= 5 mm, and caliper
MIN_LD_XRAY_MM = Decimal(20)
THIN_SLICE_MM = Decimal(5)

#: words dropped when grouping organs: paired organs count as one organ
_SIDES = {"left", "right", "bilateral", "both", "l", "r"}
_SINGULAR = {
    "lungs": "lung",
    "kidneys": "kidney",
    "adrenals": "adrenal",
    "breasts": "breast",
    "ovaries": "ovary",
    "testes": "testis",
    "parotids": "parotid",
}


@dataclass(frozen=True)
class LesionClass:
    """A lesion's baseline classification and why."""

    lesion_id: str
    classification: Classification
    reason: str
    organ_group: str


@dataclass(frozen=True)
class Problem:
    """Something wrong with the baseline; errors make the target choice invalid."""

    severity: str  # "error" or "warning"
    lesion_id: str | None
    code: str
    message: str


def organ_group(lesion: Lesion) -> str:
    """The organ a lesion counts against: all nodes are one organ, paired organs one organ."""
    text = re.sub(r"[^a-z0-9]+", " ", lesion.organ.lower()).strip()
    if lesion.nodal or "node" in text.split() or "nodes" in text.split():
        return "lymph node"
    words = [_SINGULAR.get(w, w) for w in text.split() if w not in _SIDES]
    if words[-1:] == ["gland"]:
        words = words[:-1]
    return " ".join(words) or text


def min_longest_diameter(lesion: Lesion) -> Decimal | None:
    """The smallest measurable longest diameter by method (None: never measurable)."""
    if lesion.method in (Method.US, Method.OTHER):
        return None
    if lesion.method is Method.XRAY:
        return MIN_LD_XRAY_MM
    if lesion.method is Method.CALIPER:
        return MIN_LD_MM
    thickness = lesion.slice_thickness_mm
    if thickness is not None and thickness > THIN_SLICE_MM:
        return max(MIN_LD_MM, 2 * thickness)
    return MIN_LD_MM


def classify(lesion: Lesion) -> LesionClass:
    """RECIST 1.1 classification of one baseline lesion, with the reason in words."""
    group = organ_group(lesion)
    size = lesion.diameter_mm
    if lesion.nodal:
        if lesion.method in (Method.US, Method.OTHER):
            return LesionClass(
                lesion.id,
                Classification.NON_MEASURABLE,
                f"{lesion.method.value} is not used to measure lesions (nodes: CT or MRI short axis)",
                group,
            )
        if size is None:
            return LesionClass(
                lesion.id, Classification.NON_MEASURABLE, "node without a short axis", group
            )
        if size >= NODE_MEASURABLE_MM:
            return LesionClass(
                lesion.id, Classification.MEASURABLE, f"node short axis {size} mm >= 15 mm", group
            )
        if size >= NODE_PATHOLOGICAL_MM:
            return LesionClass(
                lesion.id,
                Classification.NON_MEASURABLE,
                f"pathological node, short axis {size} mm (10 to <15 mm): non-target only",
                group,
            )
        return LesionClass(
            lesion.id,
            Classification.NORMAL_NODE,
            f"short axis {size} mm < 10 mm: a normal node",
            group,
        )
    if size is None:
        return LesionClass(
            lesion.id, Classification.NON_MEASURABLE, "not measured (non-measurable disease)", group
        )
    minimum = min_longest_diameter(lesion)
    if minimum is None:
        return LesionClass(
            lesion.id,
            Classification.NON_MEASURABLE,
            f"{lesion.method.value} is not used to measure lesions",
            group,
        )
    if size >= minimum:
        return LesionClass(
            lesion.id,
            Classification.MEASURABLE,
            f"longest diameter {size} mm >= {minimum} mm",
            group,
        )
    return LesionClass(
        lesion.id,
        Classification.NON_MEASURABLE,
        f"longest diameter {size} mm < {minimum} mm ({lesion.method.value}"
        + (
            f", slices {lesion.slice_thickness_mm} mm"
            if lesion.slice_thickness_mm is not None
            else ""
        )
        + ")",
        group,
    )


def check_baseline(
    baseline: Baseline, settings: ResponseSettings
) -> tuple[list[LesionClass], list[Problem]]:
    """Every lesion's classification and every problem with the choice of targets."""
    classes = [classify(lesion) for lesion in baseline.lesions]
    problems: list[Problem] = []
    targets = [
        (lesion, c)
        for lesion, c in zip(baseline.lesions, classes, strict=True)
        if lesion.role is Role.TARGET
    ]
    per_organ: dict[str, list[str]] = defaultdict(list)
    for lesion, c in targets:
        per_organ[c.organ_group].append(lesion.id)
        if c.classification is not Classification.MEASURABLE:
            problems.append(
                Problem(
                    "error",
                    lesion.id,
                    "target_not_measurable",
                    f"a target must be measurable: {c.reason}",
                )
            )
        if lesion.method is Method.XRAY and c.classification is Classification.MEASURABLE:
            problems.append(
                Problem(
                    "warning",
                    lesion.id,
                    "xray_target",
                    "an X-ray target is measurable only when surrounded by aerated lung; CT is preferred",
                )
            )
        irr = lesion.irradiated
        if irr is not None:
            rule = settings.irradiated_targets
            if rule == "never":
                problems.append(
                    Problem(
                        "error",
                        lesion.id,
                        "irradiated_target",
                        "the protocol does not allow irradiated lesions as targets",
                    )
                )
            elif rule == "if_progressed" and not irr.progressed_since:
                problems.append(
                    Problem(
                        "error",
                        lesion.id,
                        "irradiated_target",
                        "an irradiated lesion may be a target only if it has progressed since the irradiation",
                    )
                )
    if len(targets) > MAX_TARGETS:
        problems.append(
            Problem(
                "error",
                None,
                "too_many_targets",
                f"{len(targets)} targets: at most {MAX_TARGETS} are allowed",
            )
        )
    for group, ids in per_organ.items():
        if len(ids) > MAX_TARGETS_PER_ORGAN:
            what = (
                "all lymph nodes count as one organ"
                if group == "lymph node"
                else "paired organs count as one organ"
            )
            problems.append(
                Problem(
                    "error",
                    ids[MAX_TARGETS_PER_ORGAN],
                    "too_many_targets_in_organ",
                    f"{len(ids)} targets in {group} ({', '.join(ids)}): at most {MAX_TARGETS_PER_ORGAN} per organ; {what}",
                )
            )
    for lesion, c in zip(baseline.lesions, classes, strict=True):
        if lesion.role is Role.NON_TARGET and c.classification is Classification.NORMAL_NODE:
            problems.append(
                Problem(
                    "warning",
                    lesion.id,
                    "normal_node",
                    f"{c.reason}; it is not recorded as a lesion",
                )
            )
    if not baseline.lesions:
        problems.append(
            Problem(
                "warning", None, "no_disease", "no lesion at baseline: response cannot be assessed"
            )
        )
    return classes, problems
