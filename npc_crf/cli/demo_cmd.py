"""``npc-crf demo``: create demo sites full of invented subjects.

Without ``--study`` one site is made per study that has a demo, each in its own
sub-folder ``DIR/<study-oid-lowercase>``; with ``--study`` the site is made in
DIR itself. The demo accounts have fixed, public passwords (printed at the end):
a demo site is for training and trying things out, never for real subjects.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

from npc_crf.cli.site_args import reporting_errors
from npc_crf.core.errors import UsageError
from npc_crf.demo import DemoSite, check_cutoff, create_demo_site, demo_studies
from npc_crf.services.studies import available_studies
from npc_crf.store.keyfile import TEST_COST, KdfCost
from npc_crf.store.layout import DataDir

MAX_SUBJECTS = 5000


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= MAX_SUBJECTS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_SUBJECTS}")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` command."""
    demo = sub.add_parser(
        "demo",
        help="create demo sites with invented subjects (public demo passwords)",
        description="Create a demo site with invented subjects walked through the whole "
        "schedule. Without --study, one site per study is made in DIR/<study-oid-lowercase>. "
        "The demo accounts (admin, nurse, doctor, monitor) have fixed, public passwords, "
        "printed at the end: use a demo site for invented data only.",
    )
    demo.add_argument("--data-dir", type=Path, required=True, help="where to create the site(s)")
    demo.add_argument(
        "--study", metavar="STUDY_OID", help=f"one study only ({', '.join(demo_studies())})"
    )
    demo.add_argument("--subjects", type=_count, default=20, help="subjects per site (default: 20)")
    demo.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
    demo.add_argument(
        "--cutoff",
        type=_date,
        metavar="YYYY-MM-DD",
        help="data cut-off: no date after it (default: 2026-06-30, or yesterday if earlier)",
    )
    demo.add_argument(
        "--test-kdf", action="store_true", help=argparse.SUPPRESS
    )  # cheap Argon2id for the test suite only
    demo.set_defaults(run=reporting_errors(run_demo))


def _targets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(study OID, data directory) of every site to make; UsageError if one exists."""
    bundled = available_studies()
    known = [oid for oid in demo_studies() if oid in bundled]
    if args.study is not None:
        if args.study not in known:
            raise UsageError(
                f"There is no demo for study '{args.study}' (available: {', '.join(known)})."
            )
        targets = [(args.study, Path(args.data_dir))]
    else:
        targets = [(oid, Path(args.data_dir) / oid.lower()) for oid in known]
    for _oid, folder in targets:
        if DataDir(folder).exists():
            raise UsageError(
                f"A site already exists in {folder}; nothing was created.",
                "Choose another --data-dir, or move that folder away first.",
            )
    return targets


def _progress(study: str) -> Callable[[int, int], None]:
    """Print to stderr after every tenth of the subjects."""
    step = 0

    def report(done: int, total: int) -> None:
        nonlocal step
        tenth = done * 10 // total
        if tenth > step or done == total:
            step = tenth
            print(f"  {study}: {done}/{total} subjects", file=sys.stderr, flush=True)

    return report


def run_demo(args: argparse.Namespace) -> int:
    """Create the demo site(s) and print the accounts, subject counts and time taken."""
    cutoff = check_cutoff(args.cutoff)
    targets = _targets(args)
    cost: KdfCost = TEST_COST if args.test_kdf else KdfCost()
    made: list[tuple[DemoSite, float]] = []
    for oid, folder in targets:
        print(f"Creating a demo site for {oid} in {folder} ({args.subjects} subjects)…")
        started = time.perf_counter()
        site = create_demo_site(
            folder,
            oid,
            subjects=args.subjects,
            seed=args.seed,
            cost=cost,
            progress=_progress(oid),
            cutoff=cutoff,
        )
        made.append((site, time.perf_counter() - started))
    print()
    for site, seconds in made:
        print(
            f"{site.study_oid}: site {site.site_id} in {site.data_dir}: "
            f"{len(site.subject_ids)} subjects, data cut-off {site.cutoff.isoformat()}, "
            f"{seconds:.1f} s"
        )
        print(f"  recovery key (demo): {site.recovery_key}")
    users = made[0][0].users
    print()
    print("Demo accounts (fixed, public passwords: invented data only):")
    width = max(len(u.username) for u in users)
    for user in users:
        print(f"  {user.username:<{width}}  {user.role.label:<26}  {user.password}")
    return 0
