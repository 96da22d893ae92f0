"""An exact (Clopper–Pearson) confidence interval for a proportion: ORR, DCR.

The interval R ``binom.test`` prints: lower = Beta(α/2; k, n−k+1), upper =
Beta(1−α/2; k+1, n−k), with 0 at k = 0 and 1 at k = n (α = 1 − conf_level). The beta
quantiles come from scipy (the ``center`` extra), imported when called.
"""

from __future__ import annotations

from npc_crf.core.errors import NpcCrfError
from npc_crf.endpoints.model import Proportion


class NumericsUnavailable(NpcCrfError):
    """scipy (the ``center`` extra) is not installed in this build."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} needs scipy, which this installation of npc-crf does not include.",
            hint="Install the coordinating-center extra: pip install 'npc-crf[center]'.",
        )


def clopper_pearson(k: int, n: int, conf_level: float = 0.95) -> Proportion:
    """``k`` of ``n`` with its exact two-sided confidence interval; ``n == 0`` gives
    ``None`` for the estimate and both limits. Raises :class:`ValueError` for counts that
    cannot be (negative, ``k > n``) or a level outside (0, 1)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n: must be a whole number of at least 0, not {n!r}.")
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= n:
        raise ValueError(f"k: must be a whole number from 0 to n ({n}), not {k!r}.")
    if not 0.0 < conf_level < 1.0:
        raise ValueError(f"conf_level: must be greater than 0 and less than 1, not {conf_level}.")
    if n == 0:
        return Proportion(k=0, n=0, estimate=None, lower=None, upper=None, conf_level=conf_level)
    try:
        from scipy.stats import beta
    except ImportError as exc:
        raise NumericsUnavailable("The Clopper–Pearson interval") from exc
    alpha = 1.0 - conf_level
    lower = 0.0 if k == 0 else float(beta.ppf(alpha / 2.0, k, n - k + 1))
    upper = 1.0 if k == n else float(beta.ppf(1.0 - alpha / 2.0, k + 1, n - k))
    return Proportion(k=k, n=n, estimate=k / n, lower=lower, upper=upper, conf_level=conf_level)
