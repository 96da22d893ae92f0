"""What every command that touches a site shares: --data-dir, --user, the password, errors.

Passwords are never option values (they would show in the process list and the
shell history). They come from the environment variable ``NPC_CRF_PASSWORD``
or, with ``--password-stdin``, from the first line of standard input. Commands
that set a second password (a new user's, a new own password) read it from
``NPC_CRF_NEW_PASSWORD`` or from the next line of standard input.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from npc_crf.core.errors import NpcCrfError, UsageError
from npc_crf.core.paths import DATA_DIR_ENV, default_data_dir
from npc_crf.services.site import Site
from npc_crf.services.workspace import Workspace

PASSWORD_ENV = "NPC_CRF_PASSWORD"  # noqa: S105 - the variable name, not a password
NEW_PASSWORD_ENV = "NPC_CRF_NEW_PASSWORD"  # noqa: S105 - a variable name

Runner = Callable[[argparse.Namespace], int]


def add_site_args(parser: argparse.ArgumentParser, *, user: bool = True) -> None:
    """Add --data-dir (see :func:`fill_data_dir`), --user and --password-stdin."""
    # no abbreviations: a mistyped "--password SECRET" must not be read as
    # --password-stdin and then echo SECRET back as an unrecognised argument
    parser.allow_abbrev = False
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"the site's data folder (default: ${DATA_DIR_ENV}, else the user's "
        f"application-data folder, here {str(default_data_dir()).replace('%', '%%')})",
    )
    parser.set_defaults(site_data_dir=True)
    if user:
        parser.add_argument("--user", required=True, help="your user name")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read the password from standard input instead of ${PASSWORD_ENV}",
    )
    parser.add_argument(
        "--forms", type=Path, help=argparse.SUPPRESS
    )  # other study definitions (tests, development)


def fill_data_dir(args: argparse.Namespace) -> None:
    """Give a site command without --data-dir the default folder, the one the desktop
    application uses (:func:`npc_crf.core.paths.default_data_dir`)."""
    if getattr(args, "site_data_dir", False) and args.data_dir is None:
        args.data_dir = default_data_dir()


class _Stdin:
    """Lines of standard input, read once, handed out in order."""

    lines: list[str] | None = None

    @classmethod
    def next(cls) -> str | None:
        if cls.lines is None:
            cls.lines = sys.stdin.read().splitlines()
        return cls.lines.pop(0) if cls.lines else None


def read_password(
    args: argparse.Namespace, *, env: str = PASSWORD_ENV, what: str = "password"
) -> str:
    """The password from stdin (with --password-stdin) or from ``env``."""
    if getattr(args, "password_stdin", False):
        line = _Stdin.next()
        if line is None:
            raise UsageError(f"--password-stdin was given but standard input has no {what} line.")
        return line
    value = os.environ.get(env)
    if value is None:
        raise UsageError(
            f"No {what}: set {env} or pass --password-stdin and write it to standard input.",
            "Passwords are never given as command-line options.",
        )
    return value


def read_new_password(args: argparse.Namespace, what: str = "new password") -> str:
    """The second password of a command (a new user's, or one's new password)."""
    return read_password(args, env=NEW_PASSWORD_ENV, what=what)


@contextmanager
def open_site(args: argparse.Namespace) -> Iterator[Site]:
    """The site at --data-dir, locked for this command."""
    site = Site.open(args.data_dir, forms_dir=getattr(args, "forms", None))
    try:
        yield site
    finally:
        site.close()


@contextmanager
def logged_in(args: argparse.Namespace) -> Iterator[Workspace]:
    """Open the site, log --user in (audited), log out at the end (audited)."""
    password = read_password(args)
    with open_site(args) as site:
        ws = site.login(args.user, password, channel="cli")
        try:
            yield ws
        finally:
            ws.logout()


def reporting_errors(run: Runner) -> Runner:
    """Print an NpcCrfError as its message (and hint) and return its exit code."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except NpcCrfError as exc:
            print(f"npc-crf: {exc}", file=sys.stderr)
            return exc.exit_code

    return wrapped
