"""``npc-crf derive KIND [FILE|-]``: re-derive a result from one JSON document.

How a central reviewer checks a site's figures, and how a data manager scripts
them: the same engines the GUI shows, one JSON document in, one out. The
schemas are in ``docs/derivations.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from npc_crf.core.errors import NpcCrfError
from npc_crf.oncology.jsonin import InputError, Node

#: kind -> "module:function"; each function takes a :class:`Node` and returns a JSON object
KINDS: dict[str, tuple[str, str]] = {
    "recist": (
        "npc_crf.oncology.recist.derive:derive_recist",
        "tumour response per timepoint and best overall response",
    ),
    "recist-overall": (
        "npc_crf.oncology.recist.derive:derive_overall",
        "overall response from target, non-target and new lesions",
    ),
    "bor": (
        "npc_crf.oncology.recist.derive:derive_bor",
        "best overall response from timepoint responses",
    ),
    "ctcae-lab": (
        "npc_crf.oncology.ctcae.derive:derive_lab",
        "CTCAE v5.0 grade of a laboratory value",
    ),
    "km": (
        "npc_crf.endpoints.stats.jsonio:derive_km",
        "Kaplan-Meier table, median with its CI, landmark survival",
    ),
    "orr": (
        "npc_crf.endpoints.stats.jsonio:derive_orr",
        "a response rate with its exact Clopper-Pearson CI",
    ),
    "pfs": (
        "npc_crf.endpoints.derive.jsonio:pfs_json",
        "one subject's progression-free survival: status, date, reason (docs/endpoints.md)",
    ),
    "os": (
        "npc_crf.endpoints.derive.jsonio:os_json",
        "one subject's overall survival: status, date, reason (docs/endpoints.md)",
    ),
    "dor": (
        "npc_crf.endpoints.derive.jsonio:dor_json",
        "one responder's duration of response: status, date, reason (docs/endpoints.md)",
    ),
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``derive`` command."""
    kinds = "\n".join(f"  {k:15} {help_}" for k, (_, help_) in KINDS.items())
    derive = sub.add_parser(
        "derive",
        help="re-derive tumour response, a CTCAE lab grade or an endpoint statistic "
        "from a JSON document",
        description="Read one JSON document (a file, or - for standard input) and print "
        "one JSON document. Kinds:\n" + kinds,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    derive.add_argument("kind", choices=sorted(KINDS), metavar="KIND")
    derive.add_argument("file", nargs="?", default="-", help="the input JSON (default: -)")
    derive.set_defaults(run=run_derive)


def load_function(kind: str) -> Callable[[Node], dict[str, object]]:
    """The engine entry point of ``kind``."""
    module_name, function_name = KINDS[kind][0].split(":")
    function: Callable[[Node], dict[str, object]] = getattr(
        importlib.import_module(module_name), function_name
    )
    return function


def to_json(value: object) -> object:
    """Decimals as JSON numbers (integral ones as integers), dates as ISO strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def run_derive(args: argparse.Namespace) -> int:
    """Read, derive, print; errors name the file position or the field."""
    name = "<stdin>" if args.file == "-" else args.file
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{name}: cannot read: {exc}", file=sys.stderr)
        return 1
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        print(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}", file=sys.stderr)
        return 1
    try:
        result = load_function(args.kind)(Node(document))
    except InputError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    except NpcCrfError as exc:  # e.g. the statistics need the center extra (scipy)
        print(f"npc-crf: {exc}", file=sys.stderr)
        return exc.exit_code
    json.dump(result, sys.stdout, default=to_json, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
