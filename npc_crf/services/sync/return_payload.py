"""The return payload's shape — format ``npc-crf/return-payload`` v1 (docs/bundle-format.md §5).

Check 10 for a return bundle: every problem is a :class:`BundleRefused` of check
``payload`` naming the JSON path, e.g. ``payload.acks[3].status: 'done' is not
one of imported, held, superseded``. Query records are checked afterwards by
the query import's own rules (they need the study and the store).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from npc_crf.core.errors import BundleRefused

FORMAT = "npc-crf/return-payload"
VERSION = 1
ACK_STATUSES = ("imported", "held", "superseded")
MAX_DEFINITION_FILES = 500
MAX_DEFINITION_BYTES = 16 << 20

_HEX64 = re.compile(r"[0-9a-f]{64}")
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Ack:
    """The center's word about one bundle of this installation."""

    bundle_uuid: str
    sequence: int
    status: str  # imported, held, superseded
    at: str
    counts: dict[str, Any]


@dataclass(frozen=True)
class Definition:
    """A study definition signed by the center (not yet verified to load)."""

    study_oid: str
    version: str
    definition_sha256: str
    files: dict[str, str]


@dataclass(frozen=True)
class ReturnPayload:
    """A return payload whose shape is valid."""

    acks: tuple[Ack, ...]
    queries: tuple[Mapping[str, Any], ...]
    definition: Definition | None


def _bad(path: str, problem: str) -> BundleRefused:
    return BundleRefused("payload", f"payload{path}: {problem}")


def _keys(obj: object, path: str, names: set[str]) -> Mapping[str, Any]:
    if not isinstance(obj, dict):
        raise _bad(path, "must be an object")
    if missing := sorted(names - set(obj)):
        raise _bad(path, f"missing {', '.join(missing)}")
    if unknown := sorted(set(obj) - names):
        raise _bad(path, f"unknown {', '.join(unknown)}")
    return obj


def _text(obj: Mapping[str, Any], name: str, path: str) -> str:
    value = obj[name]
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"{path}.{name}", "must be non-empty text")
    return value


def parse_return_payload(doc: Mapping[str, Any]) -> ReturnPayload:
    """Check the payload's shape; the first problem refuses the bundle (check ``payload``)."""
    if doc.get("format") != FORMAT:
        raise _bad(".format", f"{doc.get('format')!r} is not {FORMAT!r}")
    if doc.get("version") != VERSION:
        raise _bad(
            ".version",
            f"return payload version {doc.get('version')!r} is not supported (this npc-crf "
            f"reads version {VERSION})",
        )
    top = _keys(doc, "", {"format", "version", "acks", "queries", "definition"})
    acks = top["acks"]
    if not isinstance(acks, list):
        raise _bad(".acks", "must be a list")
    parsed = tuple(_ack(a, f".acks[{n}]") for n, a in enumerate(acks))
    seen: set[str] = set()
    for n, ack in enumerate(parsed):
        if ack.bundle_uuid in seen:
            raise _bad(f".acks[{n}].bundle_uuid", f"{ack.bundle_uuid} is acknowledged twice")
        seen.add(ack.bundle_uuid)
    queries = top["queries"]
    if not isinstance(queries, list):
        raise _bad(".queries", "must be a list")
    definition = top["definition"]
    return ReturnPayload(
        acks=parsed,
        queries=tuple(queries),
        definition=None if definition is None else _definition(definition, ".definition"),
    )


def _ack(obj: object, path: str) -> Ack:
    ack = _keys(obj, path, {"bundle_uuid", "sequence", "status", "at", "counts"})
    uid = _text(ack, "bundle_uuid", path)
    try:
        if str(uuid.UUID(uid)) != uid:
            raise ValueError
    except ValueError:
        raise _bad(f"{path}.bundle_uuid", f"{uid!r} is not a lower-case UUID") from None
    sequence = ack["sequence"]
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise _bad(f"{path}.sequence", "must be a whole number ≥ 1")
    status = ack["status"]
    if status not in ACK_STATUSES:
        raise _bad(f"{path}.status", f"{status!r} is not one of {', '.join(ACK_STATUSES)}")
    counts = ack["counts"]
    if not isinstance(counts, dict):
        raise _bad(f"{path}.counts", "must be an object")
    return Ack(uid, sequence, status, _text(ack, "at", path), dict(counts))


def _definition(obj: object, path: str) -> Definition:
    d = _keys(obj, path, {"study_oid", "version", "definition_sha256", "files"})
    digest = _text(d, "definition_sha256", path)
    if not _HEX64.fullmatch(digest):
        raise _bad(f"{path}.definition_sha256", "must be 64 lower-case hex digits")
    files = d["files"]
    if not isinstance(files, dict) or not files:
        raise _bad(f"{path}.files", "must be an object of at least one file")
    if len(files) > MAX_DEFINITION_FILES:
        raise _bad(f"{path}.files", f"more than {MAX_DEFINITION_FILES} files")
    total = 0
    for name, content in files.items():
        where = f"{path}.files[{name!r}]"
        if not safe_relative(name):
            raise _bad(
                where, "is not a safe relative path (letters, digits, '.', '_', '-' and '/' only)"
            )
        if not isinstance(content, str):
            raise _bad(where, "must be the file's text")
        total += len(content.encode("utf-8"))
    if total > MAX_DEFINITION_BYTES:
        raise _bad(f"{path}.files", f"more than {MAX_DEFINITION_BYTES} bytes of text")
    return Definition(
        study_oid=_text(d, "study_oid", path),
        version=_text(d, "version", path),
        definition_sha256=digest,
        files={str(k): str(v) for k, v in files.items()},
    )


def safe_relative(name: object) -> bool:
    """A relative POSIX path of plain names: nothing absolute, no ``..``, no backslash."""
    if not isinstance(name, str) or not name or len(name) > 200:
        return False
    parts = PurePosixPath(name).parts
    return (
        not name.startswith("/")
        and "\\" not in name
        and "/".join(parts) == name
        and all(_SAFE_PART.fullmatch(p) and p not in (".", "..") for p in parts)
    )
