"""The first-run wizard: set a site up in an empty data folder and show its recovery key once.

Pages: the site (site ID, study, installation number), the administrator (user
name, full name, password twice, checked against the login policy), the creation
(``Site.init`` in the worker, with a progress bar; no way back once it is made)
and the recovery key, shown once, large, with Copy and Print, and a box the
person must tick ("I have stored the recovery key safely") before Finish.

Importing the coordinating center's public key comes with the sync work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from npc_crf.auth.policy import LoginPolicy
from npc_crf.core.paths import bundled_forms_dir
from npc_crf.forms.loader import STUDY_FILE
from npc_crf.services.site import SITE_ID_RE, USERNAME_RE, Site
from npc_crf.services.studies import available_studies
from npc_crf.store.keyfile import KdfCost
from npc_crf.ui.errors import describe_error
from npc_crf.ui.i18n import ScaledLabel, current_language
from npc_crf.ui.login import error_label, password_problem
from npc_crf.ui.worker import JobRunner, Progress


@dataclass(frozen=True)
class StudyChoice:
    """A study the site can be set up for."""

    oid: str
    name_en: str
    name_zh: str

    def label(self, lang: str) -> str:
        name = self.name_zh if lang == "zh" and self.name_zh else self.name_en
        return f"{self.oid} — {name}" if name else self.oid


def study_choices(forms_dir: Path | None = None) -> list[StudyChoice]:
    """The bundled (or given) studies with their names, read from each study.yaml."""
    choices: list[StudyChoice] = []
    for oid, folder in sorted(available_studies(forms_dir).items()):
        name: object = None
        try:
            data = yaml.safe_load((folder / STUDY_FILE).read_text(encoding="utf-8"))
            name = data.get("name") if isinstance(data, dict) else None
        except (OSError, yaml.YAMLError):
            pass
        names = name if isinstance(name, dict) else {}
        choices.append(StudyChoice(oid, str(names.get("en", "")), str(names.get("zh", ""))))
    return choices


def _show(label: QLabel, text: str | None) -> bool:
    """Show ``text`` in an error label (hide it for None); True when there was no error."""
    label.setText(text or "")
    label.setVisible(bool(text))
    return text is None


class SitePage(QWizardPage):
    """Site ID, study and installation number."""

    def __init__(self, forms_dir: Path | None) -> None:
        super().__init__()
        self.site_id = QLineEdit()
        self.site_id.setObjectName("wizard_site_id")
        self.site_id.setMaxLength(10)
        self.site_id.textEdited.connect(
            lambda text: self.site_id.setText(text.upper()) if text != text.upper() else None
        )
        self.study = QComboBox()
        self.study.setObjectName("wizard_study")
        self.choices = study_choices(forms_dir)
        self.installation = QSpinBox()
        self.installation.setObjectName("wizard_installation")
        self.installation.setRange(1, 99)
        self.site_label, self.study_label, self.installation_label = QLabel(), QLabel(), QLabel()
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.error = error_label("wizard_error")
        form = QFormLayout()
        form.addRow(self.site_label, self.site_id)
        form.addRow(self.study_label, self.study)
        form.addRow(self.installation_label, self.installation)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.help)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("The site"))
        self.setSubTitle(
            self.tr("This computer keeps the data of one site of one study, encrypted.")
        )
        self.site_label.setText(self.tr("Site ID"))
        self.study_label.setText(self.tr("Study"))
        self.installation_label.setText(self.tr("Installation number"))
        self.site_id.setPlaceholderText(self.tr("e.g. S01"))
        self.help.setText(
            self.tr(
                "The site ID is given by the coordinating center (2–10 capital letters or "
                "digits). Number the computers of one site 1, 2, 3…: subject numbers "
                "include the installation number, so two computers never give out the same one."
            )
        )
        current = self.study.currentIndex()
        self.study.clear()
        for choice in self.choices:
            self.study.addItem(choice.label(current_language()), choice.oid)
        self.study.setCurrentIndex(max(0, current))

    def validatePage(self) -> bool:
        """Check the site ID and that a study was chosen."""
        if not SITE_ID_RE.match(self.site_id.text()):
            return _show(
                self.error,
                self.tr(
                    "'{site}' is not a valid site ID: 2–10 capital letters or digits (e.g. S01)."
                ).format(site=self.site_id.text()),
            )
        if self.study.currentData() is None:
            return _show(self.error, self.tr("There is no study definition to choose."))
        return _show(self.error, None)


class AdminPage(QWizardPage):
    """The site administrator's account."""

    def __init__(self) -> None:
        super().__init__()
        self.policy = LoginPolicy()
        self.username = QLineEdit()
        self.username.setObjectName("wizard_admin")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("wizard_admin_name")
        self.password = QLineEdit()
        self.password.setObjectName("wizard_password")
        self.repeat = QLineEdit()
        self.repeat.setObjectName("wizard_password_repeat")
        for edit in (self.password, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.labels = [QLabel() for _ in range(4)]
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.error = error_label("wizard_error")
        form = QFormLayout()
        for label, edit in zip(
            self.labels, (self.username, self.full_name, self.password, self.repeat), strict=True
        ):
            form.addRow(label, edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.help)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("The site administrator"))
        self.setSubTitle(
            self.tr(
                "The administrator manages accounts, backups and settings; this account "
                "cannot enter clinical data or sign."
            )
        )
        texts = (
            self.tr("User name"),
            self.tr("Full name"),
            self.tr("Password"),
            self.tr("Password again"),
        )
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.help.setText(
            self.tr(
                "User names are lower-case letters, digits, '.', '_' or '-' and start with a "
                "letter. The password needs at least {count} characters and may not be the "
                "user name."
            ).format(count=self.policy.min_password_length)
        )

    def validatePage(self) -> bool:
        """Check the user name, the full name and the password before the site is made."""
        username = self.username.text().strip()
        if not USERNAME_RE.match(username):
            return _show(
                self.error,
                self.tr(
                    "'{user}' is not a valid user name: 2–32 lower-case letters, digits, "
                    "'.', '_' or '-', starting with a letter."
                ).format(user=username),
            )
        if not self.full_name.text().strip():
            return _show(
                self.error,
                self.tr("The administrator's full name is needed (it is printed on records)."),
            )
        problem = password_problem(self.policy, username, self.password.text())
        if problem is None and self.password.text() != self.repeat.text():
            problem = self.tr("The two passwords are not the same.")
        return _show(self.error, problem)


class CreatePage(QWizardPage):
    """Creates the site in the worker; complete once it exists."""

    def __init__(self, wizard: SiteWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setCommitPage(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar()
        self.progress.setObjectName("wizard_progress")
        self.progress.setRange(0, 0)
        self.state = QLabel()
        self.state.setObjectName("wizard_state")
        self.state.setWordWrap(True)
        self.error = error_label("wizard_error")
        self.error.setObjectName("wizard_error")
        self.retry = QPushButton()
        self.retry.setObjectName("wizard_retry")
        self.retry.clicked.connect(self.start_creation)
        self.retry.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addSpacing(12)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addWidget(self.error)
        layout.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Creating the site"))
        self.setSubTitle(
            self.tr("The encrypted database, the key file and the audit trail are made.")
        )
        self.retry.setText(self.tr("Try again"))
        self._state_text()

    def _state_text(self) -> None:
        if self.owner.site is not None:
            self.state.setText(self.tr("The site is ready."))
        elif self.owner.creating:
            self.state.setText(self.tr("Creating the site… (this takes a few seconds)"))
        else:
            self.state.setText("")

    def initializePage(self) -> None:
        """Show what will be made and start making it."""
        w = self.owner
        self.summary.setText(
            self.tr(
                "Site {site}, study {study}, installation {number}, administrator {user} "
                "({name}), in the folder {folder}."
            ).format(
                site=w.site_page.site_id.text(),
                study=w.site_page.study.currentData(),
                number=w.site_page.installation.value(),
                user=w.admin_page.username.text().strip(),
                name=w.admin_page.full_name.text().strip(),
                folder=w.data_dir,
            )
        )
        if w.site is None and not w.creating:
            self.start_creation()

    def start_creation(self) -> None:
        """Run ``Site.init`` in the worker."""
        w = self.owner
        if w.site is not None or w.creating:
            return
        w.creating = True
        _show(self.error, None)
        self.retry.hide()
        self.progress.setRange(0, 0)
        self.progress.show()
        self._state_text()
        self._lock_buttons(True)
        data_dir, forms_dir, cost = w.data_dir, w.forms_dir, w.cost
        site_id = w.site_page.site_id.text()
        study = str(w.site_page.study.currentData())
        number = w.site_page.installation.value()
        admin = w.admin_page.username.text().strip()
        admin_name = w.admin_page.full_name.text().strip()
        password = w.admin_page.password.text()

        def make(_p: Progress) -> tuple[Site, str]:
            return Site.init(
                data_dir,
                site_id=site_id,
                study_oid=study,
                admin=admin,
                admin_name=admin_name,
                password=password,
                installation_number=number,
                cost=cost,
                forms_dir=forms_dir,
            )

        job = w.runner.start("create site", make)
        job.finished.connect(self._made)
        job.failed.connect(self._failed)

    def _lock_buttons(self, busy: bool) -> None:
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            button = self.owner.button(which)
            if button is not None:
                button.setEnabled(not busy)

    def _made(self, result: object) -> None:
        assert isinstance(result, tuple)
        site, key = result
        w = self.owner
        w.creating = False
        w.site, w.recovery_key = site, key
        w.admin_page.password.clear()
        w.admin_page.repeat.clear()
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self._state_text()
        self._lock_buttons(False)
        self.completeChanged.emit()
        w.siteCreated.emit(site)
        if w.currentPage() is self:  # on to the key; a commit page: no way back
            w.next()

    def _failed(self, error: object) -> None:
        self.owner.creating = False
        self.progress.hide()
        self._state_text()
        _show(self.error, describe_error(error))
        self.retry.show()
        self._lock_buttons(False)

    def isComplete(self) -> bool:
        return self.owner.site is not None


class RecoveryKeyPage(QWizardPage):
    """The recovery key, shown once; Finish only after the box is ticked."""

    def __init__(self, wizard: SiteWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.key = ScaledLabel(factor=1.6, bold=True, fixed=True)
        self.key.setObjectName("recovery_key")
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setWordWrap(True)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setStyleSheet(
            "QLabel { background: #fffde7; border: 2px solid #f9a825; padding: 16px; }"
        )
        self.copy = QPushButton()
        self.copy.setObjectName("copy_key")
        self.copy.clicked.connect(self._copy)
        self.print = QPushButton()
        self.print.setObjectName("print_key")
        self.print.clicked.connect(self._print)
        self.stored = QCheckBox()
        self.stored.setObjectName("key_stored")
        self.stored.toggled.connect(lambda _on: self.completeChanged.emit())
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy)
        buttons.addWidget(self.print)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addSpacing(8)
        layout.addWidget(self.key)
        layout.addLayout(buttons)
        layout.addSpacing(8)
        layout.addWidget(self.stored)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("The recovery key"))
        self.setSubTitle(self.tr("It is shown now and never again."))
        self.explain.setText(
            self.tr(
                "If the administrator's password is lost, this key is the only way into the "
                "site's data. Write it down or print it, and keep it in the site's safe — not "
                "on this computer."
            )
        )
        self.copy.setText(self.tr("Copy"))
        self.print.setText(self.tr("Print…"))
        self.stored.setText(self.tr("I have stored the recovery key safely"))

    def initializePage(self) -> None:
        self.key.setText(self.owner.recovery_key or "")

    def isComplete(self) -> bool:
        return self.stored.isChecked()

    def _copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.owner.recovery_key or "")

    def _print(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # only when printing

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        w = self.owner
        document = QTextDocument()
        document.setPlainText(
            self.tr(
                "npc-crf recovery key\n\nSite {site}, installation {installation}\n"
                "Data folder: {folder}\n\n{key}\n\nKeep this sheet in the site's safe."
            ).format(
                site=w.site.site_id if w.site else "",
                installation=w.site.installation_id if w.site else "",
                folder=w.data_dir,
                key=w.recovery_key or "",
            )
        )
        document.print_(printer)


class SiteWizard(QWizard):
    """Sets a site up in ``data_dir``; ``site`` holds it (opened, locked) after Finish."""

    siteCreated = Signal(object)  # the Site, as soon as it exists

    def __init__(
        self,
        data_dir: Path,
        runner: JobRunner,
        forms_dir: Path | None = None,
        cost: KdfCost | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("site_wizard")
        self.data_dir, self.runner = Path(data_dir), runner
        self.forms_dir = forms_dir or bundled_forms_dir()
        self.cost = cost
        self.site: Site | None = None
        self.recovery_key: str | None = None
        self.creating = False
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.site_page = SitePage(self.forms_dir)
        self.admin_page = AdminPage()
        self.create_page = CreatePage(self)
        self.key_page = RecoveryKeyPage(self)
        for page in (self.site_page, self.admin_page, self.create_page, self.key_page):
            self.addPage(page)
        self.resize(760, 560)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("npc-crf — set up this computer"))
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Next"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            for page in (self.site_page, self.admin_page, self.create_page, self.key_page):
                page.retranslate()
        super().changeEvent(event)

    def reject(self) -> None:
        """Cancel — but never while the site is being made, nor before the key was stored."""
        if self.creating:
            return
        if self.site is not None and not self.key_page.stored.isChecked():
            QMessageBox.warning(
                self,
                self.tr("The recovery key"),
                self.tr(
                    "The site has been created. Store the recovery key and tick the box "
                    "before you close this window: it is not shown again."
                ),
            )
            return
        super().reject()

    def done(self, result: int) -> None:
        """Close; the recovery key is forgotten, and taken off the clipboard if it is there
        (Windows may keep a clipboard history)."""
        clipboard = QGuiApplication.clipboard()
        if self.recovery_key and clipboard is not None and clipboard.text() == self.recovery_key:
            clipboard.clear()
        self.recovery_key = None
        super().done(result)
