"""Dialogs of the Sync page: trusting the coordinating center, the center's address, files.

* :class:`TrustCenterDialog` — the site administrator picks the center's identity card,
  sees its fingerprint in large digits, and types the fingerprint the center reads out
  on the phone; a mismatch is refused in the dialog (which says which groups differ) and
  the service checks it again (docs/sync.md §1);
* :class:`CenterUrlDialog` — the address of ``npc-crf center serve`` for an upload;
* :class:`CenterUrlStore` — remembers that address per site in the person's
  configuration folder, beside the interface preferences (never clinical data);
* ``ask_*`` — the file and folder choosers (modal; None or empty when cancelled).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import urllib.parse
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf.core.errors import UsageError
from npc_crf.core.logs import LOGGER
from npc_crf.sync.fingerprint import GROUPS, normalize_fingerprint
from npc_crf.sync.identity import IdentityCard
from npc_crf.ui.dialogs import run_modal
from npc_crf.ui.i18n import ScaledLabel
from npc_crf.ui.prefs import default_prefs_path
from npc_crf.ui.view_look import ALERT_COLOUR

#: digits of a fingerprint (eight groups of five)
FINGERPRINT_DIGITS = 5 * GROUPS


def fingerprint_lines(fingerprint: str) -> str:
    """A fingerprint on two lines of four groups, as it is shown large (to read out)."""
    groups = fingerprint.split()
    half = len(groups) // 2
    return " ".join(groups[:half]) + "\n" + " ".join(groups[half:])


def differing_groups(expected: str, typed: str) -> list[int]:
    """The numbers (1–8) of the groups of ``typed`` that differ from ``expected``.

    ``typed`` must already be forty digits (spaces, dashes and dots are ignored).
    """
    want = expected.split()
    got = normalize_fingerprint(typed).split()
    return [n for n, (a, b) in enumerate(zip(want, got, strict=True), start=1) if a != b]


def typed_digits(text: str) -> str:
    """The digits of a typed fingerprint (what the person typed, without separators)."""
    return re.sub(r"[^0-9]", "", text)


class FingerprintLabel(ScaledLabel):
    """A fingerprint in large fixed-width digits, selectable, on two lines."""

    def __init__(self, factor: float = 1.6, parent: QWidget | None = None) -> None:
        super().__init__("", factor=factor, bold=True, fixed=True, parent=parent)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint = ""

    def show_fingerprint(self, fingerprint: str) -> None:
        """Show ``fingerprint`` (empty: nothing)."""
        self.fingerprint = fingerprint
        self.setText(fingerprint_lines(fingerprint) if fingerprint else "")


class TrustCenterDialog(QDialog):
    """Choose the center's identity card and type the fingerprint read out on the phone.

    After ``exec()`` returns Accepted, :attr:`card` is the card and :attr:`typed` the
    fingerprint typed (it matched the card's); the caller asks the service to trust it.
    """

    def __init__(
        self, study_oid: str, current_center: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trust_center_dialog")
        self.setWindowTitle(self.tr("Trust the coordinating center"))
        self.setMinimumWidth(620)
        self.study_oid = study_oid
        self.card: IdentityCard | None = None
        self.typed = ""
        self.refusals = 0

        intro = QLabel(
            self.tr(
                "1. Choose the identity card the coordinating center sent (a .json file).\n"
                "2. Phone the center and ask them to read out their fingerprint.\n"
                "3. Type the digits you hear. The center is trusted only if they match the card."
            )
        )
        intro.setWordWrap(True)
        replacing = QLabel(
            self.tr(
                "This site trusts center {center} now. Trusting another center replaces it: "
                "bundles then go to the new center, starting again at number 1 with a full "
                "bundle, and return bundles of the old center are refused."
            ).format(center=current_center)
        )
        replacing.setObjectName("trust_replacing")
        replacing.setWordWrap(True)
        replacing.setStyleSheet("color: #bf360c;")
        replacing.setVisible(current_center is not None)
        self.choose_button = QPushButton(self.tr("Choose the card file…"))
        self.choose_button.setObjectName("trust_choose_card")
        self.choose_button.clicked.connect(self.choose_card)
        self.file_label = QLabel(self.tr("No card chosen yet."))
        self.file_label.setObjectName("trust_card_file")
        self.file_label.setWordWrap(True)
        self.center_label = QLabel()
        self.center_label.setObjectName("trust_center")
        self.center_label.setWordWrap(True)
        self.fingerprint = FingerprintLabel(1.8)
        self.fingerprint.setObjectName("trust_fingerprint")
        self.fingerprint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fingerprint_caption = QLabel(self.tr("Fingerprint computed from the card's keys:"))
        self.typed_edit = QLineEdit()
        self.typed_edit.setObjectName("trust_typed")
        self.typed_edit.setPlaceholderText("00000 00000 00000 00000 00000 00000 00000 00000")
        self.typed_edit.setEnabled(False)
        self.typed_edit.textChanged.connect(self._update)
        typed_font = self.typed_edit.font()
        typed_font.setPointSizeF(max(typed_font.pointSizeF(), 9.0) * 1.3)
        self.typed_edit.setFont(typed_font)
        self.error_label = QLabel()
        self.error_label.setObjectName("trust_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ALERT_COLOUR}; font-weight: bold;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Trust this center"))
        self.ok_button.setObjectName("trust_ok")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        choose_row = QHBoxLayout()
        choose_row.addWidget(self.choose_button)
        choose_row.addWidget(self.file_label, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(replacing)
        layout.addLayout(choose_row)
        layout.addWidget(self.center_label)
        layout.addWidget(self.fingerprint_caption)
        layout.addWidget(self.fingerprint)
        typed_label = QLabel(self.tr("Fingerprint read out by the center (spaces optional):"))
        typed_label.setBuddy(self.typed_edit)
        layout.addWidget(typed_label)
        layout.addWidget(self.typed_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.fingerprint_caption.hide()
        self._update()

    def choose_card(self) -> None:
        """Ask for the card file and load it."""
        path = ask_card_file(self)
        if path is not None:
            self.load_card(path)

    def load_card(self, path: Path) -> bool:
        """Read the card at ``path``; an unreadable card, one of an installation or of
        another study is refused here (the service refuses them too)."""
        self.card = None
        self.file_label.setText(str(path))
        try:
            card = IdentityCard.read(path)
        except UsageError as exc:
            return self._refuse_card(str(exc))
        if card.kind != "center" or card.center_id is None:
            return self._refuse_card(
                self.tr(
                    "This is the identity card of {who}, not of a coordinating center. "
                    "Ask the coordinating center for its own card."
                ).format(who=card.label)
            )
        if card.study_oid != self.study_oid:
            return self._refuse_card(
                self.tr("The card is for study {card}; this site records {site}.").format(
                    card=card.study_oid, site=self.study_oid
                )
            )
        self.card = card
        self.center_label.setText(
            self.tr("Coordinating center {center}, study {study}.").format(
                center=card.center_id, study=card.study_oid
            )
        )
        self.fingerprint.show_fingerprint(card.fingerprint)
        self.fingerprint_caption.show()
        self.error_label.hide()
        self.typed_edit.setEnabled(True)
        self.typed_edit.setFocus()
        self._update()
        return True

    def _refuse_card(self, text: str) -> bool:
        self.center_label.clear()
        self.fingerprint.show_fingerprint("")
        self.fingerprint_caption.hide()
        self.typed_edit.setEnabled(False)
        self._show_error(text)
        self._update()
        return False

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    @property
    def error(self) -> str:
        """The refusal shown, or an empty string."""
        return "" if self.error_label.isHidden() else self.error_label.text()

    def _update(self) -> None:
        complete = len(typed_digits(self.typed_edit.text())) == FINGERPRINT_DIGITS
        self.ok_button.setEnabled(self.card is not None and complete)

    def accept(self) -> None:
        """Accept only when the fingerprint typed matches the card's."""
        card = self.card
        typed = self.typed_edit.text()
        if card is None or len(typed_digits(typed)) != FINGERPRINT_DIGITS:
            return
        groups = differing_groups(card.fingerprint, typed)
        if groups:
            self.refusals += 1
            self._show_error(
                self.tr(
                    "The fingerprint you typed does not match this card (groups that differ: "
                    "{groups}). Check it with the center once more; if it still differs, the "
                    "file is not the one they sent: do not trust it."
                ).format(groups=", ".join(str(g) for g in groups))
            )
            self.typed_edit.setFocus()
            self.typed_edit.selectAll()
            return
        self.typed = typed
        super().accept()


def valid_center_url(text: str) -> bool:
    """True for an ``http://`` or ``https://`` address with a host."""
    parts = urllib.parse.urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class CenterUrlDialog(QDialog):
    """Asks for the address of the coordinating center's upload server."""

    def __init__(self, url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("center_url_dialog")
        self.setWindowTitle(self.tr("Upload to the coordinating center"))
        self.setMinimumWidth(560)
        text = QLabel(
            self.tr(
                "Every bundle the center has not acknowledged is uploaded; then the center's "
                "return bundle is fetched and applied. Without a connection nothing is lost: "
                "the bundles stay in the outbox."
            )
        )
        text.setWordWrap(True)
        self.url_edit = QLineEdit(url)
        self.url_edit.setObjectName("center_url")
        self.url_edit.setPlaceholderText("https://crf-center.example.org")
        self.url_edit.textChanged.connect(self._update)
        form = QFormLayout()
        form.addRow(self.tr("Address of the center:"), self.url_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Upload"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        hint = QLabel(self.tr("As the coordinating center gave it, e.g. https://crf.example.org"))
        hint.setStyleSheet("color: #616161;")
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.url_edit.setFocus()
        self._update()

    @property
    def url(self) -> str:
        """The address typed, without surrounding spaces."""
        return self.url_edit.text().strip()

    def _update(self) -> None:
        self.ok_button.setEnabled(valid_center_url(self.url))

    def accept(self) -> None:
        """Accept only a usable address."""
        if valid_center_url(self.url):
            super().accept()


class CenterUrlStore:
    """The center's address per site (``"<study>/<site>"``), in ``center-urls.json`` beside
    the interface preferences. A missing or damaged file means no address yet."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_prefs_path().with_name("center-urls.json")

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            LOGGER.warning("the file of center addresses could not be read; starting empty")
            return {}
        urls = data.get("urls") if isinstance(data, dict) else None
        if not isinstance(urls, dict):
            return {}
        return {str(k): str(v) for k, v in urls.items() if isinstance(v, str)}

    def get(self, key: str) -> str:
        """The address remembered for ``key`` (empty when none)."""
        return self._read().get(key, "")

    def remember(self, key: str, url: str) -> None:
        """Keep ``url`` for ``key``; a failure to write is logged, never fatal."""
        urls = self._read()
        if urls.get(key) == url:
            return
        urls[key] = url
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".center-urls-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"format": 1, "urls": dict(sorted(urls.items()))}, out, indent=2)
            os.replace(temp, self.path)
        except OSError:
            LOGGER.warning("the file of center addresses could not be written")


# ------------------------------------------------------------------------------ files


def _chosen(dialog: QFileDialog) -> list[str]:
    chosen: list[str] = []
    dialog.accepted.connect(lambda: chosen.extend(dialog.selectedFiles()))
    if run_modal(dialog) != QDialog.DialogCode.Accepted:
        return []
    return chosen


def ask_card_file(parent: QWidget | None) -> Path | None:
    """The coordinating center's identity card to open; None when cancelled."""
    dialog = QFileDialog(
        parent,
        QCoreApplication.translate("SyncDialogs", "The coordinating center's identity card"),
        str(Path.home()),
        QCoreApplication.translate("SyncDialogs", "Identity cards (*.json);;All files (*)"),
    )
    dialog.setObjectName("card_file_dialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    chosen = _chosen(dialog)
    return Path(chosen[0]) if chosen else None


def ask_identity_path(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to save this installation's identity card; None when cancelled."""
    dialog = QFileDialog(
        parent,
        QCoreApplication.translate("SyncDialogs", "Save this installation's identity card"),
        str(suggested.parent),
        QCoreApplication.translate("SyncDialogs", "Identity cards (*.json)"),
    )
    dialog.setObjectName("identity_file_dialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix("json")
    dialog.selectFile(suggested.name)
    chosen = _chosen(dialog)
    return Path(chosen[0]) if chosen else None


def ask_send_folder(parent: QWidget | None) -> Path | None:
    """The folder or drive to copy bundles to; None when cancelled."""
    dialog = QFileDialog(
        parent,
        QCoreApplication.translate("SyncDialogs", "Send bundles to a folder or USB drive"),
        str(Path.home()),
    )
    dialog.setObjectName("send_folder_dialog")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    chosen = _chosen(dialog)
    return Path(chosen[0]) if chosen else None


def ask_return_files(parent: QWidget | None, start: Path | None = None) -> list[Path]:
    """Return bundles to apply (several may be chosen); empty when cancelled."""
    dialog = QFileDialog(
        parent,
        QCoreApplication.translate("SyncDialogs", "Apply return bundles from the center"),
        str(start or Path.home()),
        QCoreApplication.translate("SyncDialogs", "Return bundles (*.npcr);;All files (*)"),
    )
    dialog.setObjectName("return_files_dialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return [Path(p) for p in _chosen(dialog)]


__all__ = [
    "CenterUrlDialog",
    "CenterUrlStore",
    "FingerprintLabel",
    "TrustCenterDialog",
    "ask_card_file",
    "ask_identity_path",
    "ask_return_files",
    "ask_send_folder",
    "differing_groups",
    "fingerprint_lines",
    "valid_center_url",
]
