"""RECIST 1.1 and iRECIST tumour response: a Qt-free engine.

``model`` holds the inputs and settings, ``baseline`` classifies lesions and
checks the target choice, ``timepoint`` derives each assessment's responses,
``irecist`` layers the immune criteria over them, ``bor`` derives the best
overall response, and ``derive`` reads and writes the JSON of
``npc-crf derive``. Decisions are documented in ``docs/recist.md``.
"""

from npc_crf.oncology.recist.evaluate import Evaluation, evaluate
from npc_crf.oncology.recist.model import (
    Assessment,
    Baseline,
    Criteria,
    Lesion,
    ResponseSettings,
)

__all__ = [
    "Assessment",
    "Baseline",
    "Criteria",
    "Evaluation",
    "Lesion",
    "ResponseSettings",
    "evaluate",
]
