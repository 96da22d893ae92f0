"""The lesion tracker's grid as a Qt model: lesions down, assessments across, responses below.

Rows: the baseline lesions (targets, then non-targets, each under a section row),
then a section of sums and responses — sum of diameters, changes from baseline and
nadir, nadir, target, non-target and overall response (each followed by the
investigator's, when recorded), new lesions, and under iRECIST the iRECIST
response, the new-lesion target sum and the iUPD categories.

Columns: :data:`FROZEN` columns describing each lesion (ID, organ, node, method,
classification, irradiated), then one column per assessment — the baseline
first, then every follow-up by date. A lesion cell shows the measurement as it
was recorded ("12.0", "0", "too small (5)", "not assessed").

Every cell is built once per load (:meth:`LesionTrackerModel.set_response`) and
rebuilt on a language change; texts of the engine (reasons, notes, problems) are
English, as the engine writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon

from npc_crf.forms.model import Study
from npc_crf.oncology.recist.baseline import LesionClass
from npc_crf.oncology.recist.evaluate import TimepointResult
from npc_crf.oncology.recist.from_forms import tumour_map
from npc_crf.oncology.recist.model import (
    Classification,
    Lesion,
    Mark,
    NewLesions,
    Role,
)
from npc_crf.services.response import Discrepancy, SubjectResponse, TrackedTimepoint
from npc_crf.ui import labels
from npc_crf.ui.lesion_tracker_look import (
    DISCREPANCY_BACKGROUND,
    ERROR_COLOUR,
    FROZEN,
    INVESTIGATOR_KEY,
    INVESTIGATOR_ROW,
    LESION_BACKGROUND,
    MUTED_COLOUR,
    SECTION_BACKGROUND,
    SECTIONS,
    SUMMARY_BACKGROUND,
    WARNING_COLOUR,
    Info,
    RowKind,
    category_text,
    classification_text,
    discrepancy_icon,
    discrepancy_tooltip,
    info_icon,
    info_title,
    measurement_text,
    method_text,
    mm_text,
    new_lesions_text,
    organ_text,
    percent_text,
    problem_icon,
    response_colour,
    response_text,
    row_title,
    signed_text,
)
from npc_crf.ui.view_look import CELL_TEXT_COLOUR, TARGET_ROLE


@dataclass(frozen=True)
class TrackerRow:
    """One row: a section title, a baseline lesion, or a sum or response."""

    kind: RowKind
    lesion: Lesion | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the row across reloads."""
        return (self.kind.value, self.lesion.id if self.lesion is not None else "")


@dataclass(frozen=True)
class AssessmentColumn:
    """One assessment: where its form is, its date and its results."""

    event_oid: str
    occurrence: int
    date: dt.date
    index: int | None  # None: the baseline; else the follow-up's position (0, 1, …)

    @property
    def key(self) -> tuple[str, int]:
        return (self.event_oid, self.occurrence)


@dataclass
class Cell:
    """What a cell shows."""

    text: str = ""
    tooltip: str = ""
    background: str | None = None
    foreground: str | None = None
    bold: bool = False
    italic: bool = False
    icon: QIcon | None = None
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass
class _Built:
    rows: list[TrackerRow] = field(default_factory=list)
    columns: list[AssessmentColumn] = field(default_factory=list)
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    headers: list[Cell] = field(default_factory=list)


_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


# ------------------------------------------------------------------------------ the model


class LesionTrackerModel(QAbstractTableModel):
    """One subject's lesions, measurements and computed responses (read-only)."""

    def __init__(self, study: Study, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.study = study
        self.response: SubjectResponse | None = None
        self.form_oid = m.form if (m := tumour_map(study)) is not None else ""
        self._lang = "en"
        self._built = _Built()

    # -- filling ------------------------------------------------------------------------

    def set_response(self, response: SubjectResponse | None, lang: str = "en") -> None:
        """Show ``response`` (None: nothing)."""
        self.beginResetModel()
        self.response, self._lang = response, lang
        self._built = _build(self.study, response, lang) if response is not None else _Built()
        self.endResetModel()

    def retranslate(self, lang: str) -> None:
        """Build every text again in the interface language."""
        self.set_response(self.response, lang)

    # -- what the view and the tests ask -------------------------------------------------

    @property
    def rows(self) -> Sequence[TrackerRow]:
        return self._built.rows

    @property
    def assessments(self) -> Sequence[AssessmentColumn]:
        return self._built.columns

    def assessment(self, column: int) -> AssessmentColumn | None:
        """The assessment of grid column ``column`` (None for the lesion columns)."""
        n = column - FROZEN
        return self._built.columns[n] if 0 <= n < len(self._built.columns) else None

    def form_target(self, column: int) -> tuple[str, int, str] | None:
        """(event, occurrence, form) that column ``column`` comes from: its assessment's
        form; the baseline form for the lesion columns."""
        a = self.assessment(column)
        if a is None and self._built.columns and 0 <= column < FROZEN:
            a = self._built.columns[0]
        return (a.event_oid, a.occurrence, self.form_oid) if a is not None else None

    def row_of(self, kind: RowKind, lesion_id: str | None = None) -> int | None:
        """The row showing ``kind`` (and lesion ``lesion_id``), or None."""
        for n, row in enumerate(self._built.rows):
            if row.kind is kind and (
                lesion_id is None or (row.lesion and row.lesion.id == lesion_id)
            ):
                return n
        return None

    def row_key(self, row: int) -> tuple[str, str] | None:
        return self._built.rows[row].key if 0 <= row < len(self._built.rows) else None

    def row_by_key(self, key: tuple[str, str]) -> int | None:
        return next((n for n, r in enumerate(self._built.rows) if r.key == key), None)

    def column_of(self, event_oid: str, occurrence: int) -> int | None:
        """The grid column of an assessment, or None."""
        for n, a in enumerate(self._built.columns):
            if a.key == (event_oid, occurrence):
                return FROZEN + n
        return None

    def cell(self, row: int, column: int) -> Cell:
        """What a cell shows (an empty cell outside the grid)."""
        return self._built.cells.get((row, column), Cell())

    def text(self, row: int, column: int) -> str:
        return self.cell(row, column).text

    def is_section(self, row: int) -> bool:
        return 0 <= row < len(self._built.rows) and self._built.rows[row].kind in SECTIONS

    def is_summary(self, row: int) -> bool:
        """A row titled across the lesion columns (sections, sums and responses)."""
        return 0 <= row < len(self._built.rows) and self._built.rows[row].kind is not RowKind.LESION

    def column_texts(self, column: int) -> list[str]:
        """Every text of a column (to size it), the header's lines included."""
        texts = [
            self.cell(r, column).text
            for r in range(len(self._built.rows))
            if column >= FROZEN or not self.is_summary(r)  # titles span the lesion columns
        ]
        if 0 <= column < len(self._built.headers):
            texts.extend(self._built.headers[column].text.split("\n"))
        return texts

    # -- QAbstractTableModel -------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._built.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return FROZEN + len(self._built.columns) if self._built.rows else 0

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid():
            return None
        return _role_value(self.cell(index.row(), index.column()), role, self._target(index))

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation is Qt.Orientation.Vertical or not 0 <= section < len(self._built.headers):
            return None
        cell = self._built.headers[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_CENTRE)
        return _role_value(cell, role, self.form_target(section) if section >= FROZEN else None)

    def _target(self, index: QModelIndex | QPersistentModelIndex) -> object:
        return self.form_target(index.column())


def _role_value(cell: Cell, role: int, target: object) -> object:
    if role == Qt.ItemDataRole.DisplayRole:
        return cell.text
    if role == Qt.ItemDataRole.ToolTipRole:
        return cell.tooltip or None
    if role == Qt.ItemDataRole.BackgroundRole:
        return QBrush(QColor(cell.background)) if cell.background else None
    if role == Qt.ItemDataRole.ForegroundRole:
        if cell.foreground:
            return QBrush(QColor(cell.foreground))
        return QBrush(QColor(CELL_TEXT_COLOUR)) if cell.background else None
    if role == Qt.ItemDataRole.FontRole:
        if not (cell.bold or cell.italic):
            return None
        font = QFont()
        font.setBold(cell.bold)
        font.setItalic(cell.italic)
        return font
    if role == Qt.ItemDataRole.DecorationRole:
        return cell.icon
    if role == Qt.ItemDataRole.TextAlignmentRole:
        return int(cell.align)
    if role == TARGET_ROLE:
        return target
    return None


# ------------------------------------------------------------------------------ building


def _build(study: Study, response: SubjectResponse, lang: str) -> _Built:
    built = _Built()
    data, ev = response.data, response.evaluation
    baseline = data.baseline
    if baseline is None:
        return built
    base_event = data.baseline_ref[0] if data.baseline_ref is not None else ""
    built.columns.append(AssessmentColumn(base_event, 1, baseline.date, None))
    for n, t in enumerate(data.timepoints):
        built.columns.append(AssessmentColumn(t.event, t.occurrence, t.assessment.date, n))
    targets = [les for les in baseline.lesions if les.role is Role.TARGET]
    non_targets = [les for les in baseline.lesions if les.role is Role.NON_TARGET]
    if targets:
        built.rows.append(TrackerRow(RowKind.TARGETS))
        built.rows.extend(TrackerRow(RowKind.LESION, les) for les in targets)
    if non_targets:
        built.rows.append(TrackerRow(RowKind.NON_TARGETS))
        built.rows.extend(TrackerRow(RowKind.LESION, les) for les in non_targets)
    built.rows.append(TrackerRow(RowKind.RESPONSES))
    built.rows.extend(TrackerRow(k) for k in _summary_kinds(response))

    classes = {c.lesion_id: c for c in ev.classes} if ev is not None else {}
    problems: dict[str, list[tuple[str, str]]] = {}
    for p in ev.problems if ev is not None else ():
        if p.lesion_id is not None:
            problems.setdefault(p.lesion_id, []).append((p.severity, p.message))
    tracked = {(t.event, t.occurrence): t for t in response.timepoints}

    built.headers = [Cell(info_title(c)) for c in Info]
    for a in built.columns:
        built.headers.append(_header(study, a, response, tracked.get(a.key), lang))
    for r, row in enumerate(built.rows):
        if row.kind in SECTIONS:
            built.cells[(r, 0)] = Cell(
                row_title(row.kind), background=SECTION_BACKGROUND, bold=True
            )
            for c in range(1, FROZEN + len(built.columns)):
                built.cells[(r, c)] = Cell(background=SECTION_BACKGROUND)
            continue
        if row.lesion is not None:
            les = row.lesion
            info = _info_cells(study, les, classes.get(les.id), problems.get(les.id, []), lang)
            for column, cell in info.items():
                built.cells[(r, column)] = cell
            for c, a in enumerate(built.columns, FROZEN):
                built.cells[(r, c)] = _lesion_cell(study, les, a, response, lang)
            continue
        built.cells[(r, 0)] = Cell(row_title(row.kind), background=SUMMARY_BACKGROUND, bold=True)
        for c in range(1, FROZEN):
            built.cells[(r, c)] = Cell(background=SUMMARY_BACKGROUND)
        for c, a in enumerate(built.columns, FROZEN):
            built.cells[(r, c)] = _summary_cell(row.kind, a, response, tracked.get(a.key))
    return built


def _summary_kinds(response: SubjectResponse) -> list[RowKind]:
    """The sums-and-responses rows; investigator rows only where something was recorded."""
    given = {
        key
        for t in response.data.timepoints
        for key, value in t.investigator.items()
        if value is not None
    }
    kinds: list[RowKind] = [
        RowKind.SUM,
        RowKind.CHANGE_BASELINE,
        RowKind.NADIR,
        RowKind.CHANGE_NADIR,
    ]
    computed = [RowKind.TARGET, RowKind.NON_TARGET, RowKind.NEW_LESIONS, RowKind.OVERALL]
    if response.settings.irecist:
        computed.append(RowKind.IRESPONSE)
    for kind in computed:
        kinds.append(kind)
        key = INVESTIGATOR_KEY.get(kind)
        if key is not None and key in given:
            kinds.append(INVESTIGATOR_ROW[kind])
    if response.settings.irecist:
        kinds.extend([RowKind.NLT_SUM, RowKind.IUPD])
    return kinds


def _day_text(response: SubjectResponse, day: dt.date) -> str:
    start = response.data.treatment_start
    if start is None:
        return ""
    return QCoreApplication.translate(
        "LesionTrackerModel", "day {day} after the treatment start"
    ).format(day=(day - start).days)


def _header(
    study: Study,
    a: AssessmentColumn,
    response: SubjectResponse,
    tracked: TrackedTimepoint | None,
    lang: str,
) -> Cell:
    date = labels.date_text(a.date)
    event = labels.event_text(study, a.event_oid, a.occurrence, lang)
    title = (
        QCoreApplication.translate("LesionTrackerModel", "Baseline") if a.index is None else event
    )
    lines = [
        QCoreApplication.translate("LesionTrackerModel", "{event}, {date}").format(
            event=event, date=date
        ),
    ]
    day = _day_text(response, a.date)
    if day:
        lines.append(day)
    notes = tracked.result.notes if tracked is not None else ()
    if notes:
        lines.append(QCoreApplication.translate("LesionTrackerModel", "Notes:"))
        lines.extend(f"• {n}" for n in notes)
    if tracked is not None and tracked.discrepancies:
        lines.extend(discrepancy_tooltip(d) for d in tracked.discrepancies)
    lines.append(
        QCoreApplication.translate(
            "LesionTrackerModel", "Double-click, or press Enter in this column, to open its form."
        )
    )
    icon = (
        discrepancy_icon()
        if tracked is not None and tracked.discrepancies
        else info_icon()
        if notes
        else None
    )
    return Cell(f"{title}\n{date}", "\n".join(lines), icon=icon, align=_CENTRE)


def _info_cells(
    study: Study,
    les: Lesion,
    lesion_class: LesionClass | None,
    problems: list[tuple[str, str]],
    lang: str,
) -> dict[Info, Cell]:
    """The lesion columns of a lesion's row. The ID cell's tooltip describes the whole
    lesion, so nothing is lost when a narrow grid hides some of the columns."""
    cells = {column: Cell(background=LESION_BACKGROUND, align=_LEFT) for column in Info}
    organ = organ_text(study, les, lang)
    cells[Info.ORGAN].text = organ
    cells[Info.NODAL].text = (
        QCoreApplication.translate("LesionTrackerModel", "yes")
        if les.nodal
        else QCoreApplication.translate("LesionTrackerModel", "no")
    )
    cells[Info.NODAL].align = _CENTRE
    method = method_text(les.method)
    cells[Info.METHOD].text = method
    if les.slice_thickness_mm is not None:
        method = QCoreApplication.translate(
            "LesionTrackerModel", "{method}, slices {mm} mm"
        ).format(method=method, mm=mm_text(les.slice_thickness_mm))
        cells[Info.METHOD].tooltip = method
    role = (
        QCoreApplication.translate("LesionTrackerModel", "target lesion")
        if les.role is Role.TARGET
        else QCoreApplication.translate("LesionTrackerModel", "non-target lesion")
    )
    lines = [
        QCoreApplication.translate("LesionTrackerModel", "{lesion}: {role}, {organ}").format(
            lesion=les.id, role=role, organ=organ
        ),
        QCoreApplication.translate("LesionTrackerModel", "Method: {method}").format(method=method),
    ]
    if lesion_class is not None:
        classification = classification_text(lesion_class.classification)
        cells[Info.CLASS].text = classification
        cells[Info.CLASS].tooltip = lesion_class.reason
        if les.role is Role.TARGET and lesion_class.classification is not Classification.MEASURABLE:
            cells[Info.CLASS].foreground = ERROR_COLOUR
        lines.append(
            QCoreApplication.translate(
                "LesionTrackerModel", "Baseline class: {classification} ({reason})"
            ).format(classification=classification, reason=lesion_class.reason)
        )
    irr = les.irradiated
    if irr is not None:
        progressed = (
            QCoreApplication.translate("LesionTrackerModel", "progressed since: yes")
            if irr.progressed_since
            else QCoreApplication.translate("LesionTrackerModel", "progressed since: no")
            if irr.progressed_since is False
            else QCoreApplication.translate("LesionTrackerModel", "progressed since: not recorded")
        )
        details = [progressed]
        if irr.dose_gy is not None:
            details.insert(
                0,
                QCoreApplication.translate("LesionTrackerModel", "{dose} Gy").format(
                    dose=irr.dose_gy
                ),
            )
        if irr.date:
            details.insert(
                0,
                QCoreApplication.translate("LesionTrackerModel", "last irradiation {date}").format(
                    date=irr.date
                ),
            )
        cells[Info.IRRADIATED].text = QCoreApplication.translate("LesionTrackerModel", "yes")
        cells[Info.IRRADIATED].tooltip = QCoreApplication.translate(
            "LesionTrackerModel", "In a previously irradiated field ({details})"
        ).format(details="; ".join(details))
        lines.append(cells[Info.IRRADIATED].tooltip)
    cells[Info.IRRADIATED].align = _CENTRE
    ident = cells[Info.ID]
    ident.text, ident.bold = les.id, True
    if problems:
        errors = any(severity == "error" for severity, _ in problems)
        ident.icon = problem_icon("error" if errors else "warning")
        ident.foreground = ERROR_COLOUR if errors else WARNING_COLOUR
        lines.extend(
            (
                QCoreApplication.translate("LesionTrackerModel", "Error: {message}")
                if severity == "error"
                else QCoreApplication.translate("LesionTrackerModel", "Warning: {message}")
            ).format(message=message)
            for severity, message in problems
        )
    ident.tooltip = "\n".join(lines)
    return cells


def _lesion_cell(
    study: Study, les: Lesion, a: AssessmentColumn, response: SubjectResponse, lang: str
) -> Cell:
    cell = Cell(background=LESION_BACKGROUND, align=_RIGHT)
    where = labels.event_text(study, a.event_oid, a.occurrence, lang)
    if les.role is Role.NON_TARGET:
        cell.text, cell.foreground, cell.align = labels.missing_text(), MUTED_COLOUR, _CENTRE
        cell.tooltip = QCoreApplication.translate(
            "LesionTrackerModel",
            "Non-target lesions are judged together: see the non-target response.",
        )
        return cell
    if a.index is None:
        cell.text = (
            mm_text(les.diameter_mm)
            if les.diameter_mm is not None
            else QCoreApplication.translate("LesionTrackerModel", "not measured")
        )
        cell.tooltip = QCoreApplication.translate(
            "LesionTrackerModel", "{lesion} at baseline ({date}): {value}"
        ).format(lesion=les.id, date=labels.date_text(a.date), value=cell.text)
        return cell
    timepoint = response.data.timepoints[a.index]
    m = timepoint.assessment.measurements.get(les.id)
    cell.text = measurement_text(m)
    if not timepoint.assessment.scanned:
        cell.text = QCoreApplication.translate("LesionTrackerModel", "not scanned")
    if m is None or not m.assessed or m.mm is None:
        cell.foreground = MUTED_COLOUR
        cell.italic = m is None or not m.assessed
    cell.tooltip = QCoreApplication.translate(
        "LesionTrackerModel", "{lesion}, {event} ({date}): {value}"
    ).format(lesion=les.id, event=where, date=labels.date_text(a.date), value=cell.text)
    if m is None:
        cell.tooltip += "\n" + QCoreApplication.translate(
            "LesionTrackerModel", "The form has no row for this lesion: it counts as not assessed."
        )
    elif m.mark is Mark.TOO_SMALL:
        cell.tooltip += "\n" + QCoreApplication.translate(
            "LesionTrackerModel", "Too small to measure: counts as 5 mm."
        )
    elif m.fragments_mm:
        cell.tooltip += "\n" + QCoreApplication.translate(
            "LesionTrackerModel", "Fragments of a split lesion: their diameters are added."
        )
    elif m.merged_into is not None:
        cell.tooltip += "\n" + QCoreApplication.translate(
            "LesionTrackerModel", "Merged into another lesion: counts as 0 mm."
        )
    return cell


def _notes(result: TimepointResult) -> list[str]:
    if not result.notes:
        return []
    return [
        QCoreApplication.translate("LesionTrackerModel", "Notes:"),
        *(f"• {n}" for n in result.notes),
    ]


def _summary_cell(
    kind: RowKind, a: AssessmentColumn, response: SubjectResponse, tracked: TrackedTimepoint | None
) -> Cell:
    cell = Cell(background=SUMMARY_BACKGROUND, align=_CENTRE)
    ev = response.evaluation
    if a.index is None:  # the baseline: only its sum
        if kind is RowKind.SUM and ev is not None and ev.baseline_sum_mm is not None:
            cell.text, cell.align, cell.bold = mm_text(ev.baseline_sum_mm), _RIGHT, True
            cell.tooltip = QCoreApplication.translate(
                "LesionTrackerModel",
                "Sum of the target lesions' diameters at baseline: the reference for PR.",
            )
        return cell
    if ev is None or tracked is None:
        return cell
    r = tracked.result
    notes = _notes(r)
    if kind is RowKind.SUM:
        cell.align, cell.bold = _RIGHT, True
        if r.sum_mm is not None:
            cell.text = mm_text(r.sum_mm)
        elif r.measured_sum_mm is not None:
            cell.text = QCoreApplication.translate(
                "LesionTrackerModel", "{mm} (incomplete)"
            ).format(mm=mm_text(r.measured_sum_mm))
            cell.foreground = MUTED_COLOUR
            cell.tooltip = QCoreApplication.translate(
                "LesionTrackerModel",
                "A target was not assessed: {mm} mm is the sum of those measured.",
            ).format(mm=mm_text(r.measured_sum_mm))
        else:
            cell.text = labels.missing_text()
    elif kind is RowKind.CHANGE_BASELINE:
        cell.text, cell.align = percent_text(r.change_from_baseline_pct), _RIGHT
    elif kind is RowKind.NADIR:
        cell.text, cell.align = mm_text(r.nadir_mm), _RIGHT
        cell.tooltip = QCoreApplication.translate(
            "LesionTrackerModel",
            "The smallest sum before this assessment (baseline included): the reference for PD.",
        )
    elif kind is RowKind.CHANGE_NADIR:
        cell.align = _RIGHT
        if r.change_from_nadir_mm is None:
            cell.text = labels.missing_text()
        elif r.change_from_nadir_pct is None:
            cell.text = QCoreApplication.translate("LesionTrackerModel", "{mm} mm").format(
                mm=signed_text(r.change_from_nadir_mm)
            )
        else:
            cell.text = QCoreApplication.translate("LesionTrackerModel", "{pct} ({mm} mm)").format(
                pct=percent_text(r.change_from_nadir_pct), mm=signed_text(r.change_from_nadir_mm)
            )
    elif kind is RowKind.TARGET:
        cell.text = response_text(r.target)
        if r.target_raw is not None and r.target_raw is not r.target:
            cell.text = QCoreApplication.translate(
                "LesionTrackerModel", "{response} (this sum alone: {raw})"
            ).format(response=response_text(r.target), raw=response_text(r.target_raw))
        cell.foreground = response_colour(r.target)
        cell.bold = True
    elif kind is RowKind.NON_TARGET:
        cell.text = response_text(r.non_target)
        if r.non_target is None:
            cell.tooltip = QCoreApplication.translate(
                "LesionTrackerModel", "No non-target lesions at baseline."
            )
        cell.foreground = response_colour(r.non_target)
        cell.bold = True
    elif kind is RowKind.NEW_LESIONS:
        cell.text = new_lesions_text(r.new_lesions)
        if r.new_lesions is NewLesions.YES:
            cell.foreground = ERROR_COLOUR
        elif r.new_lesions is NewLesions.EQUIVOCAL:
            cell.foreground = WARNING_COLOUR
    elif kind is RowKind.OVERALL:
        cell.text, cell.bold = response_text(r.overall), True
        cell.foreground = response_colour(r.overall)
    elif kind is RowKind.IRESPONSE:
        cell.text, cell.bold = response_text(r.iresponse), True
        cell.foreground = response_colour(r.iresponse)
    elif kind is RowKind.NLT_SUM:
        cell.text, cell.align = mm_text(r.nlt_sum_mm), _RIGHT
    elif kind is RowKind.IUPD:
        cell.text = ", ".join(category_text(c) for c in r.iupd_categories)
    elif kind in INVESTIGATOR_ROW.values():
        computed_kind = next(k for k, v in INVESTIGATOR_ROW.items() if v is kind)
        given = tracked.investigator.get(INVESTIGATOR_KEY[computed_kind])
        cell.text = response_text(given)
        if given is None:
            cell.foreground = MUTED_COLOUR
            cell.tooltip = QCoreApplication.translate(
                "LesionTrackerModel", "Not recorded by the investigator."
            )
    _flag(cell, kind, tracked.discrepancies, notes)
    return cell


def _flag(
    cell: Cell, kind: RowKind, discrepancies: Iterable[Discrepancy], notes: list[str]
) -> None:
    """Mark a computed or investigator cell whose responses differ; add the notes."""
    what = INVESTIGATOR_KEY.get(kind) or next(
        (INVESTIGATOR_KEY[k] for k, v in INVESTIGATOR_ROW.items() if v is kind), None
    )
    lines = [cell.tooltip] if cell.tooltip else []
    found = next((d for d in discrepancies if d.what == what), None) if what else None
    if found is not None:
        cell.background = DISCREPANCY_BACKGROUND
        cell.icon = discrepancy_icon()
        cell.bold = True
        lines.insert(0, discrepancy_tooltip(found))
    if kind in INVESTIGATOR_KEY or kind is RowKind.SUM:
        lines.extend(notes)
    cell.tooltip = "\n".join(lines)
