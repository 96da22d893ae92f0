"""The CTCAE v5.0 term picker: find a term by typing, read its grades, Enter picks it.

Keyboard first: the search box has the focus; typing filters (English term,
MedDRA code, SOC or a lab abbreviation such as ALT, see
:meth:`~npc_crf.oncology.ctcae.catalogue.Catalogue.search`); Up/Down, Page
Up/Down move through the results without leaving the search box; Enter picks
the highlighted term; Esc cancels. The pane on the right shows the highlighted
term's definition, navigational note and grade 1–5 texts, with the grades the
term does not have greyed out.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from npc_crf.oncology.ctcae.catalogue import GRADES, Term, catalogue
from npc_crf.ui.widgets.look import muted

#: the most results listed at once (the count says how many matched)
MAX_SHOWN = 250
#: keys the search box passes on to the result list
_LIST_KEYS = {
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
}


class CtcaePicker(QDialog):
    """A dialog to choose one CTCAE v5.0 term; :meth:`chosen` is the term picked.

    ``query`` is put in the search box, selected (the field's text, or the name of
    the term already chosen: typing replaces it).
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        query: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ctcae_picker")
        self.setWindowTitle(self.tr("CTCAE v5.0 terms"))
        self.resize(980, 560)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("ctcae_search")
        self.search_edit.setPlaceholderText(
            self.tr("Type a term, a MedDRA code or a system organ class")
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.installEventFilter(self)
        self.count = QLabel()
        self.count.setObjectName("ctcae_count")
        muted(self.count)
        self.results = QTreeWidget()
        self.results.setObjectName("ctcae_results")
        self.results.setColumnCount(3)
        self.results.setHeaderLabels([self.tr("Term"), self.tr("System organ class"), "MedDRA"])
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setAllColumnsShowFocus(True)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.results.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.results.setColumnWidth(1, 220)
        self.results.currentItemChanged.connect(self._current_changed)
        self.results.itemActivated.connect(lambda *_: self._pick())
        self.detail = QTextBrowser()
        self.detail.setObjectName("ctcae_detail")
        self.detail.setOpenLinks(False)
        self.detail.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.results)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Choose"))
        ok.setObjectName("ctcae_choose")
        self.buttons.accepted.connect(self._pick)
        self.buttons.rejected.connect(self.reject)
        keys = QLabel(self.tr("↑/↓ move · Enter chooses · Esc cancels"))
        muted(keys)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.count)
        layout.addWidget(splitter, 1)
        layout.addWidget(keys)
        layout.addWidget(self.buttons)
        self._terms: list[Term] = []
        self._chosen: Term | None = None
        self.search_edit.textChanged.connect(self.show_results)
        if query:
            self.search_edit.setText(query)  # shows the results
            self.search_edit.selectAll()  # typing replaces it
        else:
            self.show_results("")
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- results ---------------------------------------------------------------------------------

    def show_results(self, query: str) -> None:
        """List the terms matching ``query``, best first; the first is highlighted."""
        found = catalogue().search(query, None)
        self._terms = found[:MAX_SHOWN]
        self.results.clear()
        items = [QTreeWidgetItem([t.term, t.soc, t.code]) for t in self._terms]
        self.results.addTopLevelItems(items)
        if len(found) > MAX_SHOWN:
            self.count.setText(
                self.tr("{shown} of {n} terms shown: type more to narrow").format(
                    shown=MAX_SHOWN, n=len(found)
                )
            )
        else:
            self.count.setText(self.tr("{n} term(s)").format(n=len(found)))
        if items:
            self.results.setCurrentItem(items[0])
        else:
            self._show_term(None)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(items))

    def _row(self) -> int:
        current = self.results.currentItem()
        return self.results.indexOfTopLevelItem(current) if current is not None else -1

    def highlighted(self) -> Term | None:
        """The term highlighted in the list."""
        row = self._row()
        return self._terms[row] if 0 <= row < len(self._terms) else None

    def chosen(self) -> Term | None:
        """The term picked (None until a term is picked, or when cancelled)."""
        return self._chosen

    def _current_changed(self, *_args: object) -> None:
        self._show_term(self.highlighted())

    def _pick(self) -> None:
        term = self.highlighted()
        if term is None:
            return
        self._chosen = term
        self.accept()

    # -- the term's pane --------------------------------------------------------------------------

    def _show_term(self, term: Term | None) -> None:
        if term is None:
            nothing = self.tr("No term matches.")
            self.detail.setHtml(f"<p><i>{escape(nothing)}</i></p>")
            return
        self.detail.setHtml(self.term_html(term))

    def term_html(self, term: Term) -> str:
        """The term's definition, note and grades as the pane shows them."""
        parts = [
            f"<h3>{escape(term.term)}</h3>",
            f'<p style="color:#616161">{escape(term.soc)} · MedDRA {escape(term.code)}</p>',
        ]
        definition = self.tr("Definition:")
        note = self.tr("Navigational note:")
        if term.definition:
            parts.append(f"<p><b>{escape(definition)}</b> {escape(term.definition)}</p>")
        if term.navigational_note:
            parts.append(f"<p><b>{escape(note)}</b> {escape(term.navigational_note)}</p>")
        rows = []
        missing = escape(self.tr("not defined for this term"))
        for grade in GRADES:
            label = escape(self.tr("Grade {grade}").format(grade=grade))
            text = term.grade_text(grade)
            if text is None:
                rows.append(
                    f'<tr><td style="color:#9e9e9e; padding-right:8px">{label}</td>'
                    f'<td style="color:#9e9e9e"><i>— {missing}</i></td></tr>'
                )
            else:
                rows.append(
                    f'<tr><td style="padding-right:8px"><b>{label}</b></td>'
                    f"<td>{escape(text)}</td></tr>"
                )
        parts.append(f'<table cellspacing="0" cellpadding="3">{"".join(rows)}</table>')
        return "".join(parts)

    # -- keys -----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Arrows move through the results and Enter picks, while the search box keeps the focus."""
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            key = event.key()
            if key in _LIST_KEYS:
                self._move(key)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._pick()
                return True
        return False

    def _move(self, key: int) -> None:
        count = self.results.topLevelItemCount()
        if not count:
            return
        row = self._row()
        page = max(1, self.results.viewport().height() // max(1, self._row_height()) - 1)
        step = {
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_PageUp: -page,
            Qt.Key.Key_PageDown: page,
        }[Qt.Key(key)]
        item = self.results.topLevelItem(min(max(row + step, 0), count - 1))
        if item is not None:
            self.results.setCurrentItem(item)
            self.results.scrollToItem(item)

    def _row_height(self) -> int:
        first = self.results.topLevelItem(0)
        return self.results.visualItemRect(first).height() if first is not None else 20
