"""``npc-crf report KIND``: print documents as PDF (docs/reports.md).

Kinds: ``blank-crf`` and ``annotated-crf`` (from a study definition; no site or
login needed with ``--study``), ``casebook`` (one subject, several, or
``--all``), ``sae`` (one serious adverse event; ``sae --list`` lists them),
``queries`` and ``sdv`` (the site or one subject). Documents with clinical data
are recorded in the audit trail as issued; ``report issued`` lists them and
``report verify HASH`` matches a printed copy to its record.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from npc_crf.cli import endpoints_cmd
from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.core.errors import UsageError
from npc_crf.core.paths import bundled_forms_dir
from npc_crf.forms.loader import load_studies
from npc_crf.forms.model import Study
from npc_crf.reports import LANGUAGES
from npc_crf.services.reports.kinds import ReportKind, default_name
from npc_crf.store.atomic import write_atomic

if TYPE_CHECKING:  # the renderers load reportlab: imported when a document is printed
    from npc_crf.services.reports.issue import IssuedDocument
    from npc_crf.services.reports.sae_data import SaeRef


def _lang_arg(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--lang", choices=list(LANGUAGES), default="en", help="language of the document"
    )


def _json_arg(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--json", action="store_true", help="print what was written as JSON")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report blank-crf|annotated-crf|casebook|efficacy|safety|sae|queries|sdv|issued|
    verify``."""
    report = sub.add_parser("report", help="print documents as PDF (CRFs, casebooks, SAE …)")
    verbs = report.add_subparsers(dest="kind", required=True, metavar="KIND")

    for kind, text in (
        (
            ReportKind.BLANK_CRF,
            "the blank CRF of the study or of some forms, for paper-first wards",
        ),
        (
            ReportKind.ANNOTATED_CRF,
            "the CRF annotated with item OIDs, types, codes, ranges and expressions",
        ),
    ):
        cmd = verbs.add_parser(kind.value, help=text)
        cmd.allow_abbrev = False
        where = cmd.add_mutually_exclusive_group(required=True)
        where.add_argument(
            "--study",
            metavar="OID_OR_FOLDER",
            help="a bundled study's OID or a study folder (no site needed)",
        )
        where.add_argument("--data-dir", type=Path, help="the study of this site (needs --user)")
        cmd.add_argument("--user", help="your user name (with --data-dir)")
        cmd.add_argument("--password-stdin", action="store_true", help=argparse.SUPPRESS)
        cmd.add_argument("--forms", type=Path, help=argparse.SUPPRESS)
        cmd.add_argument(
            "--form", dest="form_oids", action="append", metavar="OID", help="only this form"
        )
        cmd.add_argument("--out", type=Path, required=True, metavar="FILE")
        _lang_arg(cmd)
        _json_arg(cmd)
        cmd.set_defaults(run=reporting_errors(run_crf), annotated=kind is ReportKind.ANNOTATED_CRF)

    casebook = verbs.add_parser(
        "casebook", help="subject casebooks with audit trail, signatures, queries and SDV"
    )
    add_site_args(casebook)
    casebook.add_argument("subjects", nargs="*", metavar="SUBJECT")
    casebook.add_argument("--all", action="store_true", help="every subject of the site")
    casebook.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE_OR_FOLDER",
        help="a .pdf file for one subject, or a folder (SUBJECT-casebook.pdf each)",
    )
    _lang_arg(casebook)
    _json_arg(casebook)
    casebook.set_defaults(run=reporting_errors(run_casebook))

    endpoints_cmd.add_site_reports(verbs)

    sae = verbs.add_parser("sae", help="the SAE report (CIOMS I layout) of a serious AE")
    add_site_args(sae)
    sae.add_argument("subject", nargs="?", metavar="SUBJECT")
    sae.add_argument("occurrence", nargs="?", type=int, metavar="AE_OCCURRENCE")
    sae.add_argument("--list", action="store_true", help="list the serious AEs instead")
    sae.add_argument("--out", type=Path, metavar="FILE_OR_FOLDER")
    _lang_arg(sae)
    _json_arg(sae)
    sae.set_defaults(run=reporting_errors(run_sae))

    for kind, text in (
        (ReportKind.QUERIES, "the query report of the site or of one subject"),
        (ReportKind.SDV, "the source data verification report of the site or of one subject"),
    ):
        cmd = verbs.add_parser(kind.value, help=text)
        add_site_args(cmd)
        cmd.add_argument("subject", nargs="?", metavar="SUBJECT")
        cmd.add_argument("--out", type=Path, required=True, metavar="FILE_OR_FOLDER")
        if kind is ReportKind.QUERIES:
            cmd.add_argument("--open-only", action="store_true", help="leave closed queries out")
        _lang_arg(cmd)
        _json_arg(cmd)
        cmd.set_defaults(run=reporting_errors(run_monitoring), report_kind=kind)

    issued = verbs.add_parser("issued", help="the documents issued at this installation")
    add_site_args(issued)
    issued.add_argument("--subject", metavar="SUBJECT")
    issued.add_argument("--type", dest="of_kind", choices=[k.value for k in ReportKind])
    _json_arg(issued)
    issued.set_defaults(run=reporting_errors(run_issued))

    verify = verbs.add_parser(
        "verify", help="match a printed document's content hash to its record"
    )
    add_site_args(verify)
    verify.add_argument("hash", nargs="+", metavar="HASH", help="the hash as printed (8+ digits)")
    _json_arg(verify)
    verify.set_defaults(run=reporting_errors(run_verify))


# -- output -----------------------------------------------------------------------------


def _line(doc: IssuedDocument, folder: Path | None = None) -> str:
    where = f"{folder / doc.path}" if folder else doc.path
    extra = f", content hash {doc.content_hash[:16]}…" if doc.content_hash else ""
    number = ""
    if doc.number is not None:
        number = " (initial report)" if doc.number == 0 else f" (follow-up {doc.number})"
    return f"Wrote {where}: {doc.kind}{number}, {doc.pages} page(s){extra}"


def _print(
    docs: list[IssuedDocument], args: argparse.Namespace, folder: Path, started: float
) -> None:
    if args.json:
        print(json.dumps([d.to_json() for d in docs], ensure_ascii=False, indent=2))
        return
    for doc in docs:
        print(_line(doc, folder))
    print(f"{len(docs)} document(s) in {time.perf_counter() - started:.1f} s.")


def _target(out: Path, name: str) -> Path:
    """``out`` itself (a .pdf file), or ``out / name`` when ``out`` is a folder."""
    if out.is_dir():
        return out / name
    if out.suffix.lower() != ".pdf":
        raise UsageError(
            f"{out}: there is no such folder; give an existing folder or a file name ending .pdf."
        )
    return out


# -- commands ---------------------------------------------------------------------------


def _study(spec: str, forms: Path | None) -> Study:
    path = Path(spec)
    if path.is_dir():
        found = load_studies(path)
        if len(found) != 1:
            names = ", ".join(s.oid for s in found)
            raise UsageError(
                f"{path} holds {len(found)} studies ({names}); give one study's folder."
            )
        return found[0]
    studies = load_studies(forms or bundled_forms_dir())
    for study in studies:
        if study.oid == spec:
            return study
    known = ", ".join(s.oid for s in studies)
    raise UsageError(f"There is no study '{spec}' (bundled: {known}); give its OID or a folder.")


def run_crf(args: argparse.Namespace) -> int:
    from npc_crf.reports.crf import render_crf
    from npc_crf.reports.document import RenderOptions
    from npc_crf.services.reports.issue import IssuedDocument, check_target

    started = time.perf_counter()
    name = default_name(ReportKind.ANNOTATED_CRF if args.annotated else ReportKind.BLANK_CRF)
    out = check_target(_target(args.out, name))
    if args.study:
        study = _study(args.study, args.forms)
        rendered = render_crf(
            study, RenderOptions(lang=args.lang), form_oids=args.form_oids, annotated=args.annotated
        )
        write_atomic(out, rendered.data)
        doc = IssuedDocument(
            kind=name.removesuffix(".pdf"),
            path=out.name,
            pages=rendered.pages,
            lang=args.lang,
            content_hash="",
            file_sha256="",
        )
    else:
        if not args.user:
            raise UsageError("--data-dir needs --user (or print from --study without a site).")
        with logged_in(args) as ws:
            doc = ws.reports.crf(
                out, lang=args.lang, form_oids=args.form_oids, annotated=args.annotated
            )
    _print([doc], args, out.parent, started)
    return 0


def run_casebook(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.all == bool(args.subjects):
        raise UsageError("Name the subjects to print, or give --all (not both).")
    with logged_in(args) as ws:
        subjects = [s.subject_id for s in ws.subjects.list()] if args.all else args.subjects
        one_file = len(subjects) == 1 and args.out.suffix.lower() == ".pdf"
        if one_file:
            doc = ws.reports.casebook(subjects[0], args.out, lang=args.lang)
            _print([doc], args, args.out.resolve().parent, started)
            return 0
        if not args.out.is_dir():
            raise UsageError(
                f"{args.out}: give an existing folder for several casebooks "
                "(or a .pdf file for one subject)."
            )

        def progress(done: int, total: int, subject_id: str) -> None:
            if subject_id and not args.json:
                print(f"[{done + 1}/{total}] {subject_id}", file=sys.stderr)

        docs = ws.reports.casebooks(subjects, args.out, lang=args.lang, progress=progress)
    _print(docs, args, args.out.resolve(), started)
    return 0


def run_sae(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    with logged_in(args) as ws:
        if args.list:
            found = ws.reports.saes(args.subject)
            if args.json:
                print(json.dumps([_sae_json(r) for r in found], ensure_ascii=False, indent=2))
            elif not found:
                print(
                    "No serious adverse events" + (f" for {args.subject}." if args.subject else ".")
                )
            for ref in found if not args.json else ():
                print(_sae_line(ref, args.lang))
            return 0
        if not args.subject or args.occurrence is None or args.out is None:
            raise UsageError(
                "Give SUBJECT, the AE occurrence and --out FILE (or --list to see the serious AEs)."
            )
        name = default_name(ReportKind.SAE, args.subject, f"AE{args.occurrence}")
        doc = ws.reports.sae(args.subject, args.occurrence, _target(args.out, name), lang=args.lang)
    _print([doc], args, _target(args.out, name).resolve().parent, started)
    return 0


def _sae_json(ref: SaeRef) -> dict[str, Any]:
    return dict(ref.to_json())


def _sae_line(ref: SaeRef, lang: str) -> str:
    """``D01-01-0002  AEV[3]  Pneumonitis  onset 2024-05-02  Grade 3  complete``."""
    parts = [ref.subject_id, f"{ref.event_oid}[{ref.occurrence}]", ref.term.get(lang)]
    if ref.onset is not None:
        parts.append(f"onset {ref.onset.get(lang)}")
    if ref.grade is not None:
        parts.append(ref.grade.get(lang))
    parts.append(ref.status)
    return "  ".join(parts)


def run_monitoring(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    kind: ReportKind = args.report_kind
    name = default_name(kind, args.subject)
    out = _target(args.out, name)
    with logged_in(args) as ws:
        if args.subject:
            ws.subjects.get(args.subject)
        if kind is ReportKind.QUERIES:
            doc = ws.reports.queries(
                out, subject_id=args.subject, lang=args.lang, include_closed=not args.open_only
            )
        else:
            doc = ws.reports.sdv(out, subject_id=args.subject, lang=args.lang)
    _print([doc], args, out.resolve().parent, started)
    return 0


def run_issued(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        docs = ws.reports.issued(kind=args.of_kind, subject_id=args.subject)
    if args.json:
        print(json.dumps([d.to_json() for d in docs], ensure_ascii=False, indent=2))
        return 0
    if not docs:
        print("No documents have been issued.")
    for d in docs:
        about = "/".join(
            p
            for p in (
                d.subject_id,
                f"{d.event_oid}[{d.occurrence}]" if d.event_oid else None,
                d.form_oid,
            )
            if p
        )
        number = f" no. {d.number}" if d.number is not None else ""
        print(
            f"{d.issued_at}  {d.issued_by:<10} {d.kind}{number}  {about or 'site'}  "
            f"{d.pages} p.  {d.lang}  {d.content_hash[:16]}  {d.path}"
        )
    return 0


def run_verify(args: argparse.Namespace) -> int:
    printed = "".join(args.hash)
    with logged_in(args) as ws:
        matches = ws.reports.verify(printed)
    if args.json:
        print(json.dumps([m.to_json() for m in matches], ensure_ascii=False, indent=2))
    elif not matches:
        print(f"No document issued at this installation has a content hash starting {printed}.")
    for m in matches if not args.json else ():
        d = m.document
        what = f"{d.kind} of {d.subject_id or 'the site'}"
        print(f"Issued {d.issued_at} by {d.issued_by}: {what}, {d.pages} page(s), {d.path}")
        if m.unchanged:
            print("  The record is unchanged: this copy matches it today.")
        elif m.unchanged is False:
            print(
                "  The record has changed since this copy was printed "
                f"(content hash today {m.current_hash[:16]}…): print a new copy."
            )
    return 0 if matches and all(m.unchanged for m in matches) else 1
