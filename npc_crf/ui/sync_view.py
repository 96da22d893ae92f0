"""The Sync page: exchanging bundles with the coordinating center, honestly (docs/sync.md).

::

    Sync with the coordinating center
    ┌ Coordinating center ─────────────┐ ┌ This installation ───────────────┐
    │ Center CC-01, trusted … by ada   │ │ Site S01 · installation 1        │
    │ 04211 93077 12845 00931 …        │ │ 31877 04512 …  (read it out)     │
    │ [Trust another center…]          │ │ [Save identity card…]            │
    └──────────────────────────────────┘ └──────────────────────────────────┘
    ┌ Not synchronised — changes not yet acknowledged by the center: 12. … ┐
    │ Changes not yet exported: 3 · not yet acknowledged: 12 · last …       │
    └───────────────────────────────────────────────────────────────────────┘
    [Export new changes ▾] [Send to folder / USB drive… ▾] [Upload…] [Apply…]  [Refresh]
    Writing the bundle file… ████████░░░░ [Cancel]
    ┌ No. │ Created │ Kind │ Values │ Audit entries │ Queries │ Size │ Status │ Sent … ┐
    └ the chosen bundle: file, UUID, manifest SHA-256           [Open the outbox folder] ┘

Every action runs in the job runner with a progress bar and a Cancel button; the
services stop only where nothing is half-done (a cancelled export leaves no bundle).
"Synchronised" is said only of what the center acknowledged in a return bundle:
exported or sent is never enough. Afterwards the page reads the status again and
emits :attr:`SyncView.changed` (the main window refreshes its status bar).

The background jobs are the plain functions of the first section (no Qt).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf.auth.roles import Permission, allowed
from npc_crf.core.errors import BundleRefused, NpcCrfError
from npc_crf.services.sync.common import (
    ACKNOWLEDGED,
    CREATED,
    HELD,
    OutboundBundle,
    SyncCancelled,
)
from npc_crf.services.sync.outbox import ExportResult
from npc_crf.services.sync.returns import ApplyResult
from npc_crf.services.sync.send import SendResult
from npc_crf.services.sync.status import SyncStatus
from npc_crf.services.sync.trust import TrustOutcome
from npc_crf.services.sync.upload import UploadOutcome
from npc_crf.services.workspace import Workspace
from npc_crf.sync.identity import IdentityCard
from npc_crf.ui.dialogs import confirm, run_modal
from npc_crf.ui.errors import describe_error
from npc_crf.ui.i18n import QT_TRANSLATE_NOOP, ScaledLabel, role_name
from npc_crf.ui.sync_dialogs import (
    CenterUrlDialog,
    CenterUrlStore,
    FingerprintLabel,
    TrustCenterDialog,
    ask_identity_path,
    ask_return_files,
    ask_send_folder,
)
from npc_crf.ui.sync_model import (
    OutboxColumn,
    OutboxSortProxy,
    OutboxTableModel,
    size_text,
    status_text,
    time_text,
)
from npc_crf.ui.view_look import TARGET_ROLE
from npc_crf.ui.widgets.record_table import record_table
from npc_crf.ui.worker import Cancelled, Job, JobRunner, Progress

# ============================================================================ the jobs

Report = Callable[[int, int, str], None]


def reporter(progress: Progress, tag: str) -> Report:
    """A service's ``progress(done, total, what)`` that shows ``tag\\twhat`` and never
    raises: the service is stopped through its ``cancel``, at a safe point, instead."""

    def report(done: int, total: int, what: str) -> None:
        with contextlib.suppress(Cancelled):
            progress.update(done, total, f"{tag}\t{what}" if tag else what)

    return report


def read_status_job(ws: Workspace, _progress: Progress) -> SyncStatus:
    """The sync status and the outbox."""
    return ws.sync.status()


def export_job(ws: Workspace, full: bool, progress: Progress) -> ExportResult:
    """Make the next bundle; a cancel between the export's steps leaves nothing."""
    try:
        return ws.sync.export(
            full=full, progress=reporter(progress, "export"), cancel=lambda: progress.cancelled
        )
    except SyncCancelled:
        raise Cancelled from None


def send_job(
    ws: Workspace, folder: Path, uids: Sequence[str] | None, progress: Progress
) -> SendResult:
    """Copy bundles to ``folder``; a cancel stops before the next file (those copied
    already are recorded as sent)."""
    report = reporter(progress, "send")

    def between_files(done: int, total: int, what: str) -> None:
        report(done, total, what)
        if progress.cancelled and done < total:
            raise SyncCancelled("Sending was stopped.")

    try:
        return ws.sync.send_to_folder(folder, list(uids) if uids else None, between_files)
    except SyncCancelled:
        raise Cancelled from None


def trust_job(ws: Workspace, card: IdentityCard, typed: str, _progress: Progress) -> TrustOutcome:
    """Trust the center of ``card`` (the service checks the fingerprint again)."""
    return ws.sync.trust_center(card, typed)


def identity_job(ws: Workspace, path: Path, _progress: Progress) -> IdentityCard:
    """Write this installation's identity card to ``path``."""
    card = ws.sync.identity_card()
    card.write(path)
    return card


@dataclass(frozen=True)
class ApplyOutcome:
    """What became of one return bundle."""

    name: str
    result: ApplyResult | None = None
    refused: BundleRefused | None = None
    problem: str | None = None  # not readable, not allowed …


@dataclass(frozen=True)
class ApplyReport:
    """Every file chosen, and whether a cancel stopped before the end."""

    outcomes: tuple[ApplyOutcome, ...]
    stopped: bool = False


def apply_one(ws: Workspace, source: Path | bytes, name: str) -> ApplyOutcome:
    """Verify and apply one return bundle (all or nothing)."""
    try:
        return ApplyOutcome(name, result=ws.sync.apply_return(source, name))
    except BundleRefused as exc:
        return ApplyOutcome(name, refused=exc)
    except NpcCrfError as exc:
        return ApplyOutcome(name, problem=str(exc))


def apply_job(ws: Workspace, paths: Sequence[Path], progress: Progress) -> ApplyReport:
    """Apply return bundles one by one; a refused one does not stop the others, a
    cancel stops before the next file."""
    outcomes: list[ApplyOutcome] = []
    report = reporter(progress, "apply")
    for n, path in enumerate(paths, start=1):
        if progress.cancelled:
            if not outcomes:
                raise Cancelled
            return ApplyReport(tuple(outcomes), stopped=True)
        report(n - 1, len(paths), f"{n}\t{len(paths)}\t{path.name}")
        outcomes.append(apply_one(ws, path, path.name))
    return ApplyReport(tuple(outcomes))


def upload_job(ws: Workspace, url: str, progress: Progress) -> UploadOutcome:
    """Upload every bundle not acknowledged, then fetch and apply the center's return
    bundle (``ws.sync.upload``). A cancel stops at the next chunk; the server keeps what
    arrived and the next upload continues from there."""
    try:
        return ws.sync.upload(
            url, progress=reporter(progress, ""), cancel=lambda: progress.cancelled
        )
    except SyncCancelled:
        raise Cancelled from None


# ============================================================================ the words

#: tones of the summary and of a result message: (background, text)
TONES = {
    "ok": ("#e8f5e9", "#1b5e20"),
    "warn": ("#fff3e0", "#bf360c"),
    "none": ("#eceff1", "#37474f"),
    "error": ("#ffebee", "#b71c1c"),
}

#: the export's steps as the service names them, in words (context ``SyncProgress``)
EXPORT_STEPS = {
    "reading the changes": QT_TRANSLATE_NOOP("SyncProgress", "Reading the changes…"),
    "signing and encrypting": QT_TRANSLATE_NOOP("SyncProgress", "Signing and encrypting…"),
    "writing the bundle file": QT_TRANSLATE_NOOP("SyncProgress", "Writing the bundle file…"),
    "recording the bundle": QT_TRANSLATE_NOOP("SyncProgress", "Recording the bundle…"),
    "done": QT_TRANSLATE_NOOP("SyncProgress", "Done."),
}

#: the center's answers to an upload, in words (context ``SyncTexts``)
CENTER_ANSWERS = {
    "imported": QT_TRANSLATE_NOOP("SyncTexts", "imported by the center"),
    "already imported": QT_TRANSLATE_NOOP("SyncTexts", "the center already had it"),
    "held": QT_TRANSLATE_NOOP("SyncTexts", "held by the center until an earlier bundle arrives"),
    "already held": QT_TRANSLATE_NOOP(
        "SyncTexts", "held by the center until an earlier bundle arrives"
    ),
}


def _t(text: str) -> str:
    return QCoreApplication.translate("SyncTexts", text)


def numbers(values: Sequence[int]) -> str:
    """``1, 2, 5``."""
    return ", ".join(str(v) for v in values)


def progress_text(what: str) -> str:
    """The words for a job's tagged ``what`` (see the jobs above)."""
    tag, _, rest = what.partition("\t")
    parts = rest.split("\t")
    if tag == "export":
        return (
            QCoreApplication.translate("SyncProgress", EXPORT_STEPS[rest])
            if rest in EXPORT_STEPS
            else rest
        )
    if tag == "send":
        if rest == "done":
            return QCoreApplication.translate("SyncProgress", "Done.")
        return QCoreApplication.translate(
            "SyncProgress", "Copying {file} and checking the copy…"
        ).format(file=rest)
    if tag == "upload" and len(parts) >= 3:
        if len(parts) > 3 and parts[3] != "upload":
            return parts[3]
        return QCoreApplication.translate(
            "SyncProgress", "Uploading bundle {sequence} ({index} of {count})…"
        ).format(sequence=parts[0], index=parts[1], count=parts[2])
    if tag == "apply" and len(parts) >= 3:
        return QCoreApplication.translate(
            "SyncProgress", "Applying {file} ({index} of {count})…"
        ).format(file=parts[2], index=parts[0], count=parts[1])
    if tag == "connect":
        return QCoreApplication.translate("SyncProgress", "Connecting to the center…")
    if tag == "fetch":
        return QCoreApplication.translate("SyncProgress", "Fetching the center's return bundle…")
    return what


def summary(status: SyncStatus | None) -> tuple[str, str]:
    """The honest one-line state of the exchange, and its tone (``ok`` only when the
    center acknowledged everything)."""
    if status is None:
        return QCoreApplication.translate("SyncTexts", "Reading the sync status…"), "none"
    if status.center is None:
        return (
            QCoreApplication.translate(
                "SyncTexts",
                "Not synchronised: no coordinating center is trusted yet, so nothing can be "
                "exported.",
            ),
            "warn",
        )
    waiting = status.not_acknowledged
    acked = status.last_acknowledged
    if waiting == 0:
        if acked is not None:
            return (
                QCoreApplication.translate(
                    "SyncTexts", "Everything up to {time} is acknowledged by the center."
                ).format(time=time_text(acked.created_at)),
                "ok",
            )
        return QCoreApplication.translate(
            "SyncTexts", "Nothing to synchronise yet: no clinical data have been entered."
        ), "none"
    later = [b for b in status.bundles if acked is None or b.audit_to > acked.audit_to]
    if status.not_exported > 0:
        text = QCoreApplication.translate(
            "SyncTexts",
            "Not synchronised — changes not yet acknowledged by the center: {count}. Export "
            "the new changes, then send or upload the bundle.",
        )
    elif any(b.status == CREATED for b in later):
        text = QCoreApplication.translate(
            "SyncTexts",
            "Not synchronised — changes not yet acknowledged by the center: {count}. They are "
            "exported: send the bundles on a USB drive or upload them.",
        )
    elif any(b.status == HELD for b in later):
        text = QCoreApplication.translate(
            "SyncTexts",
            "Not synchronised — changes not yet acknowledged by the center: {count}. The "
            "center holds a bundle until an earlier one arrives: send every bundle not "
            "acknowledged again.",
        )
    else:
        text = QCoreApplication.translate(
            "SyncTexts",
            "Not synchronised — changes not yet acknowledged by the center: {count}. The "
            "bundles were sent; apply the center's return bundle when it arrives.",
        )
    return text.format(count=waiting), "warn"


def export_text(result: ExportResult) -> str:
    """What an export made."""
    b = result.bundle
    if b.full:
        text = QCoreApplication.translate(
            "SyncTexts",
            "Bundle {sequence} was made (full, {size}). It is in the outbox: send it on a USB "
            "drive or upload it. Nothing is synchronised until the center acknowledges it.",
        )
    else:
        text = QCoreApplication.translate(
            "SyncTexts",
            "Bundle {sequence} was made (new changes, {size}). It is in the outbox: send it on "
            "a USB drive or upload it. Nothing is synchronised until the center acknowledges it.",
        )
    return text.format(sequence=b.sequence, size=size_text(b.bytes))


def send_text(result: SendResult) -> str:
    """What a send copied."""
    if not result.files:
        return QCoreApplication.translate(
            "SyncTexts", "Nothing was sent: every bundle is acknowledged by the center."
        )
    copied = [f.bundle.sequence for f in result.files if f.copied]
    there = [f.bundle.sequence for f in result.files if not f.copied]
    lines = []
    if copied:
        lines.append(
            QCoreApplication.translate(
                "SyncTexts", "Bundles copied to {folder} and checked there: {numbers}."
            ).format(folder=result.folder, numbers=numbers(copied))
        )
    if there:
        lines.append(
            QCoreApplication.translate(
                "SyncTexts", "Already in {folder} with the same content: {numbers}."
            ).format(folder=result.folder, numbers=numbers(there))
        )
    lines.append(
        QCoreApplication.translate(
            "SyncTexts",
            "Take them to the coordinating center. They count as synchronised only once the "
            "center's return bundle acknowledges them.",
        )
    )
    return "\n".join(lines)


def refused_text(name: str, error: BundleRefused) -> str:
    """A refused return bundle, naming the check that failed."""
    return QCoreApplication.translate(
        "SyncTexts", '{file} was refused by the "{check}" check: {detail}. Nothing was applied.'
    ).format(file=name, check=error.check, detail=error.detail.rstrip("."))


def applied_text(result: ApplyResult) -> str:
    """What applying one return bundle did."""
    if result.already_applied:
        return QCoreApplication.translate(
            "SyncTexts", "{file}: already applied; nothing changed."
        ).format(file=result.file_name)
    acked = [a.sequence for a in result.acks if a.after == ACKNOWLEDGED]
    held = [a.sequence for a in result.acks if a.after == HELD]
    lines = [
        QCoreApplication.translate(
            "SyncTexts", "{file}: return bundle {sequence} of the center applied."
        ).format(file=result.file_name, sequence=result.sequence)
    ]
    if acked:
        lines.append(
            QCoreApplication.translate(
                "SyncTexts", "Bundles acknowledged by the center: {numbers}."
            ).format(numbers=numbers(acked))
        )
    if held:
        lines.append(
            QCoreApplication.translate(
                "SyncTexts", "Bundles held by the center until an earlier one arrives: {numbers}."
            ).format(numbers=numbers(held))
        )
    if not acked and not held:
        lines.append(QCoreApplication.translate("SyncTexts", "No bundle changed its status."))
    if result.queries.queries or result.queries.messages:
        lines.append(
            QCoreApplication.translate(
                "SyncTexts", "Queries from the center: {queries} new, {messages} new messages."
            ).format(queries=result.queries.queries, messages=result.queries.messages)
        )
    if result.unknown_acks:
        lines.append(
            QCoreApplication.translate(
                "SyncTexts",
                "Acknowledgements of bundles this outbox does not have were ignored: {count}.",
            ).format(count=len(result.unknown_acks))
        )
    if result.definition_version is not None and result.definition_outcome == "received":
        lines.append(
            QCoreApplication.translate(
                "SyncTexts",
                "A new study definition (version {version}) was received. It is stored, not "
                "yet in use.",
            ).format(version=result.definition_version)
        )
    return "\n".join(lines)


def outcome_text(outcome: ApplyOutcome) -> tuple[str, bool]:
    """One return bundle's outcome in words, and whether it is a failure."""
    if outcome.result is not None:
        return applied_text(outcome.result), False
    if outcome.refused is not None:
        return refused_text(outcome.name, outcome.refused), True
    return QCoreApplication.translate("SyncTexts", "{file}: {problem}").format(
        file=outcome.name, problem=outcome.problem or ""
    ), True


def apply_report_text(report: ApplyReport) -> tuple[str, str]:
    """Every file's outcome, and the tone of the whole."""
    texts = [outcome_text(o) for o in report.outcomes]
    lines = [t for t, _failed in texts]
    if report.stopped:
        lines.append(
            QCoreApplication.translate("SyncTexts", "Stopped: the other files were not applied.")
        )
    failed = any(bad for _text, bad in texts)
    return "\n".join(lines), "error" if failed else "ok"


def upload_report_text(report: UploadOutcome) -> tuple[str, str]:
    """What an upload did, bundle by bundle, and its tone."""
    lines: list[str] = []
    failed = False
    for u in report.uploads:
        if u.check is not None:
            failed = True
            lines.append(
                QCoreApplication.translate(
                    "SyncTexts",
                    'Bundle {sequence} was refused by the center ("{check}" check): {detail}.',
                ).format(sequence=u.sequence, check=u.check, detail=(u.detail or "").rstrip("."))
            )
        else:
            answer = CENTER_ANSWERS.get(u.status)
            lines.append(
                QCoreApplication.translate("SyncTexts", "Bundle {sequence}: {answer}.").format(
                    sequence=u.sequence, answer=_t(answer) if answer else u.status
                )
            )
    if report.unreachable is not None:
        lines.append(
            QCoreApplication.translate(
                "SyncTexts",
                "No connection to the center; the bundles stay in the outbox. Try again later, "
                "or send them on a USB drive.",
            )
        )
        return "\n".join(lines), "warn"
    if report.problem is not None:
        failed = True
        lines.append(report.problem)
    if report.nothing_returned:
        lines.append(
            QCoreApplication.translate(
                "SyncTexts",
                "The center had no return bundle for this installation yet; the statuses "
                "change once one is applied.",
            )
        )
    elif report.return_name is not None:
        returned = ApplyOutcome(
            report.return_name,
            result=report.applied,
            refused=report.return_refused,
            problem=report.return_problem,
        )
        text, bad = outcome_text(returned)
        failed = failed or bad
        lines.append(text)
    if not lines:
        lines.append(
            QCoreApplication.translate(
                "SyncTexts", "Nothing to upload: every bundle is acknowledged by the center."
            )
        )
    return "\n".join(lines), "error" if failed else "ok"


def trust_text(outcome: TrustOutcome) -> str:
    """What trusting a center did."""
    center = outcome.center
    if not outcome.changed:
        return QCoreApplication.translate(
            "SyncTexts", "Center {center} is already the trusted center; nothing changed."
        ).format(center=center.center_id)
    text = QCoreApplication.translate(
        "SyncTexts",
        "Center {center} is trusted now (fingerprint {fingerprint}). Bundles are encrypted "
        "for it from now on.",
    ).format(center=center.center_id, fingerprint=center.fingerprint)
    if outcome.replaced:
        text += "\n" + QCoreApplication.translate(
            "SyncTexts",
            "It replaces center {old}: the next bundle goes to the new center, starting again "
            "at number 1 with a full bundle.",
        ).format(old=outcome.replaced)
    return text


def banner_style(tone: str) -> str:
    """The style sheet of a message in ``tone``."""
    background, text = TONES[tone]
    return (
        f"QLabel {{ background: {background}; color: {text}; border: 1px solid {text}; "
        "border-radius: 3px; padding: 6px; }"
    )


# ============================================================================ the page


class SyncView(QWidget):
    """The Sync page. Emits :attr:`loaded` after the status was read and shown,
    :attr:`changed` after an action that may have changed the outbox or the data, and
    :attr:`actionEnded` (the action's name) after any action ended."""

    loaded = Signal()
    changed = Signal()
    actionEnded = Signal(str)

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        lang: str = "en",
        *,
        url_store: CenterUrlStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws, self.runner, self.lang = ws, runner, lang
        self.url_store = url_store or CenterUrlStore()
        self.can_export = allowed(ws.role, Permission.EXPORT)
        self.can_trust = allowed(ws.role, Permission.SITE_SETTINGS)
        self.sync_status: SyncStatus | None = None
        self.job: Job | None = None
        self.action = ""
        self._reading = False
        self.message_tone = ""
        self.summary_tone = ""
        self._select_next: set[str] = set()  # bundles to select once the outbox is read

        self.heading = ScaledLabel(
            self.tr("Sync with the coordinating center"),
            1.4,
            bold=True,
        )
        self._build_center_box()
        self._build_site_box()
        self._build_state_box()
        self._build_actions()
        self._build_progress()
        self._build_outbox()

        top = QHBoxLayout()
        top.addWidget(self.center_box, 1)
        top.addWidget(self.site_box, 1)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.state_box)
        layout.addLayout(self.actions_row)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.splitter, 1)
        # with a large font on a small screen the page scrolls rather than squeeze the outbox
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        self._fit_table()

        shortcut = QShortcut(QKeySequence(Qt.Key.Key_F5), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        self._show_status()

    # -- building -----------------------------------------------------------------------

    def _build_center_box(self) -> None:
        self.center_box = QGroupBox(self.tr("Coordinating center"))
        self.center_label = QLabel()
        self.center_label.setObjectName("sync_center")
        self.center_label.setWordWrap(True)
        self.center_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.center_fingerprint = FingerprintLabel(1.25)
        self.center_fingerprint.setObjectName("sync_center_fingerprint")
        self.trust_button = QPushButton()
        self.trust_button.setObjectName("sync_trust")
        self.trust_button.clicked.connect(lambda: self.trust_center())
        self.trust_button.setVisible(self.can_trust)
        self.trust_note = QLabel()
        self.trust_note.setObjectName("sync_trust_note")
        self.trust_note.setWordWrap(True)
        self.trust_note.setStyleSheet("color: #616161;")
        box = QVBoxLayout(self.center_box)
        box.addWidget(self.center_label)
        box.addWidget(self.center_fingerprint)
        row = QHBoxLayout()
        row.addWidget(self.trust_button)
        row.addStretch(1)
        box.addLayout(row)
        box.addWidget(self.trust_note)
        box.addStretch(1)

    def _build_site_box(self) -> None:
        self.site_box = QGroupBox(self.tr("This installation"))
        self.site_label = QLabel(
            self.tr("Site {site} · installation {number}").format(
                site=self.ws.site_id, number=self.ws.installation_number
            )
        )
        self.site_label.setObjectName("sync_site")
        self.site_fingerprint = FingerprintLabel(1.25)
        self.site_fingerprint.setObjectName("sync_site_fingerprint")
        note = QLabel(
            self.tr(
                "Read this fingerprint out to the center on the phone when it registers this "
                "installation's identity card.",
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #616161;")
        self.identity_button = QPushButton(self.tr("Save identity card…"))
        self.identity_button.setObjectName("sync_identity")
        self.identity_button.setToolTip(
            self.tr(
                "This installation's public keys, for the center to register (no data)",
            )
        )
        self.identity_button.clicked.connect(lambda: self.save_identity_card())
        box = QVBoxLayout(self.site_box)
        box.addWidget(self.site_label)
        box.addWidget(self.site_fingerprint)
        row = QHBoxLayout()
        row.addWidget(self.identity_button)
        row.addStretch(1)
        box.addLayout(row)
        box.addWidget(note)
        box.addStretch(1)

    def _build_state_box(self) -> None:
        self.state_box = QWidget()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("sync_summary")
        self.summary_label.setWordWrap(True)
        font = self.summary_label.font()
        font.setBold(True)
        self.summary_label.setFont(font)
        self.not_exported_label = QLabel()
        self.not_exported_label.setObjectName("sync_not_exported")
        self.not_acknowledged_label = QLabel()
        self.not_acknowledged_label.setObjectName("sync_not_acknowledged")
        self.messages_label = QLabel()
        self.messages_label.setObjectName("sync_unsent_messages")
        self.last_ack_label = QLabel()
        self.last_ack_label.setObjectName("sync_last_acknowledged")
        self.last_ack_label.setWordWrap(True)
        self.last_return_label = QLabel()
        self.last_return_label.setObjectName("sync_last_return")
        self.last_return_label.setWordWrap(True)
        self.definitions_label = QLabel()
        self.definitions_label.setObjectName("sync_definitions")
        self.definitions_label.setWordWrap(True)
        self.definitions_label.hide()
        grid = QGridLayout()
        grid.setContentsMargins(4, 0, 4, 0)
        grid.setHorizontalSpacing(24)
        grid.addWidget(self.not_exported_label, 0, 0)
        grid.addWidget(self.not_acknowledged_label, 0, 1)
        grid.addWidget(self.messages_label, 0, 2)
        grid.addWidget(self.last_ack_label, 1, 0, 1, 3)
        grid.addWidget(self.last_return_label, 2, 0, 1, 3)
        grid.setColumnStretch(2, 1)
        layout = QVBoxLayout(self.state_box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary_label)
        layout.addLayout(grid)
        layout.addWidget(self.definitions_label)

    def _build_actions(self) -> None:
        self.export_action = QAction(self.tr("Export new changes"), self)
        self.export_action.setObjectName("sync_export_action")
        self.export_action.triggered.connect(lambda: self.export())
        self.full_export_action = QAction(self.tr("Export everything (full)…"), self)
        self.full_export_action.setObjectName("sync_full_export_action")
        self.full_export_action.triggered.connect(lambda: self.export(full=True))
        self.export_button = _menu_button(
            "sync_export", self.export_action, [self.export_action, self.full_export_action]
        )
        self.send_action = QAction(self.tr("Send to folder / USB drive…"), self)
        self.send_action.setObjectName("sync_send_action")
        self.send_action.triggered.connect(lambda: self.send())
        self.send_selected_action = QAction(self.tr("Send the selected bundles…"), self)
        self.send_selected_action.setObjectName("sync_send_selected_action")
        self.send_selected_action.triggered.connect(self.send_selected)
        self.send_button = _menu_button(
            "sync_send", self.send_action, [self.send_action, self.send_selected_action]
        )
        self.upload_button = QPushButton(self.tr("Upload to the center…"))
        self.upload_button.setObjectName("sync_upload")
        self.upload_button.clicked.connect(lambda: self.upload())
        self.apply_button = QPushButton(self.tr("Apply a return bundle…"))
        self.apply_button.setObjectName("sync_apply")
        self.apply_button.clicked.connect(lambda: self.apply_returns())
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setObjectName("sync_refresh")
        self.refresh_button.setToolTip(self.tr("Read the sync status again (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        height = self.upload_button.sizeHint().height()
        for button in (self.export_button, self.send_button):
            button.setMinimumHeight(height)
        self.role_note = QLabel(
            self.tr(
                "You can read the sync status; a research nurse, an investigator or the site "
                "administrator exports and sends the bundles.",
            )
        )
        self.role_note.setObjectName("sync_role_note")
        self.role_note.setWordWrap(True)
        self.role_note.setStyleSheet("color: #616161;")
        self.role_note.setVisible(not self.can_export)
        self.actions_row = QHBoxLayout()
        for widget in (self.export_button, self.send_button, self.upload_button):
            self.actions_row.addWidget(widget)
        self.actions_row.addWidget(self.apply_button)
        self.actions_row.addWidget(self.role_note, 1)
        self.actions_row.addStretch(0 if not self.can_export else 1)
        self.actions_row.addWidget(self.refresh_button)

    def _build_progress(self) -> None:
        self.progress_row = QWidget()
        self.progress_label = QLabel()
        self.progress_label.setObjectName("sync_progress_text")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("sync_progress")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("sync_cancel")
        self.cancel_button.setToolTip(
            self.tr("Stop at the next safe point; nothing is left half-done")
        )
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress_label)
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        self.progress_row.hide()
        self.message_label = QLabel()
        self.message_label.setObjectName("sync_message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

    def _build_outbox(self) -> None:
        self.model = OutboxTableModel()
        self.proxy = OutboxSortProxy()
        self.proxy.setSourceModel(self.model)
        self.table = record_table(
            "sync_outbox", self.proxy, OutboxColumn.SEQUENCE, Qt.SortOrder.DescendingOrder
        )
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(OutboxColumn.SENT_TO, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty_label = QLabel(self.tr("The outbox is empty: no bundle was exported yet."))
        self.empty_label.setObjectName("sync_outbox_empty")
        self.empty_label.setStyleSheet("color: #616161;")
        outbox_title = QLabel(self.tr("Outbox (newest first)"))
        title_font = outbox_title.font()
        title_font.setBold(True)
        outbox_title.setFont(title_font)
        self.details_label = QLabel()
        self.details_label.setObjectName("sync_details")
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.open_folder_button = QPushButton(self.tr("Open the outbox folder"))
        self.open_folder_button.setObjectName("sync_open_folder")
        self.open_folder_button.setToolTip(str(self.ws.site.data.exports))
        self.open_folder_button.clicked.connect(self.open_outbox_folder)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(outbox_title)
        upper_layout.addWidget(self.empty_label)
        upper_layout.addWidget(self.table, 1)
        lower = QWidget()
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.details_label, 1)
        lower_layout.addWidget(self.open_folder_button, 0, Qt.AlignmentFlag.AlignTop)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("sync_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)

    # -- reading and showing the status ---------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while an action (not a mere reading) runs."""
        return self.job is not None

    def refresh(self) -> Job | None:
        """Read the sync status and the outbox again (in the job runner)."""
        if self._reading:
            return None
        self._reading = True
        job = self.runner.start("sync status", functools.partial(read_status_job, self.ws))
        job.finished.connect(self._status_read)
        job.failed.connect(self._status_failed)
        job.ended.connect(self._reading_ended)
        return job

    def _reading_ended(self) -> None:
        self._reading = False

    def _status_read(self, status: object) -> None:
        if not shiboken6.isValid(self) or not isinstance(status, SyncStatus):
            return
        self.sync_status = status
        self._show_status()
        self.loaded.emit()

    def _status_failed(self, error: object) -> None:
        if shiboken6.isValid(self):
            self._say(describe_error(error), "error")

    def _show_status(self) -> None:
        status = self.sync_status
        text, tone = summary(status)
        self.summary_label.setText(text)
        self.summary_label.setStyleSheet(banner_style(tone))
        self.summary_tone = tone
        self._show_center(status)
        self._show_counts(status)
        selected = set(self.selected_uids()) | self._select_next
        self._select_next = set()
        self.model.set_bundles(status.bundles if status is not None else ())
        self.empty_label.setVisible(status is not None and not status.bundles)
        self._select(selected)
        self._show_details()
        self._update_actions()

    def _show_center(self, status: SyncStatus | None) -> None:
        center = status.center if status is not None else None
        if status is not None:
            self.site_fingerprint.show_fingerprint(status.installation_fingerprint)
        if center is None:
            self.center_label.setText(self.tr("No coordinating center trusted yet."))
            self.center_label.setStyleSheet("color: #bf360c; font-weight: bold;")
            self.center_fingerprint.show_fingerprint("")
            self.center_fingerprint.hide()
            self.trust_button.setText(self.tr("Trust the center…"))
            self.trust_note.setText(
                self.tr(
                    "The site administrator trusts the center once: with its identity card and "
                    "the fingerprint the center reads out on the phone.",
                )
                if not self.can_trust
                else self.tr(
                    "You need the center's identity card (a file) and a phone call with the "
                    "center to compare the fingerprint.",
                )
            )
            return
        self.center_label.setStyleSheet("")
        self.center_label.setText(
            self.tr("Center {center}, trusted {when} by {user}. Its fingerprint:").format(
                center=center.center_id, when=time_text(center.trusted_at), user=center.trusted_by
            )
        )
        self.center_fingerprint.show_fingerprint(center.fingerprint)
        self.center_fingerprint.show()
        self.trust_button.setText(self.tr("Trust another center…"))
        self.trust_note.setText(
            ""
            if self.can_trust
            else self.tr("Only the site administrator can trust another coordinating center.")
        )
        self.trust_note.setVisible(not self.can_trust)

    def _show_counts(self, status: SyncStatus | None) -> None:
        if status is None:
            for label in (
                self.not_exported_label,
                self.not_acknowledged_label,
                self.messages_label,
                self.last_ack_label,
                self.last_return_label,
            ):
                label.clear()
            return
        self.not_exported_label.setText(
            self.tr("Changes not yet exported: {count}").format(count=status.not_exported)
        )
        self.not_acknowledged_label.setText(
            self.tr("Changes not yet acknowledged by the center: {count}").format(
                count=status.not_acknowledged
            )
        )
        self.messages_label.setText(
            self.tr("Query messages not yet exported: {count}").format(
                count=status.unsent_query_messages
            )
        )
        acked = status.last_acknowledged
        if acked is None:
            self.last_ack_label.setText(
                self.tr(
                    "Last acknowledged: nothing yet — no change is confirmed at the center.",
                )
            )
        else:
            self.last_ack_label.setText(
                self.tr(
                    "Last acknowledged: bundle {sequence}, made {made}, acknowledged {acked}.",
                ).format(
                    sequence=acked.sequence,
                    made=time_text(acked.created_at),
                    acked=time_text(acked.acked_at) or "—",
                )
            )
        if status.last_return_sequence is None:
            self.last_return_label.setText(self.tr("No return bundle applied yet."))
        else:
            self.last_return_label.setText(
                self.tr("Last return bundle: number {sequence}, applied {when}.").format(
                    sequence=status.last_return_sequence, when=time_text(status.last_return_at)
                )
            )
        received = [d for d in status.definitions if d.status == "received"]
        self.definitions_label.setVisible(bool(received))
        if received:
            self.definitions_label.setText(
                self.tr(
                    "A new study definition was received (version {versions}); it is stored "
                    "and not yet in use.",
                ).format(versions=", ".join(d.version for d in received))
            )

    def _update_actions(self) -> None:
        status = self.sync_status
        has_center = status is not None and status.center is not None
        idle = self.job is None
        if not self.can_export:
            why = self.tr(
                "Your role ({role}) may not export, send or apply bundles; research nurses, "
                "investigators and the site administrator can.",
            ).format(role=role_name(self.ws.role))
        elif status is None:
            why = self.tr("Reading the sync status…")
        elif not has_center:
            why = self.tr(
                "No coordinating center is trusted yet: the site administrator trusts it first.",
            )
        else:
            why = ""
        usable = self.can_export and has_center and idle
        tips = {
            self.export_button: self.tr(
                "Make a bundle of the changes since the last one (the first is always full)",
            ),
            self.send_button: self.tr(
                "Copy every bundle not acknowledged to a folder or USB drive, checked there",
            ),
            self.upload_button: self.tr(
                "Upload the bundles not acknowledged and fetch the center's return bundle",
            ),
            self.apply_button: self.tr(
                "Apply the acknowledgements and queries the center sent (.npcr files)",
            ),
        }
        for button, tip in tips.items():
            button.setEnabled(usable)
            button.setToolTip(why or tip)
        for action, tip in (
            (self.export_action, tips[self.export_button]),
            (self.full_export_action, ""),
            (self.send_action, tips[self.send_button]),
        ):
            action.setEnabled(usable)
            action.setToolTip(why or tip or action.text())
        self.send_selected_action.setEnabled(usable and bool(self.selected_uids()))
        self.identity_button.setEnabled(self.can_export and idle)
        if not self.can_export:
            self.identity_button.setToolTip(why)
        self.trust_button.setEnabled(self.can_trust and idle and status is not None)
        self.refresh_button.setEnabled(idle)

    # -- the outbox table -------------------------------------------------------------------

    def shown_bundles(self) -> list[OutboundBundle]:
        """The bundles in the table, in the order shown."""
        return [
            self.model.bundle(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
            for r in range(self.proxy.rowCount())
        ]

    def selected_uids(self) -> list[str]:
        """The bundles selected in the table."""
        return [str(i.data(TARGET_ROLE)) for i in self.table.selectionModel().selectedRows()]

    def select_bundles(self, uids: Sequence[str]) -> None:
        """Select the rows of ``uids`` (e.g. before *Send the selected bundles*)."""
        self.table.clearSelection()
        self._select(set(uids))

    def _select(self, uids: set[str]) -> None:
        selection = self.table.selectionModel()
        first: QModelIndex | None = None
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(TARGET_ROLE) in uids:
                selection.select(
                    index,
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )
                first = first or index
        if first is not None:
            self.table.scrollTo(first)

    def _selection_changed(self, *_args: object) -> None:
        self._show_details()
        self._update_actions()

    def _show_details(self) -> None:
        uids = self.selected_uids()
        bundles = {b.uid: b for b in self.model.bundles()}
        chosen = [bundles[u] for u in uids if u in bundles]
        if len(chosen) != 1:
            self.details_label.setText(
                self.tr("Choose a bundle to see its file name, UUID and manifest hash.")
                if not chosen
                else self.tr("Bundles selected: {numbers}").format(
                    numbers=numbers(sorted(b.sequence for b in chosen))
                )
            )
            return
        b = chosen[0]
        gap = "    "
        lines = [
            self.tr("Bundle {sequence} · {status}").format(
                sequence=b.sequence, status=status_text(b.status)
            )
            + gap
            + self.tr("Made by {user}; audit entries {first}–{last}").format(
                user=b.created_by, first=b.audit_from + 1, last=b.audit_to
            ),
            self.tr("File: {file}").format(file=b.file_name)
            + gap
            + self.tr("Bundle UUID: {uid}").format(uid=b.uid),
            self.tr("Manifest SHA-256: {hash}").format(hash=b.manifest_sha256),
        ]
        if b.sent_to:
            lines.append(
                self.tr("Last sent {when} to {folder}").format(
                    when=time_text(b.sent_at), folder=b.sent_to
                )
            )
        self.details_label.setText("\n".join(lines))

    def _fit_table(self) -> None:
        """Keep room for a few bundles whatever the font size."""
        rows = self.table.verticalHeader().defaultSectionSize() * 5
        self.table.setMinimumHeight(rows + self.table.horizontalHeader().sizeHint().height() + 4)
        # a folder can be long: it gets a fixed share (elided in the middle, whole in the tooltip)
        width = self.table.fontMetrics().horizontalAdvance("/media/nurse/USB-DRIVE")
        self.table.horizontalHeader().resizeSection(OutboxColumn.SENT_TO, width)

    def changeEvent(self, event: QEvent) -> None:
        """Follow font-size changes (the outbox keeps room for five bundles)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange):
            self._fit_table()

    def open_outbox_folder(self) -> None:
        """Show the outbox folder in the file manager."""
        folder = self.ws.site.data.exports
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # -- running an action --------------------------------------------------------------------

    def _start(
        self,
        action: str,
        text: str,
        work: Callable[[Progress], object],
        done: Callable[[object], None],
    ) -> Job:
        """Run ``work`` with the progress strip showing; ``done(result)`` on success."""
        self.action = action
        self.message_label.hide()
        self.progress_label.setText(text)
        self.progress_bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("Cancel"))
        self.progress_row.show()
        job = self.runner.start(f"sync {action}", work)
        self.job = job
        self._update_actions()
        job.progress.connect(self._progress)
        job.finished.connect(functools.partial(self._finished, done))
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.ended.connect(self._ended)
        return job

    def cancel(self) -> None:
        """Ask the running action to stop at its next safe point."""
        if self.job is not None:
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

    def _finished(self, done: Callable[[object], None], result: object) -> None:
        if shiboken6.isValid(self):
            done(result)

    def _failed(self, error: object) -> None:
        if shiboken6.isValid(self):
            self._say(describe_error(error), "error")

    def _cancelled(self) -> None:
        if not shiboken6.isValid(self):
            return
        texts = {
            "export": self.tr("The export was cancelled; no bundle was made."),
            "send": self.tr(
                "Sending was stopped. Bundles copied before the stop are in the folder and "
                "marked sent.",
            ),
            "upload": self.tr(
                "The upload was stopped. The center keeps what arrived; the next upload "
                "continues from there.",
            ),
            "apply": self.tr("Stopped before any return bundle was applied."),
        }
        self._say(
            texts.get(self.action, self.tr("Cancelled.")),
            "none",
        )

    def _ended(self) -> None:
        if not shiboken6.isValid(self):
            return
        action, self.job = self.action, None
        self.progress_row.hide()
        self._update_actions()
        self.refresh()
        self.changed.emit()
        self.actionEnded.emit(action)

    def _say(self, text: str, tone: str) -> None:
        self.message_tone = tone
        self.message_label.setText(text)
        self.message_label.setStyleSheet(banner_style(tone))
        self.message_label.show()

    @property
    def message(self) -> str:
        """The result or error of the last action, as shown (empty when none)."""
        return "" if self.message_label.isHidden() else self.message_label.text()

    def _can_act(self) -> bool:
        return self.job is None and self.can_export

    # -- the actions ---------------------------------------------------------------------------

    def export(self, full: bool = False) -> Job | None:
        """Make the next bundle (a full one after a confirmation saying when it is needed)."""
        if not self._can_act():
            return None
        if full and not confirm(
            self,
            self.tr("Export everything"),
            self.tr(
                "A full bundle carries every value, audit entry and query of this site again. "
                "It is needed when a bundle file was lost from the outbox or the center asks "
                "for it; otherwise export the new changes. Make a full bundle now?",
            ),
        ):
            return None
        return self._start(
            "export",
            self.tr("Exporting…"),
            functools.partial(export_job, self.ws, full),
            self._exported,
        )

    def _exported(self, result: object) -> None:
        if isinstance(result, ExportResult):
            self._say(export_text(result), "ok")
            self.table.clearSelection()
            self._select_next = {result.bundle.uid}

    def not_acknowledged(self) -> list[OutboundBundle]:
        """The bundles of the outbox the center has not acknowledged."""
        return [b for b in self.model.bundles() if b.status != ACKNOWLEDGED]

    def send(self, folder: Path | None = None, uids: Sequence[str] | None = None) -> Job | None:
        """Copy bundles (default: every one not acknowledged) to ``folder`` (asked for)."""
        if not self._can_act():
            return None
        if not uids and not self.not_acknowledged():
            self._say(
                QCoreApplication.translate(
                    "SyncTexts", "Nothing was sent: every bundle is acknowledged by the center."
                ),
                "ok",
            )
            return None
        target = folder or ask_send_folder(self)
        if target is None:
            return None
        return self._start(
            "send",
            self.tr("Sending…"),
            functools.partial(send_job, self.ws, target, list(uids) if uids else None),
            self._sent,
        )

    def send_selected(self) -> Job | None:
        """Copy the bundles selected in the table to a folder (asked for)."""
        uids = self.selected_uids()
        return self.send(uids=uids) if uids else None

    def _sent(self, result: object) -> None:
        if isinstance(result, SendResult):
            self._say(send_text(result), "ok")

    def upload(self, url: str | None = None) -> Job | None:
        """Upload the bundles not acknowledged to ``url`` (asked for, remembered), then
        fetch and apply the center's return bundle."""
        if not self._can_act():
            return None
        key = f"{self.ws.study.oid}/{self.ws.site_id}"
        if url is None:
            dialog = CenterUrlDialog(self.url_store.get(key), self)
            if run_modal(dialog) != CenterUrlDialog.DialogCode.Accepted:
                return None
            url = dialog.url
        self.url_store.remember(key, url)
        return self._start(
            "upload",
            self.tr("Connecting to the center…"),
            functools.partial(upload_job, self.ws, url),
            self._uploaded,
        )

    def _uploaded(self, result: object) -> None:
        if isinstance(result, UploadOutcome):
            text, tone = upload_report_text(result)
            self._say(text, tone)

    def apply_returns(self, paths: Sequence[Path] | None = None) -> Job | None:
        """Verify and apply return bundles (files asked for; several at once)."""
        if not self._can_act():
            return None
        chosen = list(paths) if paths is not None else ask_return_files(self)
        if not chosen:
            return None
        return self._start(
            "apply",
            self.tr("Applying return bundles…"),
            functools.partial(apply_job, self.ws, chosen),
            self._applied,
        )

    def _applied(self, result: object) -> None:
        if isinstance(result, ApplyReport):
            text, tone = apply_report_text(result)
            self._say(text, tone)

    def trust_center(
        self, card: IdentityCard | None = None, typed: str | None = None
    ) -> Job | None:
        """Trust the coordinating center (the dialog asks for the card and the fingerprint)."""
        if self.job is not None or not self.can_trust:
            return None
        if card is None or typed is None:
            current = self.sync_status.center if self.sync_status is not None else None
            dialog = TrustCenterDialog(
                self.ws.study.oid, current.center_id if current else None, self
            )
            if run_modal(dialog) != TrustCenterDialog.DialogCode.Accepted or dialog.card is None:
                return None
            card, typed = dialog.card, dialog.typed
        return self._start(
            "trust",
            self.tr("Trusting the center…"),
            functools.partial(trust_job, self.ws, card, typed),
            self._trusted,
        )

    def _trusted(self, result: object) -> None:
        if isinstance(result, TrustOutcome):
            self._say(trust_text(result), "ok")

    def identity_card_path(self) -> Path:
        """The suggested file for this installation's identity card."""
        name = (
            f"{self.ws.study.oid}-{self.ws.site_id}-{self.ws.installation_number:02d}.identity.json"
        )
        return Path.home() / name

    def save_identity_card(self, path: Path | None = None) -> Job | None:
        """Write this installation's identity card (public keys only) to a file."""
        if not self._can_act():
            return None
        target = path or ask_identity_path(self, self.identity_card_path())
        if target is None:
            return None
        return self._start(
            "identity",
            self.tr("Writing the identity card…"),
            functools.partial(identity_job, self.ws, target),
            functools.partial(self._identity_saved, target),
        )

    def _identity_saved(self, path: Path, result: object) -> None:
        if isinstance(result, IdentityCard):
            self._say(
                self.tr(
                    "The identity card was written to {path}. Send it to the coordinating "
                    "center and read them the fingerprint {fingerprint} on the phone.",
                ).format(path=path, fingerprint=result.fingerprint),
                "ok",
            )


def _menu_button(name: str, default: QAction, actions: Sequence[QAction]) -> QToolButton:
    """A button that runs ``default`` and offers ``actions`` in its menu (the arrow)."""
    for action in actions:
        action.setIconText(action.text())  # a tool button would drop the "…"
    button = QToolButton()
    button.setObjectName(name)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setDefaultAction(default)
    menu = QMenu(button)
    for action in actions:
        menu.addAction(action)
    button.setMenu(menu)
    return button
