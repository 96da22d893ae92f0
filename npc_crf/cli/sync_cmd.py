"""``npc-crf sync identity|trust-center|export|send|apply|status|list`` (docs/sync.md).

Exit codes: 0 ok, 2 usage (no center trusted, wrong fingerprint, missing
folder…), 3 authentication, 4 permission, 5 store, 8 a bundle refused (the
check that failed is named; nothing was applied).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.core.errors import BundleRefused, UsageError
from npc_crf.services.sync.common import OutboundBundle
from npc_crf.services.sync.outbox import ExportResult
from npc_crf.services.sync.returns import ApplyResult
from npc_crf.services.sync.send import SendResult
from npc_crf.services.sync.status import SyncStatus
from npc_crf.sync.identity import IdentityCard

_COUNT_ORDER = (
    "subjects",
    "forms",
    "values",
    "audit",
    "queries",
    "signatures",
    "sdv_forms",
    "holds",
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sync`` commands."""
    sync = sub.add_parser("sync", help="bundles for the coordinating center, and its returns")
    verbs = sync.add_subparsers(
        dest="verb",
        required=True,
        metavar="{identity,trust-center,export,send,apply,status,list}",
    )

    identity = verbs.add_parser("identity", help="write this installation's identity card")
    add_site_args(identity)
    identity.add_argument("--out", type=Path, required=True, help="the card's file (JSON)")
    identity.set_defaults(run=reporting_errors(run_identity))

    trust = verbs.add_parser(
        "trust-center", help="trust the coordinating center's keys (administrator)"
    )
    add_site_args(trust)
    trust.add_argument("card", type=Path, help="the center's identity card (JSON)")
    trust.add_argument(
        "--fingerprint",
        required=True,
        help="the fingerprint the center read out on the phone (spaces optional)",
    )
    trust.set_defaults(run=reporting_errors(run_trust))

    export = verbs.add_parser("export", help="make the next bundle into the outbox")
    add_site_args(export)
    export.add_argument("--full", action="store_true", help="re-send everything")
    export.add_argument("--to", type=Path, help="also send it to this folder or drive")
    export.add_argument("--json", action="store_true", help="print JSON")
    export.set_defaults(run=reporting_errors(run_export))

    send = verbs.add_parser("send", help="copy bundles to a folder or removable drive")
    add_site_args(send)
    send.add_argument("--to", type=Path, required=True, help="the folder or drive")
    send.add_argument(
        "bundles",
        nargs="*",
        metavar="UUID",
        help="bundle UUIDs, 8-character prefixes or file names (default: every bundle not "
        "yet acknowledged)",
    )
    send.add_argument("--json", action="store_true", help="print JSON")
    send.set_defaults(run=reporting_errors(run_send))

    upload = verbs.add_parser(
        "upload",
        help="upload bundles not yet acknowledged to 'npc-crf center serve', then apply its return",
    )
    add_site_args(upload)
    upload.add_argument("--to", required=True, metavar="URL", help="e.g. https://center.example/")
    upload.add_argument("--json", action="store_true", help="print JSON")
    upload.set_defaults(run=reporting_errors(run_upload))

    apply = verbs.add_parser("apply", help="apply return bundles from the center")
    add_site_args(apply)
    apply.add_argument("files", type=Path, nargs="+", metavar="RETURN.npcr")
    apply.add_argument("--json", action="store_true", help="print JSON")
    apply.set_defaults(run=reporting_errors(run_apply))

    status = verbs.add_parser("status", help="what is exported, sent and acknowledged")
    add_site_args(status)
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(run=reporting_errors(run_status))

    listing = verbs.add_parser("list", help="the outbox, bundle by bundle")
    add_site_args(listing)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=reporting_errors(run_list))


def _print_json(doc: object) -> None:
    print(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True))


def run_identity(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        card = ws.sync.identity_card()
    try:
        card.write(args.out)
    except OSError as exc:
        raise UsageError(f"{args.out}: cannot write the identity card ({exc.strerror}).") from None
    print(f"Identity card of {card.label} written to {args.out}.")
    print(f"Fingerprint: {card.fingerprint}")
    print("Read the fingerprint to the coordinating center on the phone when it registers it.")
    return 0


def run_trust(args: argparse.Namespace) -> int:
    card = IdentityCard.read(args.card)
    with logged_in(args) as ws:
        outcome = ws.sync.trust_center(card, args.fingerprint)
    center = outcome.center
    if not outcome.changed:
        print(f"Center {center.center_id} is already the trusted center; nothing changed.")
        return 0
    print(f"Trusted {card.label}, fingerprint {center.fingerprint}.")
    if outcome.replaced:
        print(
            f"It replaces center {outcome.replaced}: bundles now go to the new center, starting "
            "with a full bundle, and return bundles of the old one are refused."
        )
    return 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(name, 0)} {name.replace('_', ' ')}" for name in _COUNT_ORDER)


def _describe_export(result: ExportResult) -> None:
    b = result.bundle
    kind = "full" if b.full else "incremental"
    print(f"Bundle {b.sequence} ({kind}) for center {b.center_id}: {result.path}")
    print(f"  {_counts(b.counts)}")
    print(
        f"  audit entries {b.audit_from + 1}–{b.audit_to}; {b.bytes} bytes; {result.seconds:.2f} s"
    )


def _describe_send(result: SendResult) -> None:
    if not result.files:
        print("Nothing to send: every bundle of the outbox is acknowledged.")
        return
    for f in result.files:
        how = "copied and verified" if f.copied else "already there (same bytes)"
        print(f"  bundle {f.bundle.sequence}: {f.path.name} — {how}")
    print(
        f"{len(result.files)} bundle(s) in {result.folder}. Take them to the coordinating center."
    )


def run_export(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        result = ws.sync.export(full=args.full)
        sent = ws.sync.send_to_folder(args.to, [result.bundle.uid]) if args.to else None
    if args.json:
        doc: dict[str, Any] = {"bundle": result.to_json()}
        if sent is not None:
            doc["sent"] = sent.to_json()
        _print_json(doc)
        return 0
    _describe_export(result)
    if sent is not None:
        _describe_send(sent)
    return 0


def run_send(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        result = ws.sync.send_to_folder(args.to, args.bundles or None)
    if args.json:
        _print_json(result.to_json())
    else:
        _describe_send(result)
    return 0


def run_upload(args: argparse.Namespace) -> int:
    """Exit 0 when everything went, 8 when the center refused a bundle (or the site its
    return bundle), 9 when the center could not be reached (nothing lost: the bundles
    stay in the outbox), 1 when the server answered something else."""
    with logged_in(args) as ws:
        outcome = ws.sync.upload(args.to)
    if args.json:
        _print_json(outcome.to_json())
    else:
        for up in outcome.uploads:
            extra = f" (check {up.check}: {up.detail})" if up.check else ""
            print(f"bundle {up.sequence}: {up.status}{extra}")
        if outcome.applied is not None:
            _describe_apply(outcome.applied)
        elif outcome.return_refused is not None:
            print(f"The return bundle was refused: {outcome.return_refused}", file=sys.stderr)
        elif outcome.return_problem is not None:
            print(outcome.return_problem, file=sys.stderr)
        elif outcome.nothing_returned:
            print("The center has no return bundle for this installation yet.")
    if outcome.unreachable is not None:
        print(
            f"{outcome.unreachable}\nNothing is lost: the bundles stay in the outbox; try "
            "again later, or send them on a USB drive (npc-crf sync send).",
            file=sys.stderr,
        )
        return 9
    if outcome.refused:
        return 8
    if outcome.problem is not None:
        print(outcome.problem, file=sys.stderr)
        return 1
    return 0


def _describe_apply(result: ApplyResult) -> None:
    if result.already_applied:
        print(f"{result.file_name}: return bundle {result.sequence} — {result.note}.")
        return
    doc = result.to_json()
    print(
        f"{result.file_name}: return bundle {result.sequence} of center {result.center_id} applied."
    )
    print(
        f"  acknowledged: {', '.join(map(str, doc['acknowledged'])) or 'none new'}; "
        f"held at the center: {', '.join(map(str, doc['held'])) or 'none'}"
    )
    if result.unknown_acks:
        print(
            f"  {len(result.unknown_acks)} acknowledgement(s) of bundles this outbox does not hold"
        )
    q = result.queries
    print(f"  queries: {q.queries} new, {q.messages} message(s) added")
    if result.definition_version is not None:
        print(f"  study definition {result.definition_version}: {result.definition_outcome}")
        if result.definition_outcome == "received":
            print("  It is stored, not yet in use; activating it is a separate step.")


def run_apply(args: argparse.Namespace) -> int:
    code = 0
    results: list[dict[str, Any]] = []
    with logged_in(args) as ws:
        for path in args.files:
            try:
                result = ws.sync.apply_return(path)
            except BundleRefused as exc:
                print(f"npc-crf: {path}: {exc}", file=sys.stderr)
                results.append({"file": str(path), "refused": exc.check, "message": exc.detail})
                code = BundleRefused.exit_code
                continue
            results.append(result.to_json())
            if not args.json:
                _describe_apply(result)
    if args.json:
        _print_json(results)
    return code


def _describe_status(status: SyncStatus) -> None:
    print(f"This installation's fingerprint: {status.installation_fingerprint}")
    center = status.center
    if center is None:
        print("Coordinating center: none trusted yet (npc-crf sync trust-center).")
    else:
        print(
            f"Coordinating center: {center.center_id}, fingerprint {center.fingerprint} "
            f"(trusted {center.trusted_at} by {center.trusted_by})"
        )
    states = ", ".join(f"{n} {s}" for s, n in sorted(status.by_status.items()))
    print(f"Outbox: {len(status.bundles)} bundle(s){' — ' + states if states else ''}")
    acked = status.last_acknowledged
    if acked is None:
        print("Last acknowledged: nothing yet — no change is confirmed at the center.")
    else:
        print(
            f"Last acknowledged: bundle {acked.sequence} (made {acked.created_at}, "
            f"acknowledged {acked.acked_at})"
        )
    print(f"Changes not exported: {status.not_exported}")
    print(f"Changes not acknowledged by the center: {status.not_acknowledged}")
    print(f"Query messages not exported: {status.unsent_query_messages}")
    if status.last_return_sequence is not None:
        print(
            f"Last return bundle applied: {status.last_return_sequence} ({status.last_return_at})"
        )
    for d in status.definitions:
        print(
            f"Study definition {d.study_oid} {d.version}: {d.status} "
            f"(received {d.received_at}; not in use until activated)"
            if d.status == "received"
            else f"Study definition {d.study_oid} {d.version}: {d.status}"
        )


def run_status(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        status = ws.sync.status()
    if args.json:
        _print_json(status.to_json())
    else:
        _describe_status(status)
    return 0


def _row(b: OutboundBundle) -> str:
    kind = "full" if b.full else "incr"
    return (
        f"{b.sequence:>6}  {b.status:<12} {kind:<4} {b.created_at}  "
        f"{b.counts.get('values', 0):>7} values {b.counts.get('audit', 0):>7} audit "
        f"{b.bytes:>10} B  {b.file_name}"
    )


def run_list(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        bundles = ws.sync.bundles()
    if args.json:
        _print_json([b.to_json() for b in bundles])
        return 0
    if not bundles:
        print("The outbox is empty.")
    for b in bundles:
        print(_row(b))
    return 0
