"""The missing-data-code button of an item: ND, UNK, NA, NASK… as the item allows.

It stays out of the Tab chain (Tab goes from input to input); the form view
opens its menu with Ctrl+M for the item that has the focus. When the item holds
a code, the button shows it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from npc_crf.forms.model import Study
from npc_crf.ui.widgets.look import set_font
from npc_crf.ui.widgets.values import missing_text


class MissingButton(QToolButton):
    """A tool button with a menu of the item's missing-data codes and "Clear the answer"."""

    codeChosen = Signal(str)
    clearRequested = Signal()

    def __init__(
        self, study: Study, codes: tuple[str, ...], lang: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.codes = codes
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setToolTip(self.tr("Missing-data code (Ctrl+M)"))
        self.setAccessibleName(self.tr("Missing-data code"))
        self.study, self.lang = study, lang
        menu = QMenu(self)
        menu.aboutToShow.connect(self._fill)  # filled when first opened: forms open faster
        self.setMenu(menu)
        self._code: str | None = ""
        self.show_code(None)

    def _fill(self) -> None:
        menu = self.menu()
        if menu is None or menu.actions():
            return
        for code in self.codes:
            action = menu.addAction(missing_text(self.study, code, self.lang))
            action.setData(code)
            action.triggered.connect(lambda _=False, c=code: self.codeChosen.emit(c))
        menu.addSeparator()
        clear = menu.addAction(self.tr("Clear the answer"))
        clear.triggered.connect(self.clearRequested.emit)

    def actions_by_code(self) -> dict[str, object]:
        """The menu's actions by missing-data code (the menu is filled first)."""
        self._fill()
        menu = self.menu()
        return {a.data(): a for a in (menu.actions() if menu else []) if a.data()}

    def show_code(self, code: str | None) -> None:
        """Show the code the item holds (or the neutral mark when it holds none)."""
        if code == self._code:
            return
        self._code = code
        self.setText(code if code else "∅")
        set_font(self, bold=bool(code))

    def open_menu(self) -> None:
        """Pop the menu up under the button (keyboard: the view's Ctrl+M)."""
        self.showMenu()
