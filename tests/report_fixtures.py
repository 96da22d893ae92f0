"""Demo sites for the printed-document tests: built once per test session and study.

Each site holds demo subjects of one bundled study (their saves, status changes
and the investigator's signatures come from the demo) plus a monitor's work:
SDV of a few forms, queries at subject, form and item level, one answered and
closed (a thread of three messages). Tests that only read share the site;
tests that issue documents (which appends audit entries) use :func:`copy_site`.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from npc_crf.demo import create_demo_site
from npc_crf.demo.accounts import ADMIN, DOCTOR, MONITOR, NURSE, DemoUser
from npc_crf.services.site import Site
from npc_crf.services.workspace import Workspace
from npc_crf.store.keyfile import TEST_COST

#: the demo's data cut-off: the first subjects have about two years of follow-up
CUTOFF = dt.date(2025, 12, 31)
SUBJECTS = 4

__all__ = [
    "ADMIN",
    "DOCTOR",
    "MONITOR",
    "NURSE",
    "ReportSite",
    "assert_fonts_embedded",
    "copy_site",
    "fonts_not_embedded",
    "fonts_of",
    "logged_in",
]


@dataclass(frozen=True)
class ReportSite:
    """A demo site for documents."""

    data_dir: Path
    study_oid: str
    subject_ids: tuple[str, ...]
    #: the query whose thread has a reply and a closing message
    closed_query: str
    #: a form verified by the monitor: (subject, event, occurrence, form)
    verified: tuple[str, str, int, str]


@contextmanager
def logged_in(data_dir: Path, user: DemoUser = ADMIN) -> Iterator[Workspace]:
    """A workspace of ``user`` on the site in ``data_dir``, closed afterwards."""
    site = Site.open(data_dir)
    try:
        ws = site.login(user.username, user.password)
        try:
            yield ws
        finally:
            ws.logout()
    finally:
        site.close()


def _monitor_work(data_dir: Path) -> tuple[str, tuple[str, str, int, str]]:
    with logged_in(data_dir, MONITOR) as ws:
        pending = ws.sdv.needs_sdv()
        verified = pending[0]
        for form in pending[:3]:
            ws.sdv.verify(form.subject_id, form.event_oid, form.occurrence, form.form_oid)
        item = verified.items[0].item_path
        ws.queries.raise_query(
            verified.subject_id, "Please confirm the consent version 请核对知情同意书版本"
        )
        ws.queries.raise_query(
            verified.subject_id,
            "Is this form complete?",
            event_oid=verified.event_oid,
            occurrence=verified.occurrence,
            form_oid=verified.form_oid,
        )
        closed = ws.queries.raise_query(
            verified.subject_id,
            "Source document shows a different value",
            event_oid=verified.event_oid,
            occurrence=verified.occurrence,
            form_oid=verified.form_oid,
            item_path=item,
        ).uid
    with logged_in(data_dir, NURSE) as ws:
        ws.queries.reply(closed, "Checked against the ward record: the value is correct.")
    with logged_in(data_dir, MONITOR) as ws:
        ws.queries.close(closed, "Agreed, closing.")
    key = (verified.subject_id, verified.event_oid, verified.occurrence, verified.form_oid)
    return closed, key


def build_report_site(base: Path, study_oid: str, subjects: int = SUBJECTS) -> ReportSite:
    """A demo site of ``study_oid`` with a monitor's work, in ``base / "site"``."""
    made = create_demo_site(
        base / "site", study_oid, subjects=subjects, seed=3, cost=TEST_COST, cutoff=CUTOFF
    )
    closed, verified = _monitor_work(made.data_dir)
    with logged_in(made.data_dir) as ws:
        ids = tuple(s.subject_id for s in ws.subjects.list())
    return ReportSite(made.data_dir, study_oid, ids, closed, verified)


def copy_site(site: ReportSite, target: Path) -> ReportSite:
    """A copy of ``site`` in ``target`` (for tests that write to it)."""
    shutil.copytree(site.data_dir, target)
    return ReportSite(target, site.study_oid, site.subject_ids, site.closed_query, site.verified)


def fonts_of(data: bytes) -> Iterator[tuple[str, Any]]:
    """Every font of every page of a PDF: (base font name, its font descriptor or None)."""
    for page in PdfReader(io.BytesIO(data)).pages:
        resources: Any = page["/Resources"].get_object()  # pypdf's dictionaries
        fonts = resources.get("/Font")
        for ref in fonts.get_object().values() if fonts is not None else ():
            font = ref.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            yield str(font.get("/BaseFont")), descriptor.get_object() if descriptor else None


def fonts_not_embedded(data: bytes) -> list[str]:
    """The fonts of a PDF without an embedded TrueType font file."""
    return [
        name
        for name, descriptor in fonts_of(data)
        if descriptor is None or "/FontFile2" not in descriptor
    ]


def assert_fonts_embedded(data: bytes) -> None:
    """Every font is a TrueType font embedded in the file (no viewer font, no Helvetica)."""
    found = list(fonts_of(data))
    assert found, "the document uses no font at all"
    for name, descriptor in found:
        assert descriptor is not None, f"font {name} has no descriptor: not embedded"
        assert "/FontFile2" in descriptor, f"font {name} is not embedded"
