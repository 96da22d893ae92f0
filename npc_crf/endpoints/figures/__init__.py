"""The figures of the endpoints (matplotlib, the ``center`` extra): waterfall, spider
and swimmer plots, Kaplan–Meier curves with the number at risk.

Each function takes the shapes of :mod:`npc_crf.endpoints.model` and returns a
:class:`matplotlib.figure.Figure` (no pyplot, so any thread may draw), labelled in
English or Chinese (``lang``); :func:`png_bytes` turns one into PNG bytes.

The names below are loaded on first use, so importing this package (or its
:mod:`~npc_crf.endpoints.figures.words`, which the reports share) does not load
matplotlib: a ward PC without the ``center`` extra can still print the other
reports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from npc_crf.endpoints.figures.km import km_plot as km_plot
    from npc_crf.endpoints.figures.response import spider as spider
    from npc_crf.endpoints.figures.response import waterfall as waterfall
    from npc_crf.endpoints.figures.response import with_target_changes as with_target_changes
    from npc_crf.endpoints.figures.style import png_bytes as png_bytes
    from npc_crf.endpoints.figures.swimmer_plot import swimmer as swimmer
    from npc_crf.endpoints.figures.swimmer_plot import with_start as with_start

_WHERE = {
    "km_plot": "km",
    "spider": "response",
    "waterfall": "response",
    "with_target_changes": "response",
    "png_bytes": "style",
    "swimmer": "swimmer_plot",
    "with_start": "swimmer_plot",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
