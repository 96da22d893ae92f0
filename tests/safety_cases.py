"""Shared helpers of the safety tests (``tests/test_safety_*.py``): subjects in memory.

Values are given as the nurse types them (``"yes"``, ``"2026-03-10"``) and converted
by the study's item types, exactly as saved forms are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from npc_crf.forms.loader import load_study
from npc_crf.forms.model import Study
from npc_crf.forms.subject_data import MemorySubject

ROOT = Path(__file__).resolve().parents[1]
SAFETY_STUDY = ROOT / "tests" / "fixtures" / "safety" / "study"


def day(text: str | None) -> dt.date | None:
    """A date from ISO text (None stays None)."""
    return dt.date.fromisoformat(text) if text else None


def subject(events: Mapping[str, Any]) -> MemorySubject:
    """A subject from ``{EVENT: {FORM: {...}}}`` / ``{EVENT: [{FORM: {...}}, ...]}``."""
    return MemorySubject(events)


def ae_subject(*aes: Mapping[str, object], form: str = "AE", **events: Any) -> MemorySubject:
    """A subject whose AEV occurrences hold ``aes`` (one AE form each), with ``events``."""
    return MemorySubject({**events, "AEV": [{form: dict(values)} for values in aes]})


def cycles(*doses: str | None, form: str = "EX") -> list[dict[str, dict[str, object]]]:
    """NPC-SINT-RT cycles: a date per cycle given, None for a cycle whose dose was not given."""
    out: list[dict[str, dict[str, object]]] = []
    for n, given in enumerate(doses, start=1):
        values: dict[str, object] = {"EXCYCLE": n, "EXYN": "yes" if given else "no"}
        if given:
            values["EXSTDAT"] = given
        out.append({form: values})
    return out


def load_safety_study() -> Study:
    """The safety fixture study (CDASH-like OIDs, a partial anchor)."""
    return load_study(SAFETY_STUDY)


def by_oid(studies: Mapping[str, Study], oid: str) -> Study:
    """The bundled study ``oid``."""
    return next(s for s in studies.values() if s.oid == oid)


def ids(cases: Sequence[Mapping[str, Any]]) -> list[str]:
    """Test IDs from the cases' names."""
    return [str(c["name"]) for c in cases]
