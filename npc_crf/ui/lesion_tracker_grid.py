"""The lesion tracker's grid view: keyboard-first, with the lesion columns frozen.

:class:`TrackerTable` shows a :class:`~npc_crf.ui.lesion_tracker_model.LesionTrackerModel`.
The lesion columns stay in place while the assessments scroll sideways: a second view
on the same model and selection lies over the left part of the grid (Qt's
frozen-column example). When the grid is too narrow for the lesion columns and two
assessments, the optional lesion columns (method, class, irradiated) are hidden; the
lesion's ID cell still describes them in its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget

from npc_crf.ui.lesion_tracker_look import FROZEN, OPTIONAL_INFO, Info
from npc_crf.ui.lesion_tracker_model import LesionTrackerModel
from npc_crf.ui.view_look import CELL_TEXT_COLOUR


class TrackerTable(QTableView):
    """The grid. The lesion columns stay in place when the assessments scroll sideways
    (an overlay view on the same model, as in Qt's frozen-column example); arrows move,
    Enter or a double-click chooses a column."""

    columnChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frozen = QTableView(self)
        self.frozen.setObjectName("tracker_frozen")
        for view in (self, self.frozen):
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
            view.setWordWrap(False)
            view.verticalHeader().hide()
            view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            view.horizontalHeader().setSectionsClickable(True)
            view.horizontalHeader().setHighlightSections(False)
            view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
            # a see-through selection, so the cell's own colour still shows
            palette = view.palette()
            highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
            highlight.setAlpha(90)
            palette.setColor(QPalette.ColorRole.Highlight, highlight)
            palette.setColor(QPalette.ColorRole.HighlightedText, QColor(CELL_TEXT_COLOUR))
            view.setPalette(palette)
        self._natural: list[int] = []  # each column's width from its texts
        self._titles_width = 0
        self._compact = False
        self.setTabKeyNavigation(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.setFrameShape(QTableView.Shape.NoFrame)
        self.frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setStyleSheet("QTableView { border: none; border-right: 2px solid #90a4ae; }")
        self.viewport().stackUnder(self.frozen)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.doubleClicked.connect(lambda index: self.columnChosen.emit(index.column()))
        self.frozen.doubleClicked.connect(lambda index: self.columnChosen.emit(index.column()))
        self.horizontalHeader().sectionDoubleClicked.connect(self.columnChosen.emit)
        self.frozen.horizontalHeader().sectionDoubleClicked.connect(self.columnChosen.emit)
        self._fit_rows()

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Show ``model`` in the grid and in the frozen lesion columns."""
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        if model is not None:
            model.modelReset.connect(self.layout_columns)
        self.layout_columns()

    @property
    def frozen_width(self) -> int:
        """The width of the lesion columns on show."""
        return sum(
            self.columnWidth(c)
            for c in range(min(FROZEN, self._columns()))
            if not self.isColumnHidden(c)
        )

    def _columns(self) -> int:
        model = self.model()
        return model.columnCount() if model is not None else 0

    def layout_columns(self) -> None:
        """Spans, widths and the frozen part after the model was (re)filled."""
        model = self.model()
        if not isinstance(model, LesionTrackerModel):
            return
        for view in (self, self.frozen):
            view.clearSpans()
            for row in range(model.rowCount()):
                if model.is_summary(row):
                    view.setSpan(row, 0, 1, FROZEN)
        metrics = self.fontMetrics()
        icon = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        padding = 3 * metrics.averageCharWidth()
        bold = self.font()
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        header = self.horizontalHeader()
        self._natural = []
        for column in range(model.columnCount()):
            texts = model.column_texts(column)
            widest = max((bold_metrics.horizontalAdvance(t) for t in texts), default=0)
            extra = icon + padding if column >= FROZEN or column == 0 else padding
            self._natural.append(
                max(header.sectionSizeFromContents(column).width(), widest + extra)
            )
        # the titles of the sums-and-responses rows span the lesion columns
        self._titles_width = max(
            (
                bold_metrics.horizontalAdvance(model.text(r, 0)) + padding
                for r in range(model.rowCount())
                if model.is_summary(r)
            ),
            default=0,
        )
        for column in range(FROZEN, model.columnCount()):
            header.resizeSection(column, self._natural[column])
        self._apply_compact(force=True)

    @property
    def compact(self) -> bool:
        """Whether the narrow grid hides the optional lesion columns."""
        return self._compact

    def _apply_compact(self, *, force: bool = False) -> None:
        """Hide the optional lesion columns when the grid is too narrow for them and at
        least two assessments; show them again when there is room."""
        model = self.model()
        if model is None or len(self._natural) < FROZEN:
            self._update_frozen()
            return
        assessment = max(self._natural[FROZEN:], default=16 * self.fontMetrics().averageCharWidth())
        compact = self.viewport().width() < sum(self._natural[:FROZEN]) + 2 * assessment
        if compact == self._compact and not force:
            return
        self._compact = compact
        widths = list(self._natural[:FROZEN])
        shown = [c for c in range(FROZEN) if not (compact and c in OPTIONAL_INFO)]
        short = self._titles_width - sum(widths[c] for c in shown)
        if short > 0:
            widths[Info.ORGAN] += short
        for column in range(FROZEN):
            hidden = compact and column in OPTIONAL_INFO
            self.setColumnHidden(column, False)
            self.horizontalHeader().resizeSection(column, widths[column])
            self.setColumnHidden(column, hidden)
        for column in range(model.columnCount()):
            self.frozen.setColumnHidden(column, column >= FROZEN or self.isColumnHidden(column))
            if column < FROZEN:
                self.frozen.setColumnWidth(column, widths[column])
        self._update_frozen()

    def _section_resized(self, column: int, _old: int, new: int) -> None:
        if column < FROZEN and not self.isColumnHidden(column):
            self.frozen.setColumnWidth(column, new)
            self._update_frozen()

    def _update_frozen(self) -> None:
        header_height = self.horizontalHeader().height()
        self.frozen.horizontalHeader().setFixedHeight(header_height)
        width = min(self.frozen_width, max(0, self.viewport().width()))
        self.frozen.setGeometry(
            self.frameWidth(),
            self.frameWidth(),
            width + 2,
            self.viewport().height() + header_height,
        )
        self.frozen.setVisible(self._columns() > 0)

    def _fit_rows(self) -> None:
        """Rows as high as a line of text and its icon need."""
        metrics = self.fontMetrics()
        icon = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        height = max(metrics.height(), icon) + metrics.height() // 2
        for view in (self, self.frozen):
            view.verticalHeader().setDefaultSectionSize(height)
            view.verticalHeader().setMinimumSectionSize(height)

    def changeEvent(self, event: QEvent) -> None:
        """Follow font changes (the font-size preference)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.frozen.setFont(self.font())
            self._fit_rows()
            self.layout_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_compact()
        self._update_frozen()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if hasattr(self, "frozen"):
            self._update_frozen()

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        current = super().moveCursor(cursorAction, modifiers)
        self._reveal(current)
        return current

    def scrollTo(
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        if not index.isValid():
            return
        if index.column() >= FROZEN:
            super().scrollTo(index, hint)
            self._reveal(index)
            return
        # a lesion column is always in view: only scroll up or down to its row
        top, height = self.rowViewportPosition(index.row()), self.rowHeight(index.row())
        bar, room = self.verticalScrollBar(), self.viewport().height()
        if top < 0:
            bar.setValue(bar.value() + top)
        elif top + height > room:
            bar.setValue(bar.value() + top + height - room)

    def _reveal(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """Scroll so an assessment cell is not hidden under the frozen columns."""
        if not index.isValid() or index.column() < FROZEN:
            return
        left = self.visualRect(index).left()
        if left < self.frozen_width:
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() + left - self.frozen_width)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid():
                self.columnChosen.emit(index.column())
            event.accept()
            return
        super().keyPressEvent(event)
