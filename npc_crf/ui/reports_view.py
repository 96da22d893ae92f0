"""The Reports page: printed documents (PDF) from the store, and the register of those issued.

::

    Printed documents
    ┌ Document ──────────────┐ ┌ Subject casebook ─────────────────────────────────┐
    │ Blank CRF              │ │ Every event and form of a subject with its values, │
    │ Annotated CRF          │ │ queries, SDV, signatures and audit trail.          │
    │ Subject casebook     ◀ │ │ ☑ S01-01-0001  ☐ S01-01-0002 …   [All] [None]      │
    │ SAE report             │ │ One subject ticked: one PDF file.                  │
    │ Query report           │ │ Language [English ▾]              [Create PDF…]    │
    │ SDV report             │ └────────────────────────────────────────────────────┘
    └────────────────────────┘
    Printing the casebook of S01-01-0002 (2 of 3)… ████████░░░░ [Cancel]
    Wrote S01-01-0001-casebook.pdf: 23 pages, content hash 3f9a…      [Open] [Show folder]
    Issued documents                                                        [Refresh]
    ┌ Issued │ By │ Document │ Subject │ Pages │ Content hash │ File ┐
    Match a printed copy: [content hash as printed      ] [Match]

The documents are rendered and written by ``ws.reports`` (which also records each
one holding clinical data in the audit trail) in the job runner, with a progress
strip; CRFs and casebooks can be cancelled between pages, and a batch of
casebooks keeps the files finished before the cancel. The file or folder is
asked for through :attr:`ReportsView.choose_file` and
:attr:`ReportsView.choose_folder`, which tests replace.

The background jobs are the plain functions of the first section (no Qt).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPalette,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from npc_crf.core.errors import NpcCrfError, UsageError
from npc_crf.services.reports.kinds import ReportKind, default_name
from npc_crf.services.workspace import Workspace
from npc_crf.ui import labels
from npc_crf.ui.errors import describe_error
from npc_crf.ui.i18n import LANGUAGES, ScaledLabel
from npc_crf.ui.worker import Cancelled, Job, JobRunner, Progress

if TYPE_CHECKING:  # reportlab is imported only when a document is printed
    from npc_crf.services.reports.issue import IssuedDocument
    from npc_crf.services.reports.sae_data import SaeRef
    from npc_crf.services.reports.service import Match

# ============================================================================ the jobs

#: the kinds in the order the page lists them
KINDS: tuple[ReportKind, ...] = (
    ReportKind.BLANK_CRF,
    ReportKind.ANNOTATED_CRF,
    ReportKind.CASEBOOK,
    ReportKind.SAE,
    ReportKind.QUERIES,
    ReportKind.SDV,
)

#: kinds whose rendering stops between pages when cancelled
CANCELLABLE = frozenset({ReportKind.BLANK_CRF, ReportKind.ANNOTATED_CRF, ReportKind.CASEBOOK})


@dataclass(frozen=True)
class PrintRequest:
    """One document (or a batch of casebooks) to print, as chosen on the page."""

    kind: ReportKind
    lang: str
    #: the PDF file to write, or the folder of a batch of casebooks
    target: Path
    #: CRFs: the forms (None: the whole study)
    form_oids: tuple[str, ...] | None = None
    #: casebooks (several: a batch into the folder ``target``); SAE, queries, SDV: one or none
    subject_ids: tuple[str, ...] = ()
    #: SAE reports: the AE's occurrence
    occurrence: int | None = None
    #: query reports: closed queries too
    include_closed: bool = True

    @property
    def batch(self) -> bool:
        """True for casebooks of several subjects (one file each, into a folder)."""
        return self.kind is ReportKind.CASEBOOK and len(self.subject_ids) > 1

    @property
    def subject_id(self) -> str | None:
        """The one subject of the document (None: the whole site)."""
        return self.subject_ids[0] if self.subject_ids else None


@dataclass
class BatchCount:
    """How far a batch of casebooks got (written by the job, read once it ended)."""

    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class Printed:
    """What a print job wrote: the documents and the full paths of their files."""

    request: PrintRequest
    documents: tuple[IssuedDocument, ...]
    paths: tuple[Path, ...]

    @property
    def folder(self) -> Path:
        """The folder the files are in."""
        return self.paths[0].parent if self.paths else self.request.target


def _page_reporter(progress: Progress) -> Callable[[int], None]:
    """A renderer's ``progress(page)``, shown as ``page\\tN``; never raises (the renderer
    is stopped through its ``cancelled``, at the start of a page, instead)."""

    def report(page: int) -> None:
        with contextlib.suppress(Cancelled):
            progress.update(page, 0, f"page\t{page}")

    return report


def print_job(
    ws: Workspace, request: PrintRequest, count: BatchCount, progress: Progress
) -> Printed:
    """Render and issue the document(s) of ``request``; a cancel is :class:`Cancelled`."""
    from npc_crf.reports.document import ReportCancelled

    reports = ws.reports
    kind, lang, target = request.kind, request.lang, request.target

    def cancelled() -> bool:
        return progress.cancelled

    try:
        if kind in (ReportKind.BLANK_CRF, ReportKind.ANNOTATED_CRF):
            docs = [
                reports.crf(
                    target,
                    lang=lang,
                    form_oids=list(request.form_oids) if request.form_oids else None,
                    annotated=kind is ReportKind.ANNOTATED_CRF,
                    progress=_page_reporter(progress),
                    cancelled=cancelled,
                )
            ]
        elif kind is ReportKind.CASEBOOK and request.batch:
            count.total = len(request.subject_ids)

            def between(done: int, total: int, subject: str) -> None:
                count.done = done
                with contextlib.suppress(Cancelled):
                    progress.update(done, total, f"subject\t{done + 1}\t{total}\t{subject}")

            docs = reports.casebooks(
                list(request.subject_ids),
                target,
                lang=lang,
                progress=between,
                cancelled=cancelled,
            )
            return Printed(request, tuple(docs), tuple(target / d.path for d in docs))
        elif kind is ReportKind.CASEBOOK:
            docs = [
                reports.casebook(
                    request.subject_ids[0],
                    target,
                    lang=lang,
                    progress=_page_reporter(progress),
                    cancelled=cancelled,
                )
            ]
        elif kind is ReportKind.SAE:
            if request.subject_id is None or request.occurrence is None:
                raise UsageError("Choose the serious adverse event to report.")
            docs = [reports.sae(request.subject_id, request.occurrence, target, lang=lang)]
        elif kind is ReportKind.QUERIES:
            docs = [
                reports.queries(
                    target,
                    subject_id=request.subject_id,
                    lang=lang,
                    include_closed=request.include_closed,
                )
            ]
        else:
            docs = [reports.sdv(target, subject_id=request.subject_id, lang=lang)]
    except ReportCancelled:
        raise Cancelled from None
    return Printed(request, tuple(docs), (target,))


@dataclass(frozen=True)
class Loaded:
    """What the page shows besides the choices: subjects, serious AEs, issued documents."""

    subject_ids: tuple[str, ...]
    saes: tuple[SaeRef, ...]
    #: why the serious AEs could not be listed (empty when they could)
    sae_error: str
    issued: tuple[IssuedDocument, ...]
    #: why the register could not be read (empty when it could)
    issued_error: str = ""


def load_job(ws: Workspace, _progress: Progress) -> Loaded:
    """The subjects, the serious AEs and the register of issued documents."""
    subject_ids = tuple(s.subject_id for s in ws.subjects.list())
    saes: tuple[SaeRef, ...] = ()
    sae_error = issued_error = ""
    try:
        saes = tuple(ws.reports.saes())
    except NpcCrfError as exc:
        sae_error = str(exc)
    issued: tuple[IssuedDocument, ...] = ()
    try:
        issued = tuple(ws.reports.issued())
    except NpcCrfError as exc:
        issued_error = str(exc)
    return Loaded(subject_ids, saes, sae_error, issued, issued_error)


@dataclass(frozen=True)
class Verified:
    """The printed hash as typed and the issued documents it matches."""

    typed: str
    matches: tuple[Match, ...] = field(default_factory=tuple)


def verify_job(ws: Workspace, typed: str, _progress: Progress) -> Verified:
    """Match a hash printed on a document to the documents issued here."""
    return Verified(typed, tuple(ws.reports.verify(typed)))


# ============================================================================ the words


def _t(text: str) -> str:
    return QCoreApplication.translate("ReportTexts", text)


def kind_title(kind: ReportKind | str) -> str:
    """A kind of document in words ("Subject casebook")."""
    titles = {
        ReportKind.BLANK_CRF: QCoreApplication.translate("ReportTexts", "Blank CRF"),
        ReportKind.ANNOTATED_CRF: QCoreApplication.translate("ReportTexts", "Annotated CRF"),
        ReportKind.CASEBOOK: QCoreApplication.translate("ReportTexts", "Subject casebook"),
        ReportKind.SAE: QCoreApplication.translate("ReportTexts", "SAE report"),
        ReportKind.QUERIES: QCoreApplication.translate("ReportTexts", "Query report"),
        ReportKind.SDV: QCoreApplication.translate("ReportTexts", "SDV report"),
    }
    try:
        return titles[ReportKind(kind)]
    except ValueError:
        return str(kind)


def kind_description(kind: ReportKind) -> str:
    """One line on what a kind of document holds."""
    texts = {
        ReportKind.BLANK_CRF: QCoreApplication.translate(
            "ReportTexts",
            "The study's forms to fill in by hand: sections, items, units, tick boxes.",
        ),
        ReportKind.ANNOTATED_CRF: QCoreApplication.translate(
            "ReportTexts",
            "The blank CRF annotated with item OIDs, data types, codes, ranges and checks.",
        ),
        ReportKind.CASEBOOK: QCoreApplication.translate(
            "ReportTexts",
            "A subject's forms with their values, queries, SDV, signatures and audit trail.",
        ),
        ReportKind.SAE: QCoreApplication.translate(
            "ReportTexts",
            "A serious adverse event laid out after the CIOMS I form, initial or follow-up.",
        ),
        ReportKind.QUERIES: QCoreApplication.translate(
            "ReportTexts", "The queries of the site or of one subject, with their threads."
        ),
        ReportKind.SDV: QCoreApplication.translate(
            "ReportTexts", "Source data verification of the site or of one subject, by form."
        ),
    }
    return texts[kind]


def document_title(doc: IssuedDocument) -> str:
    """What an issued document is, with the number of an SAE report."""
    if doc.kind == ReportKind.SAE and doc.number is not None:
        if doc.number == 0:
            return QCoreApplication.translate("ReportTexts", "SAE report, initial")
        return QCoreApplication.translate("ReportTexts", "SAE report, follow-up {number}").format(
            number=doc.number
        )
    return kind_title(doc.kind)


def about_text(doc: IssuedDocument) -> str:
    """Whom a document is about: a subject (and AE), or the whole site."""
    if doc.subject_id is None:
        return QCoreApplication.translate("ReportTexts", "whole site")
    if doc.kind == ReportKind.SAE and doc.occurrence is not None:
        return QCoreApplication.translate("ReportTexts", "{subject}, AE {occurrence}").format(
            subject=doc.subject_id, occurrence=doc.occurrence
        )
    return doc.subject_id


def short_hash(content_hash: str) -> str:
    """The first 16 digits of a content hash, as the documents' footers print them."""
    return content_hash[:16]


def progress_text(what: str) -> str:
    """The words for a print job's tagged progress."""
    tag, _, rest = what.partition("\t")
    parts = rest.split("\t")
    if tag == "page":
        return QCoreApplication.translate("ReportTexts", "Laying out page {page}…").format(
            page=rest
        )
    if tag == "subject" and len(parts) == 3:
        index, total, subject = parts
        if not subject:
            return QCoreApplication.translate("ReportTexts", "Done.")
        return QCoreApplication.translate(
            "ReportTexts", "Printing the casebook of {subject} ({index} of {count})…"
        ).format(subject=subject, index=index, count=total)
    return what


def printed_text(printed: Printed) -> str:
    """What a print job wrote, file by file."""
    lines = []
    if printed.request.batch:
        lines.append(
            QCoreApplication.translate(
                "ReportTexts", "Wrote {count} casebooks into {folder}:"
            ).format(count=len(printed.documents), folder=printed.folder)
        )
    for doc, path in zip(printed.documents, printed.paths, strict=True):
        if doc.content_hash:
            lines.append(
                QCoreApplication.translate(
                    "ReportTexts", "Wrote {file}: {pages} pages, content hash {hash}."
                ).format(file=path, pages=doc.pages, hash=doc.content_hash)
            )
        else:
            lines.append(
                QCoreApplication.translate("ReportTexts", "Wrote {file}: {pages} pages.").format(
                    file=path, pages=doc.pages
                )
            )
    if any(d.audit_seq is not None for d in printed.documents):
        lines.append(
            QCoreApplication.translate(
                "ReportTexts",
                "The file holds clinical data: keep it as safely as the paper record. Its issue "
                "is recorded in the audit trail.",
            )
        )
    return "\n".join(lines)


def cancelled_text(request: PrintRequest, count: BatchCount) -> str:
    """What a cancel left behind."""
    if request.batch:
        return QCoreApplication.translate(
            "ReportTexts",
            "Cancelled: {done} of {total} casebooks were finished and are kept in {folder}; "
            "the one being printed was not written.",
        ).format(done=count.done, total=count.total, folder=request.target)
    return QCoreApplication.translate("ReportTexts", "Cancelled: no file was written.")


def match_text(match: Match) -> str:
    """One issued document a printed hash matches, and whether its record changed since."""
    doc = match.document
    issued = QCoreApplication.translate(
        "ReportTexts",
        "{document} of {about}, issued {when} by {user} ({file}, {pages} pages)",
    ).format(
        document=document_title(doc),
        about=about_text(doc),
        when=labels.moment_text(doc.issued_at),
        user=doc.issued_by,
        file=doc.path,
        pages=doc.pages,
    )
    if match.unchanged is True:
        return QCoreApplication.translate(
            "ReportTexts", "{issued}: the record is unchanged since it was printed."
        ).format(issued=issued)
    if match.unchanged is False:
        return QCoreApplication.translate(
            "ReportTexts",
            "{issued}: the record has changed since it was printed; its content hash is "
            "{hash} today.",
        ).format(issued=issued, hash=short_hash(match.current_hash) or "—")
    return QCoreApplication.translate(
        "ReportTexts", "{issued}: this document cannot be checked against today's record."
    ).format(issued=issued)


def verified_text(result: Verified) -> tuple[str, str]:
    """The outcome of matching a printed hash, and its tone."""
    if not result.matches:
        return (
            QCoreApplication.translate(
                "ReportTexts",
                "No document issued at this installation has a content hash starting with "
                "{hash}. Check the digits, or the copy was printed elsewhere.",
            ).format(hash=result.typed.strip()),
            "warn",
        )
    lines = [match_text(m) for m in result.matches]
    tone = "ok" if all(m.unchanged is True for m in result.matches) else "warn"
    return "\n".join(lines), tone


#: tones of a message: (background, text)
TONES = {
    "ok": ("#e8f5e9", "#1b5e20"),
    "warn": ("#fff3e0", "#bf360c"),
    "none": ("#eceff1", "#37474f"),
    "error": ("#ffebee", "#b71c1c"),
}


def banner_style(tone: str) -> str:
    """The style sheet of a message in ``tone``."""
    background, text = TONES[tone]
    return (
        f"QLabel {{ background: {background}; color: {text}; border: 1px solid {text}; "
        "border-radius: 3px; padding: 6px; }"
    )


# ============================================================================ choosing files

#: asks for a file: (parent, caption, suggested path) → the chosen path, or None
FileChooser = Callable[[QWidget, str, Path], "Path | None"]


def ask_pdf_file(parent: QWidget, caption: str, suggested: Path) -> Path | None:
    """A save dialog for a PDF file (``.pdf`` added when the name has no suffix)."""
    name, _filter = QFileDialog.getSaveFileName(
        parent,
        caption,
        str(suggested),
        QCoreApplication.translate("ReportTexts", "PDF documents (*.pdf)"),
    )
    if not name:
        return None
    path = Path(name)
    return path if path.suffix else path.with_suffix(".pdf")


def ask_folder(parent: QWidget, caption: str, suggested: Path) -> Path | None:
    """A dialog for an existing folder."""
    name = QFileDialog.getExistingDirectory(parent, caption, str(suggested))
    return Path(name) if name else None


# ============================================================================ the page


#: the item role holding a kind's one-line description
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 1


class KindDelegate(QStyledItemDelegate):
    """Draws a kind of document as its title (bold) over its description (wrapped)."""

    PAD = 6

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        bold = QFont(option.font)
        bold.setBold(True)
        return bold, QFont(option.font)

    def _width(self, option: QStyleOptionViewItem) -> int:
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QListWidget) else option.rect.width()
        return max(80, width - 2 * self.PAD)

    def _heights(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> tuple[int, int]:
        bold, plain = self._fonts(option)
        width = self._width(option)
        wrap = int(Qt.TextFlag.TextWordWrap)
        title = QFontMetrics(bold).boundingRect(
            QRect(0, 0, width, 10_000), wrap, str(index.data(Qt.ItemDataRole.DisplayRole))
        )
        text = QFontMetrics(plain).boundingRect(
            QRect(0, 0, width, 10_000), wrap, str(index.data(DESCRIPTION_ROLE) or "")
        )
        return title.height(), text.height()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        title, text = self._heights(option, index)
        return QSize(self._width(option), title + text + 3 * self.PAD)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        panel = QStyleOptionViewItem(option)
        self.initStyleOption(panel, index)
        panel.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, panel, painter, widget)
        bold, plain = self._fonts(option)
        title_height, _text = self._heights(option, index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        wrap = int(Qt.TextFlag.TextWordWrap)
        rect = option.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        painter.save()
        painter.setFont(bold)
        painter.setPen(option.palette.color(role))
        painter.drawText(rect, wrap, str(index.data(Qt.ItemDataRole.DisplayRole)))
        painter.setFont(plain)
        if not selected:
            painter.setPen(QColor("#546e7a"))
        painter.drawText(
            rect.adjusted(0, title_height + self.PAD // 2, 0, 0),
            wrap,
            str(index.data(DESCRIPTION_ROLE) or ""),
        )
        painter.restore()


class KindList(QListWidget):
    """The kinds of documents, every one in sight: the list grows with its wrapped rows
    (the page scrolls) instead of scrolling itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(KindDelegate(self))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(False)
        self.setWordWrap(True)

    def rows_height(self) -> int:
        """The height every row needs at the present width."""
        rows = sum(self.sizeHintForRow(r) for r in range(self.count()))
        return rows + 2 * self.frameWidth() + 2

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Grow or shrink with the rows as the width changes."""
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()
        height = self.rows_height()
        if height != self.minimumHeight():
            self.setMinimumHeight(height)


class SaeColumn:
    """The columns of the serious-AE table."""

    SUBJECT, AE, TERM, ONSET, GRADE = range(5)


class IssuedColumn:
    """The columns of the issued-documents table."""

    TIME, BY, KIND, ABOUT, PAGES, HASH, FILE = range(7)


class ReportsView(QWidget):
    """The Reports page. Emits :attr:`loaded` after the subjects, serious AEs and issued
    documents were read, :attr:`printed` (a :class:`Printed`) after a document was written,
    :attr:`actionEnded` (``print`` or ``verify``) after an action ended however it ended."""

    loaded = Signal()
    printed = Signal(object)
    actionEnded = Signal(str)

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        lang: str = "en",
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws, self.runner, self.lang = ws, runner, lang
        #: asks for the PDF file to write (tests answer without a dialog)
        self.choose_file: FileChooser = ask_pdf_file
        #: asks for the folder of a batch of casebooks
        self.choose_folder: FileChooser = ask_folder
        #: opens a file or folder in the desktop's viewer
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.last_folder = Path.home()
        self.data: Loaded | None = None
        self.job: Job | None = None
        self.action = ""
        self.last_printed: Printed | None = None
        self.message_tone = ""
        self.verify_tone = ""
        self._reading = False
        self._request: PrintRequest | None = None
        self._count = BatchCount()
        self._ticked: set[str] = set()  # casebook subjects ticked (kept across reloads)
        self._sae_wanted: tuple[str, int] | None = None  # an SAE chosen before the list came

        self.heading = ScaledLabel(self.tr("Printed documents"), 1.4, bold=True)
        self._build_kinds()
        self._build_options()
        self._build_progress()
        self._build_issued()

        top = QHBoxLayout()
        top.addWidget(self.kinds_box, 2)
        top.addWidget(self.options_box, 5)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.heading)
        layout.addLayout(top, 3)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.result_row)
        layout.addWidget(self.issued_box, 2)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)

        shortcut = QShortcut(QKeySequence(Qt.Key.Key_F5), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        self.kind_list.setCurrentRow(KINDS.index(ReportKind.CASEBOOK))
        self._update_actions()

    # -- building -----------------------------------------------------------------------

    def _build_kinds(self) -> None:
        self.kinds_box = QGroupBox(self.tr("Document"))
        self.kind_list = KindList()
        self.kind_list.setObjectName("report_kinds")
        for kind in KINDS:
            item = QListWidgetItem(kind_title(kind))
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            item.setData(DESCRIPTION_ROLE, kind_description(kind))
            item.setToolTip(kind_description(kind))
            self.kind_list.addItem(item)
        self.kind_list.currentRowChanged.connect(self._kind_changed)
        box = QVBoxLayout(self.kinds_box)
        box.addWidget(self.kind_list)

    def _build_options(self) -> None:
        self.options_box = QGroupBox()
        self.options_box.setObjectName("report_options")
        self.description = QLabel()
        self.description.setObjectName("report_description")
        self.description.setWordWrap(True)
        self.panels = QStackedWidget()
        self.crf_panel = self._crf_panel()
        self.casebook_panel = self._casebook_panel()
        self.sae_panel = self._sae_panel()
        self.monitoring_panel = self._monitoring_panel()
        for panel in (self.crf_panel, self.casebook_panel, self.sae_panel, self.monitoring_panel):
            self.panels.addWidget(panel)
        self.lang_combo = QComboBox()
        self.lang_combo.setObjectName("report_language")
        for code, name in LANGUAGES.items():
            self.lang_combo.addItem(name, code)
        self.lang_combo.setCurrentIndex(max(0, self.lang_combo.findData(self.lang)))
        self.create_button = QPushButton(self.tr("Create PDF…"))
        self.create_button.setObjectName("report_create")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(lambda: self.print_document())
        self.why_not = QLabel()
        self.why_not.setObjectName("report_why_not")
        self.why_not.setWordWrap(True)
        self.why_not.setStyleSheet("color: #616161;")
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Language of the document:")))
        row.addWidget(self.lang_combo)
        row.addStretch(1)
        row.addWidget(self.create_button)
        box = QVBoxLayout(self.options_box)
        box.addWidget(self.description)
        box.addWidget(self.panels, 1)
        box.addLayout(row)
        box.addWidget(self.why_not)

    def _crf_panel(self) -> QWidget:
        panel = QWidget()
        self.crf_all = QRadioButton(self.tr("All forms of the study"))
        self.crf_all.setObjectName("crf_all")
        self.crf_one = QRadioButton(self.tr("One form:"))
        self.crf_one.setObjectName("crf_one")
        self.crf_all.setChecked(True)
        self.crf_group = QButtonGroup(panel)
        self.crf_group.addButton(self.crf_all)
        self.crf_group.addButton(self.crf_one)
        self.crf_form = QComboBox()
        self.crf_form.setObjectName("crf_form")
        for oid in form_order(self.ws):
            form = self.ws.study.forms[oid]
            self.crf_form.addItem(
                self.tr("{title} ({oid})").format(title=form.title.get(self.lang), oid=oid), oid
            )
        self.crf_form.setEnabled(False)
        self.crf_one.toggled.connect(self.crf_form.setEnabled)
        self.crf_one.toggled.connect(lambda _on: self._update_actions())
        note = QLabel(
            self.tr(
                "A CRF holds no clinical data: it is written without an entry in the audit trail."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #616161;")
        grid = QGridLayout(panel)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.crf_all, 0, 0, 1, 2)
        grid.addWidget(self.crf_one, 1, 0)
        grid.addWidget(self.crf_form, 1, 1)
        grid.addWidget(note, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(3, 1)
        return panel

    def _casebook_panel(self) -> QWidget:
        panel = QWidget()
        self.subject_list = QListWidget()
        self.subject_list.setObjectName("casebook_subjects")
        self.subject_list.itemChanged.connect(self._subject_ticked)
        self.all_button = QPushButton(self.tr("All"))
        self.all_button.setObjectName("casebook_all")
        self.all_button.clicked.connect(lambda: self.tick_subjects(self.subject_ids()))
        self.none_button = QPushButton(self.tr("None"))
        self.none_button.setObjectName("casebook_none")
        self.none_button.clicked.connect(lambda: self.tick_subjects(()))
        self.casebook_mode = QLabel()
        self.casebook_mode.setObjectName("casebook_mode")
        self.casebook_mode.setWordWrap(True)
        buttons = QVBoxLayout()
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.none_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.subject_list, 1)
        row.addLayout(buttons)
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel(self.tr("Subjects (tick one or more):")))
        box.addLayout(row, 1)
        box.addWidget(self.casebook_mode)
        return panel

    def _sae_panel(self) -> QWidget:
        panel = QWidget()
        self.sae_table = QTableWidget(0, 5)
        self.sae_table.setObjectName("sae_table")
        self.sae_table.setHorizontalHeaderLabels(
            [self.tr("Subject"), self.tr("AE"), self.tr("Term"), self.tr("Onset"), self.tr("Grade")]
        )
        self.sae_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sae_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sae_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sae_table.setAlternatingRowColors(True)
        self.sae_table.verticalHeader().hide()
        header = self.sae_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SaeColumn.TERM, QHeaderView.ResizeMode.Stretch)
        self.sae_table.itemSelectionChanged.connect(self._update_actions)
        self.sae_table.doubleClicked.connect(lambda _i: self.print_document())
        self.sae_note = QLabel()
        self.sae_note.setObjectName("sae_note")
        self.sae_note.setWordWrap(True)
        self.sae_note.setStyleSheet("color: #616161;")
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel(self.tr("Serious adverse events (choose one):")))
        box.addWidget(self.sae_table, 1)
        box.addWidget(self.sae_note)
        return panel

    def _monitoring_panel(self) -> QWidget:
        panel = QWidget()
        self.scope_site = QRadioButton(self.tr("Whole site"))
        self.scope_site.setObjectName("scope_site")
        self.scope_subject = QRadioButton(self.tr("One subject:"))
        self.scope_subject.setObjectName("scope_subject")
        self.scope_site.setChecked(True)
        self.scope_group = QButtonGroup(panel)
        self.scope_group.addButton(self.scope_site)
        self.scope_group.addButton(self.scope_subject)
        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("scope_subject_combo")
        self.scope_combo.setEnabled(False)
        self.scope_subject.toggled.connect(self.scope_combo.setEnabled)
        self.scope_subject.toggled.connect(lambda _on: self._update_actions())
        self.open_only = QCheckBox(self.tr("Open queries only"))
        self.open_only.setObjectName("open_queries_only")
        grid = QGridLayout(panel)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.scope_site, 0, 0, 1, 2)
        grid.addWidget(self.scope_subject, 1, 0)
        grid.addWidget(self.scope_combo, 1, 1)
        grid.addWidget(self.open_only, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(3, 1)
        return panel

    def _build_progress(self) -> None:
        self.progress_row = QWidget()
        self.progress_label = QLabel()
        self.progress_label.setObjectName("report_progress_text")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("report_progress")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("report_cancel")
        self.cancel_button.setToolTip(
            self.tr("Stop at the next page; a document not finished is not written")
        )
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress_label)
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        self.progress_row.hide()
        self.result_row = QWidget()
        self.message_label = QLabel()
        self.message_label.setObjectName("report_message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.setObjectName("report_open")
        self.open_button.setToolTip(self.tr("Open the PDF in the viewer of this computer"))
        self.open_button.clicked.connect(self.open_document)
        self.folder_button = QPushButton(self.tr("Show folder"))
        self.folder_button.setObjectName("report_show_folder")
        self.folder_button.setToolTip(self.tr("Show the folder of the PDF in the file manager"))
        self.folder_button.clicked.connect(self.show_folder)
        buttons = QVBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        row = QHBoxLayout(self.result_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.message_label, 1)
        row.addLayout(buttons)
        self.result_row.hide()

    def _build_issued(self) -> None:
        self.issued_box = QGroupBox(self.tr("Issued documents"))
        self.issued_table = QTableWidget(0, 7)
        self.issued_table.setObjectName("issued_table")
        self.issued_table.setHorizontalHeaderLabels(
            [
                self.tr("Issued"),
                self.tr("By"),
                self.tr("Document"),
                self.tr("About"),
                self.tr("Pages"),
                self.tr("Content hash"),
                self.tr("File"),
            ]
        )
        self.issued_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.issued_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.issued_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.issued_table.setAlternatingRowColors(True)
        self.issued_table.setWordWrap(False)
        self.issued_table.verticalHeader().hide()
        header = self.issued_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        rows = self.issued_table.verticalHeader().defaultSectionSize() * 4
        self.issued_table.setMinimumHeight(rows + header.sizeHint().height() + 4)
        self.issued_note = QLabel()
        self.issued_note.setObjectName("issued_note")
        self.issued_note.setWordWrap(True)
        self.issued_note.setStyleSheet("color: #616161;")
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setObjectName("report_refresh")
        self.refresh_button.setToolTip(
            self.tr("Read the subjects and the issued documents again (F5)")
        )
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_edit = QLineEdit()
        self.verify_edit.setObjectName("verify_hash")
        self.verify_edit.setPlaceholderText(
            self.tr("the content hash printed on the copy (at least 8 digits)")
        )
        self.verify_edit.returnPressed.connect(lambda: self.verify())
        self.verify_edit.textChanged.connect(lambda _t: self._update_actions())
        self.verify_button = QPushButton(self.tr("Match"))
        self.verify_button.setObjectName("verify_button")
        self.verify_button.setToolTip(
            self.tr("Find the issued document and say whether its record changed since")
        )
        self.verify_button.clicked.connect(lambda: self.verify())
        self.verify_label = QLabel()
        self.verify_label.setObjectName("verify_result")
        self.verify_label.setWordWrap(True)
        self.verify_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_label.hide()
        top = QHBoxLayout()
        top.addWidget(self.issued_note, 1)
        top.addWidget(self.refresh_button)
        match = QHBoxLayout()
        match.addWidget(QLabel(self.tr("Match a printed copy:")))
        match.addWidget(self.verify_edit, 1)
        match.addWidget(self.verify_button)
        box = QVBoxLayout(self.issued_box)
        box.addLayout(top)
        box.addWidget(self.issued_table, 1)
        box.addLayout(match)
        box.addWidget(self.verify_label)

    # -- reading ------------------------------------------------------------------------

    def refresh(self) -> Job | None:
        """Read the subjects, the serious AEs and the issued documents again."""
        if self._reading:
            return None
        self._reading = True
        self.issued_note.setText(self.tr("Reading…"))
        job = self.runner.start("reports load", functools.partial(load_job, self.ws))
        job.finished.connect(self._loaded)
        job.failed.connect(self._load_failed)
        job.ended.connect(self._reading_ended)
        return job

    def _reading_ended(self) -> None:
        self._reading = False

    def _loaded(self, data: object) -> None:
        if not shiboken6.isValid(self) or not isinstance(data, Loaded):
            return
        self.data = data
        self._fill_subjects(data.subject_ids)
        self._fill_saes(data)
        self._fill_issued(data)
        self._update_actions()
        self.loaded.emit()

    def _load_failed(self, error: object) -> None:
        if shiboken6.isValid(self):
            self.issued_note.setText("")
            self._say(describe_error(error), "error")

    def subject_ids(self) -> list[str]:
        """The subjects of the site, as listed."""
        return [
            str(self.subject_list.item(r).data(Qt.ItemDataRole.UserRole))
            for r in range(self.subject_list.count())
        ]

    def _fill_subjects(self, subject_ids: Sequence[str]) -> None:
        wanted = list(subject_ids) + sorted(self._ticked - set(subject_ids))
        self.subject_list.blockSignals(True)
        self.subject_list.clear()
        for subject in wanted:
            item = QListWidgetItem(subject)
            item.setData(Qt.ItemDataRole.UserRole, subject)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = subject in self._ticked
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.subject_list.addItem(item)
        self.subject_list.blockSignals(False)
        chosen = self.scope_combo.currentData()
        self.scope_combo.clear()
        for subject in wanted:
            self.scope_combo.addItem(subject, subject)
        if chosen is not None:
            self.scope_combo.setCurrentIndex(max(0, self.scope_combo.findData(chosen)))
        self._show_mode()

    def _fill_saes(self, data: Loaded) -> None:
        chosen = self._sae_wanted or self.chosen_sae()
        self.sae_table.setRowCount(0)
        for ref in data.saes:
            row = self.sae_table.rowCount()
            self.sae_table.insertRow(row)
            cells = (
                ref.subject_id,
                self.tr("AE {occurrence}").format(occurrence=ref.occurrence),
                _text(ref.term.get(self.lang)),
                _text(ref.onset.get(self.lang) if ref.onset is not None else None),
                _text(ref.grade.get(self.lang) if ref.grade is not None else None),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, (ref.subject_id, ref.occurrence))
                self.sae_table.setItem(row, column, item)
        if data.sae_error:
            self.sae_note.setText(data.sae_error)
        elif not data.saes:
            self.sae_note.setText(self.tr("No serious adverse event is recorded at this site."))
        else:
            self.sae_note.setText(
                self.tr(
                    "A report whose content differs from the last one issued is the next "
                    "follow-up report; printing the same content again keeps its number."
                )
            )
        if chosen is not None:
            self.choose_sae(*chosen)

    def _fill_issued(self, data: Loaded) -> None:
        self.issued_table.setSortingEnabled(False)
        self.issued_table.setRowCount(0)
        for doc in reversed(data.issued):  # newest first
            row = self.issued_table.rowCount()
            self.issued_table.insertRow(row)
            cells = {
                IssuedColumn.TIME: labels.moment_text(doc.issued_at),
                IssuedColumn.BY: doc.issued_by,
                IssuedColumn.KIND: document_title(doc),
                IssuedColumn.ABOUT: about_text(doc),
                IssuedColumn.PAGES: str(doc.pages),
                IssuedColumn.HASH: short_hash(doc.content_hash),
                IssuedColumn.FILE: doc.path,
            }
            for column, text in cells.items():
                item = QTableWidgetItem(text)
                if column == IssuedColumn.HASH:
                    item.setToolTip(doc.content_hash)
                if column == IssuedColumn.PAGES:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.issued_table.setItem(row, column, item)
        if data.issued_error:
            self.issued_note.setText(data.issued_error)
        elif data.issued:
            self.issued_note.setText(
                self.tr(
                    "Documents with clinical data written at this installation, newest first "
                    "(from the audit trail). Blank CRFs are not recorded."
                )
            )
        else:
            self.issued_note.setText(
                self.tr("No document with clinical data was issued at this installation yet.")
            )

    def issued_rows(self) -> list[list[str]]:
        """The issued-documents table as shown (newest first)."""
        return table_texts(self.issued_table)

    # -- choosing -----------------------------------------------------------------------

    @property
    def kind(self) -> ReportKind:
        """The kind of document chosen."""
        row = self.kind_list.currentRow()
        return KINDS[row] if 0 <= row < len(KINDS) else ReportKind.CASEBOOK

    def choose_kind(self, kind: ReportKind) -> None:
        """Choose a kind of document (as a click in the list does)."""
        self.kind_list.setCurrentRow(KINDS.index(kind))

    def _kind_changed(self, _row: int) -> None:
        kind = self.kind
        self.options_box.setTitle(kind_title(kind))
        self.description.setText(kind_description(kind))
        panels = {
            ReportKind.BLANK_CRF: self.crf_panel,
            ReportKind.ANNOTATED_CRF: self.crf_panel,
            ReportKind.CASEBOOK: self.casebook_panel,
            ReportKind.SAE: self.sae_panel,
            ReportKind.QUERIES: self.monitoring_panel,
            ReportKind.SDV: self.monitoring_panel,
        }
        self.panels.setCurrentWidget(panels[kind])
        self.open_only.setVisible(kind is ReportKind.QUERIES)
        self._update_actions()

    def tick_subjects(self, subject_ids: Sequence[str]) -> None:
        """Tick exactly ``subject_ids`` in the casebook list (others are unticked)."""
        wanted = set(subject_ids)
        missing = wanted - set(self.subject_ids())
        self._ticked = wanted
        if missing:  # chosen before the list was read: the list is filled again
            self._fill_subjects(self.subject_ids())
        else:
            self.subject_list.blockSignals(True)
            for row in range(self.subject_list.count()):
                item = self.subject_list.item(row)
                on = item.data(Qt.ItemDataRole.UserRole) in wanted
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.subject_list.blockSignals(False)
        self._show_mode()
        self._update_actions()

    def ticked_subjects(self) -> list[str]:
        """The subjects ticked for casebooks, in list order."""
        return [s for s in self.subject_ids() if s in self._ticked]

    def _subject_ticked(self, item: QListWidgetItem) -> None:
        subject = str(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked:
            self._ticked.add(subject)
        else:
            self._ticked.discard(subject)
        self._show_mode()
        self._update_actions()

    def _show_mode(self) -> None:
        count = len(self._ticked)
        if count == 0:
            text = self.tr("Tick the subjects whose casebooks to print.")
        elif count == 1:
            text = self.tr("One subject ticked: one PDF file, whose name you choose.")
        else:
            text = self.tr(
                "{count} subjects ticked: one PDF file per subject, into a folder you choose."
            ).format(count=count)
        self.casebook_mode.setText(text)

    def choose_casebook(self, subject_id: str) -> None:
        """The casebook of ``subject_id`` alone, chosen (from the casebook's Print button)."""
        self.choose_kind(ReportKind.CASEBOOK)
        self.tick_subjects([subject_id])

    def choose_sae(self, subject_id: str, occurrence: int) -> bool:
        """The SAE report of ``subject_id``'s AE ``occurrence``, chosen; False while the list
        is not read yet or does not hold it (it is chosen once the list holds it)."""
        self.choose_kind(ReportKind.SAE)
        for row in range(self.sae_table.rowCount()):
            item = self.sae_table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == (subject_id, occurrence):
                self.sae_table.selectRow(row)
                self.sae_table.scrollToItem(item)
                self._sae_wanted = None
                return True
        self._sae_wanted = (subject_id, occurrence)
        self.sae_table.clearSelection()
        self._update_actions()
        return False

    def chosen_sae(self) -> tuple[str, int] | None:
        """The serious AE chosen: (subject, occurrence)."""
        if self._sae_wanted is not None:
            return self._sae_wanted
        rows = self.sae_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.sae_table.item(rows[0].row(), 0)
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return (str(value[0]), int(value[1])) if value else None

    def sae_rows(self) -> list[list[str]]:
        """The serious-AE table as shown."""
        return table_texts(self.sae_table)

    @property
    def document_lang(self) -> str:
        """The language the document is printed in."""
        return str(self.lang_combo.currentData())

    def problem(self) -> str:
        """Why the chosen document cannot be printed yet (empty when it can)."""
        kind = self.kind
        if self.job is not None:
            return self.tr("A document is being printed.")
        if kind is ReportKind.CASEBOOK and not self._ticked:
            return self.tr("Tick at least one subject.")
        if kind is ReportKind.SAE and self.chosen_sae() is None:
            return self.tr("Choose a serious adverse event in the table.")
        if (
            kind in (ReportKind.QUERIES, ReportKind.SDV)
            and self.scope_subject.isChecked()
            and not self.scope_combo.currentData()
        ):
            return self.tr("Choose the subject.")
        if (
            kind in (ReportKind.BLANK_CRF, ReportKind.ANNOTATED_CRF)
            and self.crf_one.isChecked()
            and not self.crf_form.currentData()
        ):
            return self.tr("Choose the form.")
        return ""

    def _update_actions(self) -> None:
        why = self.problem()
        idle = self.job is None
        self.create_button.setEnabled(not why)
        self.why_not.setText(why if idle else "")
        self.why_not.setVisible(bool(why) and idle)
        self.refresh_button.setEnabled(idle)
        self.verify_button.setEnabled(idle and bool(self.verify_edit.text().strip()))
        self.kind_list.setEnabled(idle)
        self.panels.setEnabled(idle)
        self.lang_combo.setEnabled(idle)

    def request(self, target: Path) -> PrintRequest:
        """The document chosen on the page, to be written to ``target``."""
        kind, lang = self.kind, self.document_lang
        if kind in (ReportKind.BLANK_CRF, ReportKind.ANNOTATED_CRF):
            oid = self.crf_form.currentData() if self.crf_one.isChecked() else None
            return PrintRequest(kind, lang, target, form_oids=(str(oid),) if oid else None)
        if kind is ReportKind.CASEBOOK:
            return PrintRequest(kind, lang, target, subject_ids=tuple(self.ticked_subjects()))
        if kind is ReportKind.SAE:
            chosen = self.chosen_sae()
            subject, occurrence = chosen if chosen is not None else ("", 0)
            return PrintRequest(kind, lang, target, subject_ids=(subject,), occurrence=occurrence)
        return PrintRequest(
            kind,
            lang,
            target,
            subject_ids=(self.scope,) if self.scope else (),
            include_closed=not self.open_only.isChecked(),
        )

    @property
    def scope(self) -> str | None:
        """Queries and SDV: the one subject chosen (None: the whole site)."""
        subject = self.scope_combo.currentData() if self.scope_subject.isChecked() else None
        return str(subject) if subject else None

    def suggested_name(self) -> str:
        """The file name offered for the chosen document."""
        kind = self.kind
        if kind in (ReportKind.BLANK_CRF, ReportKind.ANNOTATED_CRF):
            oid = self.crf_form.currentData() if self.crf_one.isChecked() else ""
            return default_name(kind, None, str(oid or ""))
        if kind is ReportKind.CASEBOOK:
            ticked = self.ticked_subjects()
            return default_name(kind, ticked[0] if ticked else None)
        if kind is ReportKind.SAE:
            chosen = self.chosen_sae()
            if chosen is None:
                return default_name(kind)
            return default_name(kind, chosen[0], f"AE{chosen[1]}")
        return default_name(kind, self.scope)

    # -- printing -----------------------------------------------------------------------

    def print_document(self, target: Path | None = None) -> Job | None:
        """Print the chosen document: ask for the file (or, for several casebooks, the
        folder) unless ``target`` is given, then render and write it in the job runner."""
        if self.problem():
            return None
        batch = self.kind is ReportKind.CASEBOOK and len(self._ticked) > 1
        if target is None:
            if batch:
                target = self.choose_folder(
                    self, self.tr("Folder for the casebooks"), self.last_folder
                )
            else:
                target = self.choose_file(
                    self, self.tr("Save the PDF as"), self.last_folder / self.suggested_name()
                )
            if target is None:
                return None
        self.last_folder = target if batch else target.parent
        request = self.request(target)
        return self._start(request)

    def _start(self, request: PrintRequest) -> Job:
        self.action = "print"
        self._request = request
        self._count = BatchCount(0, len(request.subject_ids) if request.batch else 0)
        self.result_row.hide()
        self.progress_label.setText(
            self.tr("Printing the {document}…").format(document=kind_title(request.kind))
        )
        self.progress_bar.setRange(0, 0)
        self.cancel_button.setVisible(request.kind in CANCELLABLE)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("Cancel"))
        self.progress_row.show()
        job = self.runner.start(
            f"print {request.kind.value}",
            functools.partial(print_job, self.ws, request, self._count),
        )
        self.job = job
        self._update_actions()
        job.progress.connect(self._progress)
        job.finished.connect(self._printed)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.ended.connect(self._ended)
        return job

    def cancel(self) -> None:
        """Ask the running print to stop at the start of its next page."""
        if self.job is not None and self.action == "print":
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText(self.tr("Cancelling…"))

    def _progress(self, done: int, total: int, what: str) -> None:
        if not shiboken6.isValid(self):
            return
        self.progress_label.setText(progress_text(what))
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        else:
            self.progress_bar.setRange(0, 0)

    def _printed(self, result: object) -> None:
        if not shiboken6.isValid(self) or not isinstance(result, Printed):
            return
        self.last_printed = result
        self._say(printed_text(result), "ok")
        self.open_button.setVisible(not result.request.batch and len(result.paths) == 1)
        self.folder_button.setVisible(True)
        self.printed.emit(result)

    def _failed(self, error: object) -> None:
        if shiboken6.isValid(self):
            self._say(describe_error(error), "error")

    def _cancelled(self) -> None:
        if shiboken6.isValid(self) and self._request is not None:
            self._say(cancelled_text(self._request, self._count), "none")
            batch = self._request.batch and self._count.done > 0
            self.folder_button.setVisible(batch)
            if batch:
                self.last_printed = Printed(self._request, (), ())

    def _ended(self) -> None:
        if not shiboken6.isValid(self):
            return
        action, self.job = self.action, None
        self.progress_row.hide()
        self._update_actions()
        self.refresh()
        self.actionEnded.emit(action)

    def _say(self, text: str, tone: str) -> None:
        self.message_tone = tone
        self.message_label.setText(text)
        self.message_label.setStyleSheet(banner_style(tone))
        self.open_button.hide()
        self.folder_button.hide()
        self.result_row.show()

    @property
    def message(self) -> str:
        """The result or error of the last print, as shown (empty when none)."""
        return "" if self.result_row.isHidden() else self.message_label.text()

    def open_document(self) -> None:
        """Open the PDF just written in the desktop's viewer."""
        printed = self.last_printed
        if printed is not None and printed.paths:
            self.open_url(QUrl.fromLocalFile(str(printed.paths[0])))

    def show_folder(self) -> None:
        """Show the folder of the PDF(s) just written in the file manager."""
        printed = self.last_printed
        if printed is not None:
            self.open_url(QUrl.fromLocalFile(str(printed.folder)))

    # -- matching a printed copy -------------------------------------------------------------

    def verify(self, typed: str | None = None) -> Job | None:
        """Match the content hash printed on a copy (typed in the field, or ``typed``)."""
        if typed is not None:
            self.verify_edit.setText(typed)
        text = self.verify_edit.text().strip()
        if not text or self.job is not None:
            return None
        self.action = "verify"
        self.verify_label.hide()
        job = self.runner.start("report verify", functools.partial(verify_job, self.ws, text))
        self.job = job
        self._update_actions()
        job.finished.connect(self._verified)
        job.failed.connect(self._verify_failed)
        job.ended.connect(self._verify_ended)
        return job

    def _verified(self, result: object) -> None:
        if shiboken6.isValid(self) and isinstance(result, Verified):
            text, tone = verified_text(result)
            self._say_verify(text, tone)

    def _verify_failed(self, error: object) -> None:
        if shiboken6.isValid(self):
            self._say_verify(describe_error(error), "error")

    def _verify_ended(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.job = None
        self._update_actions()
        self.actionEnded.emit("verify")

    def _say_verify(self, text: str, tone: str) -> None:
        self.verify_tone = tone
        self.verify_label.setText(text)
        self.verify_label.setStyleSheet(banner_style(tone))
        self.verify_label.show()

    @property
    def verify_message(self) -> str:
        """The outcome of the last match, as shown (empty when none)."""
        return "" if self.verify_label.isHidden() else self.verify_label.text()


def form_order(ws: Workspace) -> list[str]:
    """The study's forms in schedule order (first event first), then any others."""
    study = ws.study
    seen: dict[str, None] = {}
    for event in study.events:
        for oid in event.forms:
            if oid in study.forms:
                seen.setdefault(oid)
    for oid in study.forms:
        seen.setdefault(oid)
    return list(seen)


def table_texts(table: QTableWidget) -> list[list[str]]:
    """A table's texts, row by row as shown."""
    rows = []
    for r in range(table.rowCount()):
        items = [table.item(r, c) for c in range(table.columnCount())]
        rows.append([item.text() if item is not None else "" for item in items])
    return rows


def _text(value: Any) -> str:
    """A value of the serious-AE list as text (the dash when there is none)."""
    if value is None or value == "":
        return labels.missing_text()
    return str(value)


__all__ = [
    "KINDS",
    "BatchCount",
    "Loaded",
    "PrintRequest",
    "Printed",
    "ReportsView",
    "Verified",
    "print_job",
    "progress_text",
]
