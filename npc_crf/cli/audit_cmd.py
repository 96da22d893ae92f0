"""``npc-crf audit verify|show``: check the hash chain and the signatures; read a history."""

from __future__ import annotations

import argparse
import json

from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``audit verify`` and ``audit show``."""
    audit = sub.add_parser("audit", help="verify and read the audit trail")
    verbs = audit.add_subparsers(dest="verb", required=True, metavar="{verify,show}")

    verify = verbs.add_parser(
        "verify", help="check every link of the hash chain and every electronic signature"
    )
    add_site_args(verify)
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=reporting_errors(run_verify))

    show = verbs.add_parser("show", help="the history of a subject, a form or one item")
    add_site_args(show)
    show.add_argument("--subject", metavar="ID")
    show.add_argument("--event", metavar="EVENT")
    show.add_argument("--occurrence", type=int)
    show.add_argument("--form", metavar="FORM")
    show.add_argument("--item", metavar="PATH", help="ITEM or GROUP[n].ITEM")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=reporting_errors(run_show))


def run_verify(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        report = ws.audit.verify()
        signatures = ws.audit.verify_signatures()
    ok = report.ok and signatures.ok
    if args.json:
        doc = report.__dict__ | {"ok": ok, "chain_ok": report.ok}
        print(json.dumps(doc | {"signatures": signatures.to_json()}, indent=2))
        return 0 if ok else 7
    if report.ok:
        print(
            f"OK: {report.entries} audit entries, chain intact; head {report.head_seq} "
            f"{report.head_hash[:16]}…"
            + (
                f"; {report.clock_regressions} clock regression(s) recorded"
                if report.clock_regressions
                else ""
            )
        )
    else:
        print(f"BROKEN at entry {report.broken_at}: {report.problem}")
        print(f"The {report.entries} entries before it are intact.")
    legacy = f" ({signatures.legacy} made before schema 0002)" if signatures.legacy else ""
    if signatures.ok:
        print(f"OK: {signatures.checked} valid signature(s) match their records{legacy}.")
    else:
        print(
            f"BROKEN: {len(signatures.broken)} of {signatures.checked} signature(s) "
            f"do not match{legacy}:"
        )
        for b in signatures.broken:
            print(f"  {b.where} signed by {b.signer} at {b.signed_at}: {'; '.join(b.problems)}")
    return 0 if ok else 7


def run_show(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        entries = ws.audit.history(
            subject_id=args.subject,
            event_oid=args.event,
            occurrence=args.occurrence,
            form_oid=args.form,
            item_path=args.item,
        )
    if args.json:
        print(json.dumps([e.to_json() for e in entries], indent=2, ensure_ascii=False))
        return 0
    for e in entries:
        change = f" {e.old!r} → {e.new!r}" if (e.old or e.new) else ""
        why = f"  reason: {e.reason}" if e.reason else ""
        print(
            f"{e.seq:>6} {e.at_utc} ({e.local_offset}) {e.username}/{e.role} {e.action} "
            f"{e.entity}{change}{why}"
        )
    return 0
