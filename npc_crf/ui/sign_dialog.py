"""The electronic signature dialog (21 CFR Part 11 §§11.50, 11.100, 11.200).

:class:`SignDialog` shows what will be signed, lets the investigator choose the
meaning of the signature from the study's ``signature_meanings`` (in the interface
language), asks for the signature's components and states that the electronic
signature is the legal equivalent of a handwritten one.

* **Components** (§11.200(a)(1)): the first signature of a continuous session needs
  the user ID and the password, later ones the password only. The dialog asks for
  the user ID only while ``not ws.signed_in_session``; the service checks both and
  refuses (and counts towards the lockout) whatever is wrong.
* **Two ways to use it.** Plainly: ``exec()``, then read :attr:`meaning`,
  :attr:`user_id` and :attr:`password` (or :meth:`credentials`, which forgets the
  password as it hands it over) and call the service; a refusal can be shown with
  :meth:`show_error` before the dialog is ``exec()``-ed again. Or let the dialog
  sign itself: :meth:`sign_with` runs the signing act in the job runner when the
  person presses *Sign*; wrong credentials come back as an error in the dialog,
  which stays open for another try, and success accepts it (:attr:`outcome` holds
  what the act returned). When the lockout ended the session,
  :attr:`session_ended` is set and the dialog is rejected: the caller hands the
  message on (``MainWindow.sessionEnded``).
* **The password** is never logged, never put in a job's name, and is cleared from
  the dialog once it was handed over, after each try, and when the dialog closes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from npc_crf.core.errors import AuthError
from npc_crf.ui.errors import describe_error
from npc_crf.ui.view_look import ALERT_COLOUR

if TYPE_CHECKING:
    from npc_crf.services.workspace import Workspace
    from npc_crf.ui.worker import JobRunner

#: what a signing act is given: (meaning code, user ID or None, password) → its result
SignAct = Callable[[str, str | None, str], Any]


class SignDialog(QDialog):
    """Asks for the meaning and the components of an electronic signature.

    ``scope_label`` says what is signed, e.g. "Casebook of S01-01-0003 — 12 forms".
    """

    def __init__(
        self,
        ws: Workspace,
        lang: str,
        scope_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sign_dialog")
        self.setWindowTitle(self.tr("Electronic signature"))
        self.setMinimumWidth(560)
        self.ws, self.lang = ws, lang
        #: the user ID is asked for on the first signature of the session only
        self.needs_user_id = not ws.signed_in_session
        #: what the signing act returned (when :meth:`sign_with` was used)
        self.outcome: Any = None
        #: True when wrong credentials locked the account and ended the session
        self.session_ended = False
        self.session_message = ""
        self._act: SignAct | None = None
        self._runner: JobRunner | None = None
        self._busy = False

        self.scope = QLabel(scope_label)
        self.scope.setObjectName("sign_scope")
        self.scope.setWordWrap(True)
        self.scope.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scope.setStyleSheet("font-weight: bold;")
        signer = QLabel(
            self.tr("Signed by {name} ({user})").format(name=ws.full_name, user=ws.username)
        )
        signer.setObjectName("sign_signer")
        signer.setWordWrap(True)

        self.meaning_box = QComboBox()
        self.meaning_box.setObjectName("sign_meaning")
        # the whole meaning must be readable: the box is as wide as the longest one
        self.meaning_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.meaning_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.meaning_box.addItem(self.tr("(choose the meaning of your signature)"), None)
        for meaning in ws.study.signature_meanings:
            self.meaning_box.addItem(meaning.name.get(lang), meaning.code)
            self.meaning_box.setItemData(
                self.meaning_box.count() - 1,
                meaning.name.get(lang),
                Qt.ItemDataRole.ToolTipRole,
            )
        if len(ws.study.signature_meanings) == 1:
            self.meaning_box.setCurrentIndex(1)

        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("sign_user_id")
        self.user_edit.setPlaceholderText(self.tr("Your user ID"))
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("sign_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("Your password"))

        if self.needs_user_id:
            components = self.tr(
                "This is your first signature since you logged in (or unlocked the screen): "
                "enter your user ID and your password."
            )
        else:
            components = self.tr(
                "You have already signed in this session: enter your password to sign."
            )
        self.components = QLabel(components)
        self.components.setObjectName("sign_components")
        self.components.setWordWrap(True)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Meaning"), self.meaning_box)
        if self.needs_user_id:
            form.addRow(self.tr("User ID"), self.user_edit)
        else:
            self.user_edit.hide()
        form.addRow(self.tr("Password"), self.password_edit)

        self.statement = QLabel(
            self.tr(
                "By signing I confirm that this electronic signature is the legally binding "
                "equivalent of my handwritten signature, and that I sign with the meaning "
                "chosen above. My name, the date and time (UTC) and the meaning are recorded "
                "with the signed records."
            )
        )
        self.statement.setObjectName("sign_statement")
        self.statement.setWordWrap(True)
        self.statement.setFrameShape(QFrame.Shape.StyledPanel)
        self.statement.setMargin(6)

        self.error = QLabel()
        self.error.setObjectName("sign_error")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet(f"color: {ALERT_COLOUR}; font-weight: bold;")
        self.error.hide()
        self.working = QLabel(self.tr("Checking the signature…"))
        self.working.setObjectName("sign_working")
        self.working.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button: QPushButton = self.buttons.addButton(
            self.tr("Sign"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_button.setObjectName("sign_button")
        self.sign_button.setDefault(True)
        self.buttons.accepted.connect(self._sign_pressed)
        self.buttons.rejected.connect(self.reject)

        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.scope)
        layout.addWidget(signer)
        layout.addWidget(self.components)
        layout.addLayout(form)
        layout.addWidget(self.statement)
        layout.addWidget(self.error)
        layout.addWidget(self.working)
        layout.addWidget(self.buttons)

        for changed in (self.user_edit.textChanged, self.password_edit.textChanged):
            changed.connect(self._update)
        self.meaning_box.currentIndexChanged.connect(self._update)
        self._update()
        first = self.meaning_box if self.meaning_box.currentIndex() == 0 else None
        (first or (self.user_edit if self.needs_user_id else self.password_edit)).setFocus()

    # -- what was given -----------------------------------------------------------------

    @property
    def meaning(self) -> str | None:
        """The study's code of the meaning chosen (None until one is chosen)."""
        data = self.meaning_box.currentData()
        return str(data) if data else None

    @property
    def user_id(self) -> str | None:
        """The user ID typed (None when it was not asked for)."""
        if not self.needs_user_id:
            return None
        return self.user_edit.text().strip() or None

    @property
    def password(self) -> str:
        """The password typed (it stays only until :meth:`forget_password`)."""
        return self.password_edit.text()

    def credentials(self) -> tuple[str, str | None, str]:
        """``(meaning, user_id | None, password)``; the password is forgotten here."""
        meaning, user_id, password = self.meaning or "", self.user_id, self.password
        self.forget_password()
        return meaning, user_id, password

    def forget_password(self) -> None:
        """Clear the password from the dialog."""
        self.password_edit.clear()

    def show_error(self, text: str) -> None:
        """Show why the signature was refused (the dialog stays usable for another try)."""
        self.error.setText(text)
        self.error.show()
        self.forget_password()
        self.password_edit.setFocus()
        self._fit()

    def _fit(self) -> None:
        """Grow with a message that appeared, so the wrapped texts are never cut off."""
        self._layout.activate()
        wanted = self._layout.totalHeightForWidth(self.width())
        if wanted > self.height():
            self.resize(self.width(), wanted)

    # -- signing ------------------------------------------------------------------------

    def sign_with(self, runner: JobRunner, act: SignAct) -> None:
        """Let *Sign* run ``act(meaning, user_id, password)`` in ``runner``: success
        accepts the dialog, a refusal is shown in it (see the module's text)."""
        self._runner, self._act = runner, act

    def _complete(self) -> bool:
        if self.meaning is None or not self.password:
            return False
        return not self.needs_user_id or bool(self.user_id)

    def _update(self) -> None:
        self.sign_button.setEnabled(self._complete() and not self._busy)

    def _sign_pressed(self) -> None:
        if not self._complete() or self._busy:
            return
        if self._act is None or self._runner is None:
            self.accept()  # the caller reads the accessors and signs
            return
        meaning, user_id, password = self.credentials()
        act = self._act
        self._set_busy(True)
        job = self._runner.start("sign", lambda _p: act(meaning, user_id, password))
        job.finished.connect(self._signed)
        job.failed.connect(self._refused)
        job.cancelled.connect(lambda: self._set_busy(False) if shiboken6.isValid(self) else None)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.meaning_box, self.user_edit, self.password_edit):
            widget.setEnabled(not busy)
        self.working.setVisible(busy)
        self._update()
        self._fit()

    def _signed(self, result: object) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.outcome = result
        self.accept()

    def _refused(self, error: object) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        text = describe_error(error)
        if isinstance(error, AuthError) and self.ws.logged_out:
            self.session_ended = True
            self.session_message = text
            self.reject()
            return
        self.show_error(text)

    # -- closing ------------------------------------------------------------------------

    def reject(self) -> None:
        """Cancel (not while the signature is being checked); the password is forgotten."""
        if self._busy and not self.session_ended:
            return
        self.forget_password()
        super().reject()

    def done(self, result: int) -> None:
        """Close; nothing typed stays behind except what the caller was handed."""
        if result != QDialog.DialogCode.Accepted or self._act is not None:
            self.forget_password()
        super().done(result)


__all__ = ["SignAct", "SignDialog"]
