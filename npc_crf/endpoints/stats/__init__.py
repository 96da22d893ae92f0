"""Endpoint statistics: Kaplan–Meier (table, median, landmarks, number at risk) as R
``survival`` computes it, and exact Clopper–Pearson intervals for response rates.

``km`` needs only the standard library; ``binomial`` imports scipy (the ``center``
extra) when called. ``jsonio`` is the JSON face for ``npc-crf derive km|orr``.
"""

from __future__ import annotations

from npc_crf.endpoints.stats.binomial import NumericsUnavailable, clopper_pearson
from npc_crf.endpoints.stats.km import (
    CONF_TYPES,
    Quantile,
    at_risk,
    confidence_limits,
    kaplan_meier,
    landmark,
    survival_quantile,
)

__all__ = [
    "CONF_TYPES",
    "NumericsUnavailable",
    "Quantile",
    "at_risk",
    "clopper_pearson",
    "confidence_limits",
    "kaplan_meier",
    "landmark",
    "survival_quantile",
]
