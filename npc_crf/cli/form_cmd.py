"""``npc-crf form save``: save one form's values from a JSON file, through the form engine.

The file holds an object of item → value. A value is what a nurse would type
(``"2024-03-05"``, ``"12.5"``, a code) or a JSON number/boolean; ``{"missing":
"ND"}`` gives a missing-data code; ``{"value": 250, "override": "confirmed in the
chart"}`` keeps a value that has a soft warning. A repeating group takes a list
of row objects; ``"GROUP[2].ITEM"`` answers one cell.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from npc_crf.cli.site_args import (
    add_site_args,
    logged_in,
    open_site,
    read_password,
    reporting_errors,
)
from npc_crf.core.errors import UsageError
from npc_crf.forms.expr.evaluate import Missing


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``form save`` and ``form sign``."""
    form = sub.add_parser("form", help="save and sign forms")
    verbs = form.add_subparsers(dest="verb", required=True, metavar="{save,sign,lock,unlock}")

    save = verbs.add_parser(
        "save",
        help="save values into a form",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_site_args(save)
    _where(save)
    save.add_argument("--values", type=Path, required=True, metavar="FILE.json")
    save.add_argument("--reason", help="reason for change (needed once a form is complete)")
    save.add_argument("--complete", action="store_true", help="mark the form complete")
    save.add_argument("--json", action="store_true", help="print the result as JSON")
    save.set_defaults(run=reporting_errors(run_save))

    sign = verbs.add_parser(
        "sign", help="sign a complete form (investigators; the password is asked again)"
    )
    add_site_args(sign)
    _where(sign)
    sign.add_argument("--meaning", required=True, help="a signature meaning code of the study")
    sign.set_defaults(run=reporting_errors(run_sign))

    for verb, locked in (("lock", True), ("unlock", False)):
        cmd = verbs.add_parser(verb, help=f"{verb} a form")
        add_site_args(cmd)
        _where(cmd)
        cmd.add_argument("--reason", required=True)
        cmd.set_defaults(run=reporting_errors(run_lock), locked=locked)


def _where(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subject", required=True, metavar="ID")
    parser.add_argument("--event", required=True, metavar="EVENT")
    parser.add_argument("--occurrence", type=int, default=1, help="for repeating events (from 1)")
    parser.add_argument("--form", required=True, metavar="FORM")


def read_values(path: Path) -> tuple[dict[str, object], dict[str, str]]:
    """Values and overrides from a values file; UsageError naming the bad key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not valid UTF-8 JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the file must hold an object of item → value.")
    values: dict[str, object] = {}
    overrides: dict[str, str] = {}

    def convert(key: str, raw: object) -> object:
        if isinstance(raw, dict):
            if set(raw) == {"missing"}:
                return Missing(str(raw["missing"]))
            if "value" in raw and set(raw) <= {"value", "override"}:
                if "override" in raw:
                    overrides[key] = str(raw["override"])
                return convert(key, raw["value"])
            raise UsageError(
                f"{path}: '{key}': an object must be {{\"missing\": CODE}} or "
                '{"value": …, "override": REASON}.'
            )
        if isinstance(raw, float):
            return repr(raw)  # keep the digits as typed; the engine reads decimals exactly
        if isinstance(raw, list) and not all(isinstance(r, dict) for r in raw):
            return raw  # a multiple-choice answer
        if isinstance(raw, list):
            rows = []
            for n, row in enumerate(raw, start=1):
                rows.append({c: convert(f"{key}[{n}].{c}", v) for c, v in row.items()})
            return rows
        return raw

    for key, raw in data.items():
        values[key] = convert(key, raw)
    return values, overrides


def run_save(args: argparse.Namespace) -> int:
    values, overrides = read_values(args.values)
    with logged_in(args) as ws:
        result = ws.casebook.save_form(
            args.subject,
            args.event,
            args.occurrence,
            args.form,
            values,
            overrides=overrides,
            reason=args.reason,
            complete=args.complete,
            source=f"cli:{args.values.name}",
        )
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return 0
    print(
        f"{result.subject_id}/{result.event_oid}[{result.occurrence}]/{result.form_oid}: "
        f"{result.status.value}, revision {result.revision}, {result.changed} change(s)"
        + (" — the signature was voided" if result.signature_voided else "")
    )
    for item in result.items:
        note = f" (kept: {item.override_reason})" if item.override_reason else ""
        print(f"  {item.path}: {item.status.value} — {item.message_en or ''}{note}")
    return 0


def run_sign(args: argparse.Namespace) -> int:
    # one command is one continuous session: the user ID and the password given for it
    # are both components of the signature (Part 11 §11.200(a)(1))
    password = read_password(args)
    with open_site(args) as site:
        ws = site.login(args.user, password, channel="cli")
        try:
            ws.signatures.sign_form(
                args.subject,
                args.event,
                args.occurrence,
                args.form,
                password=password,
                meaning=args.meaning,
                user_id=args.user,
            )
        finally:
            ws.logout()
    print(f"{args.subject}/{args.event}[{args.occurrence}]/{args.form} signed ({args.meaning}).")
    return 0


def run_lock(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        ws.casebook.set_locked(
            args.subject, args.event, args.occurrence, args.form, args.locked, args.reason
        )
    print(
        f"{args.subject}/{args.event}[{args.occurrence}]/{args.form} {'locked' if args.locked else 'unlocked'}."
    )
    return 0
