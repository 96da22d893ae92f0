"""An honest page for a function that arrives in a later version (Queries, Sync, Reports)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from npc_crf.ui.i18n import ScaledLabel


class PlaceholderPage(QWidget):
    """A heading and a sentence saying what the page will do and that it is not there yet.

    The texts are given already translated by the caller (the main window re-creates
    its pages when the language changes).
    """

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = ScaledLabel(title, factor=1.6, bold=True)
        self.title.setObjectName("placeholder_title")
        self.text = QLabel(text)
        self.text.setObjectName("placeholder_text")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.addWidget(self.title)
        layout.addSpacing(8)
        layout.addWidget(self.text)
        layout.addStretch(1)
