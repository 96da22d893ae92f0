"""``npc-crf subject …``: enrol, list, show and change the status of subjects."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.core.errors import UsageError
from npc_crf.services.subjects import SubjectStatus


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``subject enrol|list|show|set-status``."""
    subject = sub.add_parser("subject", help="enrol subjects, list and show them")
    verbs = subject.add_subparsers(
        dest="verb", required=True, metavar="{enrol,list,show,set-status}"
    )

    enrol = verbs.add_parser("enrol", help="register a new subject in screening; prints its ID")
    add_site_args(enrol)
    enrol.add_argument("--screening-date", type=_date, help="default: today")
    enrol.add_argument("--json", action="store_true")
    enrol.set_defaults(run=reporting_errors(run_enrol))

    listing = verbs.add_parser("list", help="list subjects")
    add_site_args(listing)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=reporting_errors(run_list))

    show = verbs.add_parser("show", help="a subject's casebook: events, forms, values")
    add_site_args(show)
    show.add_argument("--subject", required=True, metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=reporting_errors(run_show))

    status = verbs.add_parser("set-status", help="move a subject to another status")
    add_site_args(status)
    status.add_argument("--subject", required=True, metavar="ID")
    status.add_argument(
        "--status", required=True, choices=[s.value for s in SubjectStatus], metavar="STATUS"
    )
    status.add_argument("--reason", help="needed for screen_failure and off_study")
    status.add_argument("--date", type=_date, help="default: today")
    status.set_defaults(run=reporting_errors(run_status))


def run_enrol(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        subject_id = ws.subjects.enrol(screening_date=args.screening_date)
    print(json.dumps({"subject": subject_id}) if args.json else subject_id)
    return 0


def run_list(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        subjects = ws.subjects.list()
    if args.json:
        print(json.dumps([s.__dict__ | {"status": s.status.value} for s in subjects], indent=2))
        return 0
    for s in subjects:
        reason = f" ({s.status_reason})" if s.status_reason else ""
        print(f"{s.subject_id:<14} {s.status.value:<15} {s.status_date or '':<10}{reason}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        casebook = ws.casebook.load(args.subject)
        signed = ws.signatures.manifestations(args.subject)  # shown with the record (§11.50)
    doc = casebook.to_json()
    for event in doc["events"]:
        for form, data in event["forms"].items():
            data["signatures"] = [
                m.to_json()
                for m in signed
                if (m.event_oid, m.occurrence, m.form_oid)
                == (event["event"], event["occurrence"], form)
            ]
    if args.json:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    print(f"{doc['subject']}  {doc['study']}  {doc['status']}")
    for event in doc["events"]:
        print(f"  {event['event']}[{event['occurrence']}]")
        for form, data in event["forms"].items():
            print(f"    {form:<10} {data['status']:<12} rev {data['revision']}")
            for item, value in data["values"].items():
                print(f"      {item} = {json.dumps(value, ensure_ascii=False)}")
            for sig in data["signatures"]:
                print(f"      {sig['text']}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    status = SubjectStatus(args.status)
    with logged_in(args) as ws:
        if status is SubjectStatus.SCREENING:
            raise UsageError("A subject cannot go back to screening.")
        ws.subjects.set_status(args.subject, status, reason=args.reason, on=args.date)
    print(f"{args.subject} is now {status.value}.")
    return 0
