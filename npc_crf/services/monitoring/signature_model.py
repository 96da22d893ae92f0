"""What signing returns and what a signed record shows: the signature service's data.

``Manifestation`` is the §11.50 manifestation (printed name, UTC date and time,
meaning) that every view and export of a signed record prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from npc_crf.services.workspace import Workspace


def utc_stamp(ws: Workspace) -> str:
    """Now in UTC with microseconds and ``Z`` (as the audit trail writes times)."""
    return ws.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class SignedForm:
    """One form signed in a signing act."""

    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    revision: int
    signature_uid: str


@dataclass(frozen=True)
class SigningResult:
    """What one signing act did."""

    batch_uid: str
    scope: str
    meaning: str
    signed_at: str
    signed: tuple[SignedForm, ...]
    skipped: tuple[str, ...]  # forms that already carried a valid signature

    def to_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch_uid,
            "scope": self.scope,
            "meaning": self.meaning,
            "signed_at": self.signed_at,
            "signed": [
                {
                    "subject": f.subject_id,
                    "event": f.event_oid,
                    "occurrence": f.occurrence,
                    "form": f.form_oid,
                    "revision": f.revision,
                    "signature": f.signature_uid,
                }
                for f in self.signed
            ],
            "skipped": list(self.skipped),
        }


@dataclass(frozen=True)
class SigningPreview:
    """What a signing act would do, checked before anyone is asked for a password."""

    scope: str
    what: str  # "the casebook of S01-01-0001", "S01-01-0001/CYCLE[2]"
    to_sign: tuple[str, ...]  # the forms it would sign ("S01-01-0001/SCR/IC")
    skipped: tuple[str, ...]  # forms in scope that already carry a valid signature


@dataclass(frozen=True)
class Manifestation:
    """What a signed record shows (§11.50): printed name, UTC date and time, meaning."""

    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    printed_name: str
    username: str
    signed_at: str  # as stored: UTC ISO 8601
    meaning: str  # the study's code
    meaning_en: str
    meaning_zh: str
    scope: str
    batch_uid: str | None
    voided_at: str | None = None
    void_reason: str | None = None

    @property
    def signed_at_utc(self) -> str:
        """``2026-01-05 09:30:12 UTC``."""
        return f"{self.signed_at[:19].replace('T', ' ')} UTC"

    @property
    def text(self) -> str:
        """The line printed with the record."""
        line = (
            f"Electronically signed by {self.printed_name} ({self.username}) on "
            f"{self.signed_at_utc}. Meaning: {self.meaning_en}"
        )
        if self.voided_at:
            line += f" — VOIDED {self.voided_at[:19].replace('T', ' ')} UTC ({self.void_reason})"
        return line

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject_id,
            "event": self.event_oid,
            "occurrence": self.occurrence,
            "form": self.form_oid,
            "printed_name": self.printed_name,
            "username": self.username,
            "signed_at": self.signed_at,
            "signed_at_utc": self.signed_at_utc,
            "meaning": self.meaning,
            "meaning_en": self.meaning_en,
            "meaning_zh": self.meaning_zh,
            "scope": self.scope,
            "batch": self.batch_uid,
            "voided_at": self.voided_at,
            "void_reason": self.void_reason,
            "text": self.text,
        }


@dataclass(frozen=True)
class ToSign:
    """A complete form waiting for an investigator's signature."""

    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    revision: int
    updated_at: str
    updated_by: str
    voided_by: str | None  # the last signature, when it was voided by a change
    voided_at: str | None
    void_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}
