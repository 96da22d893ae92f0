"""``npc-crf center``: the coordinating center (docs/center.md).

Every command takes ``--dir`` (the center folder) and reads the center password
from ``NPC_CRF_PASSWORD`` or, with ``--password-stdin``, from standard input —
never from an option. ``--by`` names the person acting (default: the operating
system's user name); it goes into the center's audit trail.

Exit codes: 0 done; 2 usage; 3 wrong center password; 5 store; 8 a bundle was
refused (``center import``: every other bundle of the run is still imported).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from npc_crf.center.http_server import register_serve
from npc_crf.center.importer import ImportReport
from npc_crf.center.service import Center, default_user
from npc_crf.cli import center_export_cmd, endpoints_cmd
from npc_crf.cli.site_args import read_password, reporting_errors
from npc_crf.core.errors import BundleRefused, UsageError
from npc_crf.store.atomic import write_atomic
from npc_crf.store.keyfile import TEST_COST, KdfCost
from npc_crf.sync.identity import IdentityCard

#: bundle files ``center import`` picks from a folder
BUNDLE_SUFFIX = ".npcb"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.allow_abbrev = False  # a mistyped --password must not become --password-stdin
    parser.add_argument("--dir", type=Path, required=True, help="the center folder")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the center password from standard input instead of $NPC_CRF_PASSWORD",
    )
    parser.add_argument("--by", default=None, help="who acts (default: your user name)")
    parser.add_argument(
        "--study-forms", type=Path, help=argparse.SUPPRESS
    )  # other study definitions (tests, development)


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``center init|identity|register-site|sites|import|status|conflicts|return|query|
    publish-definition|export|report|serve``."""
    center = sub.add_parser("center", help="the coordinating center: sites, imports, returns")
    verbs = center.add_subparsers(dest="verb", required=True, metavar="VERB")

    init = verbs.add_parser("init", help="create a center (keys, store) in a new folder")
    _common(init)
    init.add_argument("--study", required=True, metavar="OID", help="the study's OID")
    init.add_argument("--center-id", metavar="ID", help="default: a new UUID")
    init.add_argument(
        "--db-url",
        metavar="URL",
        help="PostgreSQL store (postgresql+psycopg://user@host:port/db, no password in it); "
        "default: an encrypted SQLite file in the folder",
    )
    init.add_argument("--test-kdf", action="store_true", help=argparse.SUPPRESS)
    init.set_defaults(run=reporting_errors(run_init))

    identity = verbs.add_parser("identity", help="write the center's identity card")
    _common(identity)
    identity.add_argument("--out", type=Path, required=True, metavar="CARD.json")
    identity.set_defaults(run=reporting_errors(run_identity))

    reg = verbs.add_parser("register-site", help="register a site installation from its card")
    _common(reg)
    reg.add_argument("--card", type=Path, required=True, metavar="CARD.json")
    reg.add_argument(
        "--fingerprint", required=True, help="the fingerprint the site read out on the phone"
    )
    reg.set_defaults(run=reporting_errors(run_register))

    sites = verbs.add_parser("sites", help="list the registered installations")
    _common(sites)
    _json_flag(sites)
    sites.set_defaults(run=reporting_errors(run_sites))

    imp = verbs.add_parser("import", help="import site bundles (files or folders of .npcb)")
    _common(imp)
    imp.add_argument("bundles", nargs="+", type=Path, metavar="BUNDLE")
    _json_flag(imp)
    imp.set_defaults(run=reporting_errors(run_import))

    status = verbs.add_parser("status", help="installations, gaps, held bundles, totals")
    _common(status)
    _json_flag(status)
    status.set_defaults(run=reporting_errors(run_status))

    conflicts = verbs.add_parser("conflicts", help="values two installations changed")
    _common(conflicts)
    conflicts.add_argument("--site", metavar="SITE_ID")
    _json_flag(conflicts)
    conflicts.set_defaults(run=reporting_errors(run_conflicts))

    ret = verbs.add_parser("return", help="write return bundles (one per installation)")
    _common(ret)
    ret.add_argument("--out", type=Path, required=True, metavar="FOLDER")
    ret.add_argument(
        "--installation",
        action="append",
        metavar="ID",
        help="only this installation (repeat for several; default: every registered one)",
    )
    _json_flag(ret)
    ret.set_defaults(run=reporting_errors(run_return))

    query = verbs.add_parser("query", help="queries of the center")
    qverbs = query.add_subparsers(dest="query_verb", required=True, metavar="{raise}")
    raising = qverbs.add_parser("raise", help="raise a query (sent in the next return bundles)")
    _common(raising)
    raising.add_argument("--subject", required=True, metavar="ID")
    raising.add_argument("--event", metavar="EVENT")
    raising.add_argument("--occurrence", type=int, metavar="N", help="default 1")
    raising.add_argument("--form", metavar="FORM")
    raising.add_argument("--item", metavar="PATH", help="ITEM or GROUP[n].ITEM")
    raising.add_argument("--text", required=True)
    raising.add_argument("--assign", default="CRC", choices=["CRC", "INV", "MON"])
    raising.set_defaults(run=reporting_errors(run_query_raise))

    publish = verbs.add_parser(
        "publish-definition", help="publish a new version of the study definition"
    )
    _common(publish)
    publish.add_argument("--forms", type=Path, required=True, metavar="FOLDER",
                         help="the study folder (study.yaml and its forms)")  # fmt: skip
    publish.set_defaults(run=reporting_errors(run_publish))

    center_export_cmd.register(verbs, _common, reporting_errors)
    endpoints_cmd.add_center_reports(verbs, _common, reporting_errors)
    register_serve(verbs)


def _by(args: argparse.Namespace) -> str:
    by = args.by or default_user()
    if not by.strip():
        raise UsageError("--by must name someone.")
    return str(by)


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[Center]:
    """The center at --dir, unlocked with the password."""
    password = read_password(args, what="center password")
    center = Center.open(args.dir, password, by=_by(args), forms_dir=args.study_forms)
    try:
        yield center
    finally:
        center.close()


def _print_json(doc: Any) -> None:
    print(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True))


# -- the verbs -------------------------------------------------------------------------------


def run_init(args: argparse.Namespace) -> int:
    password = read_password(args, what="center password")
    center = Center.init(
        args.dir,
        study_oid=args.study,
        password=password,
        by=_by(args),
        center_id=args.center_id,
        db_url=args.db_url,
        forms_dir=args.study_forms,
        cost=TEST_COST if args.test_kdf else KdfCost(),
    )
    try:
        print(f"Center {center.center_id} for study {center.study_oid} created in {args.dir}.")
        print(f"Store: {center.keys.store.label}.")
        print(f"Fingerprint: {center.keys.fingerprint}")
        print("Keep the center password and a copy of center-keys.json in a safe place.")
    finally:
        center.close()
    return 0


def run_identity(args: argparse.Namespace) -> int:
    with opened(args) as center:
        card = center.identity_card()
        card.write(args.out)
    print(f"Identity card written to {args.out}.")
    print(f"Fingerprint: {card.fingerprint}")
    print("Read the fingerprint out to each site on the phone when they trust this center.")
    return 0


def run_register(args: argparse.Namespace) -> int:
    card = IdentityCard.read(args.card)
    with opened(args) as center:
        done = center.register_installation(card, args.fingerprint)
    what = "was already registered" if done.already else "is registered"
    print(
        f"Site {done.site_id}, installation {done.number} ({done.installation_id}) {what}. "
        f"Fingerprint: {done.fingerprint}"
    )
    return 0


def run_sites(args: argparse.Namespace) -> int:
    with opened(args) as center:
        rows = center.installations()
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("No installation is registered yet.")
    for r in rows:
        revoked = f", revoked {r['revoked_at']}" if r["revoked_at"] else ""
        print(
            f"{r['site_id']}-{r['number']:02d}  {r['installation_id']}  last bundle "
            f"{r['last_sequence']}  returns {r['return_sequence']}  registered "
            f"{r['registered_at']} by {r['registered_by']}{revoked}\n    {r['fingerprint']}"
        )
    return 0


def bundle_files(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for its ``*.npcb`` files in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix == BUNDLE_SUFFIX and p.is_file())
            if not found:
                raise UsageError(f"{path}: there is no {BUNDLE_SUFFIX} file in this folder.")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder.")
    return files


def run_import(args: argparse.Namespace) -> int:
    files = bundle_files(list(args.bundles))
    reports: list[ImportReport] = []

    def progress(done: int, total: int, report: ImportReport | None) -> None:
        if report is not None and not args.json:
            for line in report.lines():
                print(f"[{done}/{total}] {line}", flush=True)

    with opened(args) as center:
        reports = center.import_files(files, progress=progress)
    if args.json:
        _print_json([r.to_json() for r in reports])
    refused = [r for r in reports if r.refused]
    if refused and not args.json:
        print(f"{len(refused)} of {len(reports)} bundle(s) refused; nothing of them was applied.",
              file=sys.stderr)  # fmt: skip
    return BundleRefused.exit_code if refused else 0


def run_status(args: argparse.Namespace) -> int:
    with opened(args) as center:
        status = center.status()
    if args.json:
        _print_json(status)
        return 0
    print(f"Center {status['center_id']}, study {status['study_oid']} {status['study_version']}")
    print(f"Store: {status['store']}; fingerprint {status['fingerprint']}")
    for i in status["installations"]:
        line = (
            f"  {i['site_id']}-{i['number']:02d}: last bundle {i['last_sequence']}"
            f" (imported {i['last_import_at'] or 'never'}), audit entry {i['audit_head']},"
            f" {i['returns']} return(s)"
        )
        if i["held"]:
            line += f"; held {i['held']}, missing {i['missing']}"
        print(line)
    totals = status["totals"]
    print(
        f"Subjects {totals['subjects']}, forms {totals['forms']}, values {totals['values']}, "
        f"queries {totals['queries']} ({totals['open_queries']} open), conflicts {totals['conflicts']}"
    )
    audit = status["audit"]
    print(
        f"Center audit trail: {audit['entries']} entries, "
        + ("intact" if audit["ok"] else f"BROKEN: {audit['problem']}")
    )
    return 0 if audit["ok"] else 7


def run_conflicts(args: argparse.Namespace) -> int:
    with opened(args) as center:
        rows = center.conflicts(args.site)
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("No conflicts.")
    for c in rows:
        print(
            f"{c['subject_id']}/{c['event_oid']}[{c['occurrence']}]/{c['form_oid']}/{c['item_path']}: "
            f"kept version {c['current_version']} of {c['current_installation_id']}, also received "
            f"version {c['incoming_version']} of {c['incoming_installation_id']} (query "
            f"{c['query_uid']}, {c['query_status']})"
        )
    return 0


def run_return(args: argparse.Namespace) -> int:
    written: list[dict[str, str]] = []
    with opened(args) as center:
        wanted = args.installation or [
            i["installation_id"] for i in center.installations() if not i["revoked_at"]
        ]
        if not wanted:
            raise UsageError("No installation is registered; there is nobody to return bundles to.")
        args.out.mkdir(parents=True, exist_ok=True)
        for installation_id in wanted:
            data, name = center.make_return(installation_id)
            write_atomic(args.out / name, data)
            written.append({"installation_id": installation_id, "file": str(args.out / name)})
            if not args.json:
                print(f"{args.out / name}", flush=True)
    if args.json:
        _print_json(written)
    return 0


def run_query_raise(args: argparse.Namespace) -> int:
    with opened(args) as center:
        uid = center.raise_query(
            args.subject,
            args.text,
            event_oid=args.event,
            occurrence=args.occurrence,
            form_oid=args.form,
            item_path=args.item,
            assign=args.assign,
        )
    print(uid)
    return 0


def run_publish(args: argparse.Namespace) -> int:
    with opened(args) as center:
        outcome = center.publish_definition(args.forms)
    state = "was already published" if outcome["already"] else "is published"
    print(f"Version {outcome['version']} ({outcome['definition_sha256'][:16]}…) {state}; "
          "it goes to the sites in their next return bundles.")  # fmt: skip
    return 0
