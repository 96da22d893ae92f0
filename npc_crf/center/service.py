"""The coordinating center: what the CLI, ``center serve`` and a future GUI call.

A center is a folder (docs/center.md)::

    DIR/center-keys.json   key file (npc-crf/center-keys v1): keys and the wrapped DB key
    DIR/center.db          SQLCipher store (absent when the store is PostgreSQL)
    DIR/definitions/       published study definitions, as loaded (no clinical data)

:meth:`Center.init` makes one; :meth:`Center.open` unlocks it with the center
password. Every change is one transaction that also appends to the center's
hash-chained audit trail.
"""

from __future__ import annotations

import getpass
import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, inspect, select
from sqlalchemy.exc import DBAPIError

from npc_crf.center import conflicts as conflict_store
from npc_crf.center import schema as t
from npc_crf.center import trail as center_trail
from npc_crf.center.dataset import dataset as read_dataset
from npc_crf.center.definitions import (
    Definitions,
    definition_sha256,
    load_definitions,
    load_folder,
    read_folder,
    write_folder,
)
from npc_crf.center.engine import check_db_url, describe, open_store, serialize
from npc_crf.center.importer import Importer, ImportReport
from npc_crf.center.keys import FILE_NAME, CenterKeyFile, CenterSecrets, StoreLocation
from npc_crf.center.queries import count_open, raise_center_query
from npc_crf.center.returns import ReturnBundle, make_return
from npc_crf.center.trail import CenterTrail, utc_now
from npc_crf.core.errors import StoreError, UsageError
from npc_crf.forms.session import ItemPath
from npc_crf.services.studies import find_study
from npc_crf.store.engine import READ_ONLY
from npc_crf.store.keyfile import KdfCost
from npc_crf.sync.fingerprint import check_typed_fingerprint
from npc_crf.sync.identity import IdentityCard

DB_FILE = "center.db"
ROLES = ("CRC", "INV", "MON")

Progress = Callable[[int, int, ImportReport | None], None]


@dataclass(frozen=True)
class Registration:
    """The outcome of registering an installation."""

    installation_id: str
    site_id: str
    number: int
    fingerprint: str
    already: bool


class Center:
    """An open coordinating center (keys unlocked, store connected)."""

    def __init__(
        self,
        folder: Path,
        keys: CenterKeyFile,
        secrets: CenterSecrets,
        engine: Engine,
        by: str,
        forms_dir: Path | None,
    ) -> None:
        self.folder = folder
        self.keys = keys
        self.secrets = secrets
        self.engine = engine
        self.by = by
        self.forms_dir = forms_dir
        self.center_id = keys.center_id
        self.study_oid = keys.study_oid
        self.definitions = self._load_definitions()

    # -- making and opening ----------------------------------------------------------------

    @classmethod
    def init(
        cls,
        folder: Path,
        *,
        study_oid: str,
        password: str,
        by: str,
        center_id: str | None = None,
        db_url: str | None = None,
        forms_dir: Path | None = None,
        cost: KdfCost | None = None,
    ) -> Center:
        """Make a new center in ``folder`` (which holds none) and open it."""
        folder = Path(folder)
        keyfile = folder / FILE_NAME
        if keyfile.exists():
            raise UsageError(f"{folder} already holds a center ({FILE_NAME} exists).")
        study = find_study(study_oid, forms_dir)
        center_id = center_id or str(uuid.uuid4())
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", center_id):
            raise UsageError("--center-id must be 1–64 letters, digits, '.', '_' or '-'.")
        if len(password) < 10:
            raise UsageError("The center password must have at least 10 characters.")
        if db_url is not None:
            location = StoreLocation("postgresql", url=check_db_url(db_url))
        else:
            location = StoreLocation("sqlite", file=DB_FILE)
            if (folder / DB_FILE).exists():
                raise UsageError(
                    f"{folder / DB_FILE} exists without a key file; move it away first."
                )
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        secrets = CenterSecrets.generate()
        keys = CenterKeyFile.create(
            center_id=center_id,
            study_oid=study.oid,
            password=password,
            secrets=secrets,
            store=location,
            cost=cost or KdfCost(),
        )
        engine = open_store(folder, location, secrets.db_key)
        try:
            _create_schema(engine, keys, by, location)
            keys.save(keyfile)
        except BaseException:
            engine.dispose()
            if location.kind == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    with suppress(OSError):
                        (folder / f"{DB_FILE}{suffix}").unlink()
            raise
        return cls(folder, keys, secrets, engine, by, forms_dir)

    @classmethod
    def open(cls, folder: Path, password: str, *, by: str, forms_dir: Path | None = None) -> Center:
        """Unlock the center in ``folder`` with its password."""
        folder = Path(folder)
        keys = CenterKeyFile.load(folder / FILE_NAME)
        secrets = keys.unlock(password)
        if keys.store.kind == "sqlite" and not (folder / str(keys.store.file)).exists():
            raise StoreError(
                f"The center database {folder / str(keys.store.file)} is missing.",
                "Restore it from the center's backup.",
            )
        engine = open_store(folder, keys.store, secrets.db_key)
        try:
            with engine.connect() as conn:
                center_id, study_oid = t.check_version(conn, keys.store.label)
            if (center_id, study_oid) != (keys.center_id, keys.study_oid):
                raise StoreError(
                    f"The store {keys.store.label} belongs to center {center_id} ({study_oid}), "
                    f"not to the key file's {keys.center_id} ({keys.study_oid})."
                )
            return cls(folder, keys, secrets, engine, by, forms_dir)
        except BaseException:
            engine.dispose()
            raise

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Center:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading."""
        try:
            with self.engine.connect() as conn:
                yield conn.execution_options(**{READ_ONLY: True})
        except DBAPIError as exc:
            raise describe(exc, self.keys.store) from None

    @contextmanager
    def write(self, by: str | None = None) -> Iterator[tuple[Connection, CenterTrail]]:
        """One transaction with the write turn taken and the center's trail to append to."""
        try:
            with self.engine.begin() as conn:
                serialize(conn)
                trail = CenterTrail(conn, self.center_id, by or self.by)
                yield conn, trail
                trail.flush()
        except DBAPIError as exc:
            raise describe(exc, self.keys.store) from None

    def _load_definitions(self) -> Definitions:
        with self.read() as conn:
            rows = conn.execute(select(t.definition).order_by(t.definition.c.published_at)).all()
        return load_definitions(
            self.folder,
            self.study_oid,
            [(r.version, json.loads(r.files)) for r in rows],
            self.forms_dir,
        )

    # -- identity and registration ----------------------------------------------------------

    def identity_card(self) -> IdentityCard:
        """The center's public keys as an identity card (for the sites' ``sync trust-center``)."""
        return IdentityCard(
            kind="center",
            study_oid=self.study_oid,
            ed25519=self.keys.ed25519,
            x25519=self.keys.x25519,
            created_at=self.keys.created_at,
            center_id=self.center_id,
        )

    def register_installation(
        self, card: IdentityCard, typed_fingerprint: str, by: str | None = None
    ) -> Registration:
        """Register an installation from its card and the fingerprint read over the phone.

        Refused: a center card, another study, a fingerprint that does not match, an
        installation ID registered with other keys, a number another installation of
        the site already has.
        """
        try:
            return self._register(card, typed_fingerprint, by)
        except UsageError as exc:
            with self.write(by) as (_conn, trail):
                trail.append(
                    "registration_refused",
                    reason=exc.message,
                    detail={
                        "installation": card.installation_id,
                        "site": card.site_id,
                        "number": card.installation_number,
                        "fingerprint": card.fingerprint,
                    },
                    source="center register-site",
                )
            raise

    def _register(self, card: IdentityCard, typed_fingerprint: str, by: str | None) -> Registration:
        if card.kind != "installation" or card.installation_id is None or card.site_id is None:
            raise UsageError("That is the identity card of a center, not of an installation.")
        if card.study_oid != self.study_oid:
            raise UsageError(
                f"The card is of an installation of study {card.study_oid}; this center's study "
                f"is {self.study_oid}."
            )
        check_typed_fingerprint(card.fingerprint, typed_fingerprint, card.label)
        assert card.installation_number is not None
        now = utc_now()
        with self.write(by) as (conn, trail):
            same = conn.execute(
                select(t.installation).where(
                    t.installation.c.installation_id == card.installation_id
                )
            ).first()
            if same is not None:
                if (bytes(same.ed25519), bytes(same.x25519), same.site_id, same.number) == (
                    card.ed25519, card.x25519, card.site_id, card.installation_number
                ):  # fmt: skip
                    return Registration(card.installation_id, card.site_id,
                                        card.installation_number, card.fingerprint, True)  # fmt: skip
                raise UsageError(
                    f"Installation {card.installation_id} is already registered (site "
                    f"{same.site_id}, number {same.number}) with other keys or another number.",
                    "An installation's keys never change; a new PC is a new installation.",
                )
            taken = conn.execute(
                select(t.installation.c.installation_id).where(
                    t.installation.c.site_id == card.site_id,
                    t.installation.c.number == card.installation_number,
                )
            ).scalar()
            if taken is not None:
                raise UsageError(
                    f"Site {card.site_id} already has an installation number "
                    f"{card.installation_number} ({taken}); two installations of one site must "
                    "have different numbers, or their subject IDs would collide.",
                    "Set the new installation up again with another --installation-number.",
                )
            conn.execute(
                insert(t.installation).values(
                    installation_id=card.installation_id,
                    site_id=card.site_id,
                    number=card.installation_number,
                    ed25519=card.ed25519,
                    x25519=card.x25519,
                    fingerprint=card.fingerprint,
                    card=json.dumps(card.to_json(), sort_keys=True, ensure_ascii=False),
                    registered_at=now,
                    registered_by=by or self.by,
                    last_sequence=0,
                    audit_seq=0,
                    audit_hash="0" * 64,
                    return_sequence=0,
                )
            )
            trail.append(
                "installation_registered",
                detail={
                    "installation": card.installation_id,
                    "site": card.site_id,
                    "number": card.installation_number,
                    "fingerprint": card.fingerprint,
                },
                source="center register-site",
            )
        return Registration(
            card.installation_id, card.site_id, card.installation_number, card.fingerprint, False
        )

    def installations(self) -> list[dict[str, Any]]:
        """Every registered installation (no keys), by site and number."""
        with self.read() as conn:
            rows = conn.execute(
                select(t.installation).order_by(t.installation.c.site_id, t.installation.c.number)
            ).mappings()
            return [
                {k: r[k] for k in ("installation_id", "site_id", "number", "fingerprint",
                                   "registered_at", "registered_by", "revoked_at", "last_sequence",
                                   "return_sequence")}
                for r in rows
            ]  # fmt: skip

    # -- bundles -----------------------------------------------------------------------------

    def import_bundle(self, data: bytes, name: str, by: str | None = None) -> ImportReport:
        """Import one site bundle (bytes of the file ``name``); refusals are reported, not raised."""
        return Importer(self, by or self.by).run(data, name)

    def import_files(
        self,
        paths: Sequence[Path],
        progress: Progress | None = None,
        cancel: Callable[[], bool] | None = None,
        by: str | None = None,
    ) -> list[ImportReport]:
        """Import bundle files in the order given; ``progress(done, total, report)`` after each,
        and stop before the next file when ``cancel()`` says so."""
        reports: list[ImportReport] = []
        if progress is not None:
            progress(0, len(paths), None)
        for n, path in enumerate(paths, start=1):
            if cancel is not None and cancel():
                break
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                raise UsageError(f"{path}: cannot read the bundle ({exc.strerror}).") from None
            report = self.import_bundle(data, Path(path).name, by)
            reports.append(report)
            if progress is not None:
                progress(n, len(paths), report)
        return reports

    def make_return(self, installation_id: str, by: str | None = None) -> tuple[bytes, str]:
        """The next return bundle for an installation: (bytes, file name); recorded and audited."""
        bundle = self._make_return(installation_id, by)
        return bundle.data, bundle.name

    def _make_return(self, installation_id: str, by: str | None) -> ReturnBundle:
        with self.write(by) as (conn, trail):
            row = (
                conn.execute(
                    select(t.installation).where(
                        t.installation.c.installation_id == installation_id
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                raise UsageError(f"There is no registered installation {installation_id}.")
            if row["revoked_at"] is not None:
                raise UsageError(f"Installation {installation_id} was revoked; it gets no returns.")
            bundle = make_return(
                conn,
                center_id=self.center_id,
                study=self.definitions.current,
                installation=row,
                signing_key=self.secrets.signing_key,
                now=utc_now(),
                by=by or self.by,
            )
            trail.append(
                "return_made",
                detail={
                    "installation": installation_id,
                    "site": row["site_id"],
                    "number": row["number"],
                    "bundle": bundle.manifest["bundle_uuid"],
                    "sequence": bundle.manifest["sequence"],
                    "file": bundle.name,
                    "counts": {k: v for k, v in bundle.manifest["counts"].items() if v},
                },
                source="center return",
            )
        return bundle

    # -- queries, conflicts, definitions ------------------------------------------------------

    def raise_query(
        self,
        subject_id: str,
        text: str,
        *,
        event_oid: str | None = None,
        occurrence: int | None = None,
        form_oid: str | None = None,
        item_path: str | None = None,
        assign: str = "CRC",
        by: str | None = None,
    ) -> str:
        """Raise a query at the center (origin ``center``, kind ``manual``); its uid."""
        if not text.strip():
            raise UsageError("A query needs a text.")
        if assign not in ROLES:
            raise UsageError(f"A query is assigned to {', '.join(ROLES)}, not {assign!r}.")
        target = self._query_target(subject_id, event_oid, occurrence, form_oid, item_path)
        now = utc_now()
        with self.write(by) as (conn, trail):
            site_id = conn.execute(
                select(t.subject.c.site_id).where(t.subject.c.subject_id == subject_id)
            ).scalar()
            if site_id is None:
                raise UsageError(f"There is no subject {subject_id} at the center.")
            if target.get("item_path") and "[" in str(target["item_path"]):
                target["row_uid"] = self._row_uid(conn, target)
            uid = raise_center_query(
                conn, site_id=site_id, target=target, text=text, by=by or self.by, at=now,
                assigned_role=assign,
            )  # fmt: skip
            trail.append(
                "query_raised",
                subject_id=subject_id,
                event_oid=target.get("event_oid"),
                occurrence=target.get("occurrence"),
                form_oid=target.get("form_oid"),
                item_path=target.get("item_path"),
                row_uid=target.get("row_uid"),
                detail={"query": uid, "assigned": assign, "value": text},
                source="center query",
            )
        return uid

    def _query_target(
        self,
        subject_id: str,
        event_oid: str | None,
        occurrence: int | None,
        form_oid: str | None,
        item_path: str | None,
    ) -> dict[str, Any]:
        study = self.definitions.current
        where = subject_id
        if event_oid is None:
            if form_oid or item_path or occurrence:
                raise UsageError("A query about a form or an item names its event (--event).")
            return {"subject_id": subject_id}
        if self.definitions.event(event_oid) is None:
            raise UsageError(f"There is no event {event_oid!r} in {study.oid}.")
        occurrence = occurrence or 1
        where += f"/{event_oid}[{occurrence}]"
        if form_oid is None:
            if item_path:
                raise UsageError("A query about an item names its form (--form).")
            return {"subject_id": subject_id, "event_oid": event_oid, "occurrence": occurrence}
        event = self.definitions.event(event_oid)
        if event is None or form_oid not in event.forms:
            raise UsageError(f"Event {event_oid} has no form {form_oid!r}.")
        target: dict[str, Any] = {
            "subject_id": subject_id, "event_oid": event_oid, "occurrence": occurrence,
            "form_oid": form_oid,
        }  # fmt: skip
        if item_path is not None:
            try:
                path = ItemPath.parse(item_path)
            except ValueError as exc:
                raise UsageError(f"{where}/{form_oid}: {exc}.") from None
            form = self.definitions.form(form_oid)
            item = form.item(path.item) if form else None
            if item is None or item.is_group:
                raise UsageError(
                    f"Form {form_oid} has no item {path.item!r} (name a cell, not a group)."
                )
            group = form.group_of(path.item) if form else None
            if (group is None) != (path.group is None) or (group and group.oid != path.group):
                shown = f"{group.oid}[n].{path.item}" if group else path.item
                raise UsageError(
                    f"{where}/{form_oid}: the item's path is {shown}, not {item_path}."
                )
            target["item_path"] = str(path)
        return target

    def _row_uid(self, conn: Connection, target: dict[str, Any]) -> str:
        path = ItemPath.parse(str(target["item_path"]))
        form_uid = conn.execute(
            select(t.form.c.uid)
            .join(t.event, t.event.c.uid == t.form.c.event_uid)
            .where(
                t.event.c.subject_id == target["subject_id"],
                t.event.c.event_oid == target["event_oid"],
                t.event.c.occurrence == target["occurrence"],
                t.form.c.form_oid == target["form_oid"],
            )
        ).scalar()
        rows = []
        if form_uid is not None:
            rows = sorted(
                (r.position, r.uid)
                for r in conn.execute(
                    select(t.group_row).where(
                        t.group_row.c.form_uid == form_uid, t.group_row.c.group_oid == path.group
                    )
                )
                if not r.deleted
            )
        if path.row is None or not 1 <= path.row <= len(rows):
            raise UsageError(
                f"{target['subject_id']}/{target['event_oid']}[{target['occurrence']}]/"
                f"{target['form_oid']}: there is no row {path.row} of {path.group} at the center."
            )
        return str(rows[path.row - 1][1])

    def conflicts(self, site_id: str | None = None) -> list[dict[str, Any]]:
        """Every value conflict with its query's status."""
        with self.read() as conn:
            return conflict_store.list_conflicts(conn, site_id)

    def publish_definition(self, folder: Path, by: str | None = None) -> dict[str, Any]:
        """Publish a new version of the study definition (sent in every later return bundle)."""
        files = read_folder(Path(folder))
        study = load_folder(Path(folder), self.study_oid)
        sha = definition_sha256(study)
        now = utc_now()
        with self.write(by) as (conn, trail):
            same = conn.execute(
                select(t.definition).where(t.definition.c.version == study.version)
            ).first()
            if same is not None:
                if json.loads(same.files) == files:
                    return {"version": study.version, "definition_sha256": sha, "already": True}
                raise UsageError(
                    f"Version {study.version} of {self.study_oid} was already published with "
                    "other content; give the new definition a new version."
                )
            if any(
                sha == d for d in conn.execute(select(t.definition.c.definition_sha256)).scalars()
            ):
                raise UsageError("This definition was already published under another version.")
            conn.execute(
                insert(t.definition).values(
                    version=study.version,
                    study_oid=self.study_oid,
                    definition_sha256=sha,
                    files=json.dumps(files, sort_keys=True, ensure_ascii=False),
                    published_at=now,
                    published_by=by or self.by,
                )
            )
            trail.append(
                "definition_published",
                detail={"version": study.version, "definition_sha256": sha, "files": len(files)},
                source="center publish-definition",
            )
            write_folder(self.folder / "definitions" / self.study_oid / study.version, files)
        self.definitions = self._load_definitions()
        return {"version": study.version, "definition_sha256": sha, "already": False}

    # -- reading -----------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """The center, each installation's stream (held bundles, gaps), totals, trail check."""
        with self.read() as conn:
            installations = []
            for r in conn.execute(
                select(t.installation).order_by(t.installation.c.site_id, t.installation.c.number)
            ).mappings():
                inbound = conn.execute(
                    select(t.inbound.c.sequence, t.inbound.c.status, t.inbound.c.applied_at)
                    .where(t.inbound.c.installation_id == r["installation_id"])
                    .order_by(t.inbound.c.sequence)
                ).all()
                held = [b.sequence for b in inbound if b.status == "held"]
                top = max(held, default=r["last_sequence"])
                missing = [n for n in range(r["last_sequence"] + 1, top) if n not in held]
                applied = [b.applied_at for b in inbound if b.applied_at]
                installations.append({
                    "installation_id": r["installation_id"],
                    "site_id": r["site_id"],
                    "number": r["number"],
                    "fingerprint": r["fingerprint"],
                    "last_sequence": r["last_sequence"],
                    "last_import_at": max(applied, default=None),
                    "held": held,
                    "missing": missing,
                    "audit_head": r["audit_seq"],
                    "returns": r["return_sequence"],
                    "revoked_at": r["revoked_at"],
                })  # fmt: skip
            totals = {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in (("subjects", t.subject), ("forms", t.form),
                                    ("values", t.item_value), ("conflicts", t.conflict),
                                    ("queries", t.query))
            }  # fmt: skip
            totals["open_queries"] = count_open(conn)
            chain = center_trail.verify(conn)
        newest = self.definitions.current
        return {
            "center_id": self.center_id,
            "study_oid": self.study_oid,
            "study_version": newest.version,
            "definition_sha256": definition_sha256(newest),
            "fingerprint": self.keys.fingerprint,
            "store": self.keys.store.label,
            "installations": installations,
            "totals": totals,
            "audit": {"entries": chain.entries, "ok": chain.ok, "problem": chain.problem},
        }

    def dataset(self, site_id: str | None = None) -> dict[str, Any]:
        """The center's data (one site or all) in the §3 payload shape, for the exporters."""
        with self.read() as conn:
            return read_dataset(conn, site_id)

    def audit_entries(self) -> list[dict[str, Any]]:
        """The center's own trail, oldest first."""
        with self.read() as conn:
            return list(center_trail.entries(conn))


def _create_schema(engine: Engine, keys: CenterKeyFile, by: str, location: StoreLocation) -> None:
    """Create the tables and the center_meta row (refused when the store holds a center)."""
    with engine.begin() as conn:
        if inspect(conn).has_table(t.center_meta.name):
            raise UsageError(
                f"The store {location.label} already holds an npc-crf center; use an empty database."
            )
        t.metadata.create_all(conn)
        conn.execute(
            insert(t.center_meta).values(
                id=1,
                schema_version=t.SCHEMA_VERSION,
                center_id=keys.center_id,
                study_oid=keys.study_oid,
                created_at=keys.created_at,
            )
        )
        trail = CenterTrail(conn, keys.center_id, by)
        trail.append(
            "center_created",
            detail={
                "center": keys.center_id,
                "study": keys.study_oid,
                "fingerprint": keys.fingerprint,
                "store": location.kind,
            },
            source="center init",
        )
        trail.flush()


def default_user() -> str:
    """Who acts, when not told: the operating system's user name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in some service contexts
        return "center"
