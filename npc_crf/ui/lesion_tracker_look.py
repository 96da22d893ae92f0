"""How the lesion tracker looks: colours, marks, the texts of its values, rows and columns.

Shared by the model (:mod:`.lesion_tracker_model`), the grid and the page
(:mod:`.lesion_tracker`). Response tokens (CR, PR, iUPD…) and the engine's own
sentences (reasons, notes, problems) are shown as they are; everything else goes
through Qt's translation (context ``LesionTrackerLook``).
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum, IntEnum
from functools import cache

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

from npc_crf.forms.model import Study
from npc_crf.oncology.recist.from_forms import tumour_map
from npc_crf.oncology.recist.model import (
    Classification,
    Lesion,
    Mark,
    Measurement,
    Method,
    NewLesions,
    Response,
    Role,
)
from npc_crf.services.response import Discrepancy
from npc_crf.ui import labels
from npc_crf.ui.view_look import ALERT_COLOUR

# ------------------------------------------------------------------------------ look

#: text of errors (invalid target choice) and of progression
ERROR_COLOUR = ALERT_COLOUR
#: text of warnings, and the mark of a discrepancy
WARNING_COLOUR = "#e65100"
#: background of a cell where the computed and the investigator's response differ
DISCREPANCY_BACKGROUND = "#ffe0b2"
#: text of a response (CR, PR)
RESPONSE_COLOUR = "#2e7d32"
#: background of the section rows and of the sums-and-responses rows
SECTION_BACKGROUND = "#cfd8dc"
SUMMARY_BACKGROUND = "#f5f7f8"
LESION_BACKGROUND = "#ffffff"
#: text of values that are not measurements (not assessed, not recorded)
MUTED_COLOUR = "#616161"

_GOOD = {Response.CR, Response.PR, Response.ICR, Response.IPR}
_BAD = {Response.PD, Response.IUPD, Response.ICPD}


def response_colour(response: Response | None) -> str | None:
    """Responses in green, progression in red, the rest in the normal colour."""
    if response in _GOOD:
        return RESPONSE_COLOUR
    if response in _BAD:
        return ERROR_COLOUR
    return None


def _triangle_icon(colour: str) -> QIcon:
    size = 64.0
    pixmap = QPixmap(int(size), int(size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(colour), 4))
    painter.setBrush(QColor(colour))
    painter.drawPolygon(QPolygonF([QPointF(32, 4), QPointF(62, 58), QPointF(2, 58)]))
    painter.setPen(QPen(QColor("#ffffff"), 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawLine(QPointF(32, 22), QPointF(32, 40))
    painter.drawPoint(QPointF(32, 50))
    painter.end()
    return QIcon(pixmap)


@cache
def discrepancy_icon() -> QIcon:
    """The mark of a computed response that differs from the investigator's (amber)."""
    return _triangle_icon(WARNING_COLOUR)


@cache
def problem_icon(severity: str) -> QIcon:
    """The mark of a target-selection problem: a red disc for errors, an amber triangle
    for warnings (shapes differ, so colour is not the only cue)."""
    if severity != "error":
        return _triangle_icon(WARNING_COLOUR)
    size = 64.0
    pixmap = QPixmap(int(size), int(size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(ERROR_COLOUR))
    painter.drawEllipse(QRectF(2, 2, size - 4, size - 4))
    painter.setPen(QPen(QColor("#ffffff"), 8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawLine(QPointF(32, 15), QPointF(32, 37))
    painter.drawPoint(QPointF(32, 49))
    painter.end()
    return QIcon(pixmap)


@cache
def info_icon() -> QIcon:
    """The mark of an assessment with notes from the engine (a blue disc with an i)."""
    size = 64.0
    pixmap = QPixmap(int(size), int(size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#1565c0"))
    painter.drawEllipse(QRectF(2, 2, size - 4, size - 4))
    painter.setPen(QPen(QColor("#ffffff"), 8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawPoint(QPointF(32, 16))
    painter.drawLine(QPointF(32, 29), QPointF(32, 48))
    painter.end()
    return QIcon(pixmap)


# ------------------------------------------------------------------------------ texts


def mm_text(value: Decimal | None) -> str:
    """A length in mm as recorded ("12.0", "0"); the dash for None."""
    return labels.missing_text() if value is None else str(value)


def signed_text(value: Decimal) -> str:
    """A signed number: "+5.0", "-12.5", "0"."""
    return f"{value:+}" if value != 0 else str(abs(value))


def percent_text(value: Decimal | None) -> str:
    """A change in percent: "+12.5%", "-30.0%"; the dash for None."""
    return labels.missing_text() if value is None else f"{signed_text(value)}%"


def response_text(response: Response | None) -> str:
    """A response token as shown (the tokens are the same in every language)."""
    return labels.missing_text() if response is None else response.value


def measurement_text(m: Measurement | None) -> str:
    """A follow-up measurement as it was recorded."""
    if m is None or m.mark is Mark.NOT_ASSESSED:
        return QCoreApplication.translate("LesionTrackerLook", "not assessed")
    if m.mark is Mark.TOO_SMALL:
        return QCoreApplication.translate("LesionTrackerLook", "too small ({mm})").format(
            mm=mm_text(m.value_mm())
        )
    if m.fragments_mm:
        return " + ".join(mm_text(f) for f in m.fragments_mm)
    if m.merged_into is not None:
        return QCoreApplication.translate("LesionTrackerLook", "merged into {lesion}").format(
            lesion=m.merged_into
        )
    return mm_text(m.mm)


def classification_text(c: Classification) -> str:
    """A lesion's baseline classification in words."""
    texts = {
        Classification.MEASURABLE: QCoreApplication.translate("LesionTrackerLook", "measurable"),
        Classification.NON_MEASURABLE: QCoreApplication.translate(
            "LesionTrackerLook", "non-measurable"
        ),
        Classification.NORMAL_NODE: QCoreApplication.translate("LesionTrackerLook", "normal node"),
    }
    return texts[c]


def method_text(method: Method) -> str:
    """An imaging method (CT, MRI, PET-CT are the same in every language)."""
    texts = {
        Method.XRAY: QCoreApplication.translate("LesionTrackerLook", "X-ray"),
        Method.CALIPER: QCoreApplication.translate("LesionTrackerLook", "caliper"),
        Method.US: QCoreApplication.translate("LesionTrackerLook", "ultrasound"),
        Method.OTHER: QCoreApplication.translate("LesionTrackerLook", "other"),
    }
    return texts.get(method, method.value)


def new_lesions_text(new: NewLesions) -> str:
    """Whether new lesions were seen."""
    texts = {
        NewLesions.NO: QCoreApplication.translate("LesionTrackerLook", "no"),
        NewLesions.YES: QCoreApplication.translate("LesionTrackerLook", "yes"),
        NewLesions.EQUIVOCAL: QCoreApplication.translate("LesionTrackerLook", "equivocal"),
    }
    return texts[new]


def category_text(category: str) -> str:
    """An iUPD category (target, non_target, new_lesions) in words."""
    texts = {
        "target": QCoreApplication.translate("LesionTrackerLook", "target"),
        "non_target": QCoreApplication.translate("LesionTrackerLook", "non-target"),
        "new_lesions": QCoreApplication.translate("LesionTrackerLook", "new lesions"),
    }
    return texts.get(category, category)


def criteria_text(irecist: bool) -> str:
    """The criteria in force, as the caption and the panel name them."""
    return (
        QCoreApplication.translate("LesionTrackerLook", "iRECIST (with RECIST 1.1)")
        if irecist
        else "RECIST 1.1"
    )


def discrepancy_tooltip(d: Discrepancy) -> str:
    """ "Investigator: PR — computed: SD"."""
    return QCoreApplication.translate(
        "LesionTrackerLook", "Investigator: {investigator} — computed: {computed}"
    ).format(investigator=response_text(d.investigator), computed=response_text(d.computed))


def organ_text(study: Study, lesion: Lesion, lang: str) -> str:
    """The lesion's organ as the form's code list names it (the code when it has none)."""
    m = tumour_map(study)
    form = study.forms.get(m.form) if m is not None else None
    if m is None or form is None:
        return lesion.organ
    item = form.item(m.t_organ if lesion.role is Role.TARGET else m.nt_organ)
    codes = study.codelist_for(item) if item is not None else None
    code = codes.get(lesion.organ) if codes is not None else None
    return code.label.get(lang) if code is not None else lesion.organ


# ------------------------------------------------------------------------------ rows and columns


class RowKind(Enum):
    """What a row of the grid shows."""

    TARGETS = "targets"  # section rows
    NON_TARGETS = "non_targets"
    RESPONSES = "responses"
    LESION = "lesion"
    SUM = "sum"
    CHANGE_BASELINE = "change_baseline"
    NADIR = "nadir"
    CHANGE_NADIR = "change_nadir"
    TARGET = "target"
    TARGET_INV = "target_inv"
    NON_TARGET = "non_target"
    NON_TARGET_INV = "non_target_inv"
    NEW_LESIONS = "new_lesions"
    OVERALL = "overall"
    OVERALL_INV = "overall_inv"
    IRESPONSE = "iresponse"
    IRESPONSE_INV = "iresponse_inv"
    NLT_SUM = "nlt_sum"
    IUPD = "iupd"


SECTIONS = (RowKind.TARGETS, RowKind.NON_TARGETS, RowKind.RESPONSES)

#: a computed response row → the investigator's key (TrackedTimepoint.investigator)
INVESTIGATOR_KEY = {
    RowKind.TARGET: "target",
    RowKind.NON_TARGET: "non_target",
    RowKind.OVERALL: "overall",
    RowKind.IRESPONSE: "iresponse",
}
#: the investigator's row under each computed response row
INVESTIGATOR_ROW = {
    RowKind.TARGET: RowKind.TARGET_INV,
    RowKind.NON_TARGET: RowKind.NON_TARGET_INV,
    RowKind.OVERALL: RowKind.OVERALL_INV,
    RowKind.IRESPONSE: RowKind.IRESPONSE_INV,
}


def row_title(kind: RowKind) -> str:
    """The title of a section or summary row."""
    texts = {
        RowKind.TARGETS: QCoreApplication.translate("LesionTrackerLook", "Target lesions"),
        RowKind.NON_TARGETS: QCoreApplication.translate("LesionTrackerLook", "Non-target lesions"),
        RowKind.RESPONSES: QCoreApplication.translate("LesionTrackerLook", "Sums and responses"),
        RowKind.SUM: QCoreApplication.translate("LesionTrackerLook", "Sum of diameters (mm)"),
        RowKind.CHANGE_BASELINE: QCoreApplication.translate(
            "LesionTrackerLook", "Change from baseline"
        ),
        RowKind.NADIR: QCoreApplication.translate(
            "LesionTrackerLook", "Nadir before this assessment (mm)"
        ),
        RowKind.CHANGE_NADIR: QCoreApplication.translate("LesionTrackerLook", "Change from nadir"),
        RowKind.TARGET: QCoreApplication.translate("LesionTrackerLook", "Target response"),
        RowKind.TARGET_INV: QCoreApplication.translate(
            "LesionTrackerLook", "Target response (investigator)"
        ),
        RowKind.NON_TARGET: QCoreApplication.translate("LesionTrackerLook", "Non-target response"),
        RowKind.NON_TARGET_INV: QCoreApplication.translate(
            "LesionTrackerLook", "Non-target response (investigator)"
        ),
        RowKind.NEW_LESIONS: QCoreApplication.translate("LesionTrackerLook", "New lesions"),
        RowKind.OVERALL: QCoreApplication.translate(
            "LesionTrackerLook", "Overall response (RECIST 1.1)"
        ),
        RowKind.OVERALL_INV: QCoreApplication.translate(
            "LesionTrackerLook", "Overall response (investigator)"
        ),
        RowKind.IRESPONSE: QCoreApplication.translate("LesionTrackerLook", "iRECIST response"),
        RowKind.IRESPONSE_INV: QCoreApplication.translate(
            "LesionTrackerLook", "iRECIST response (investigator)"
        ),
        RowKind.NLT_SUM: QCoreApplication.translate(
            "LesionTrackerLook", "New-lesion target sum (mm)"
        ),
        RowKind.IUPD: QCoreApplication.translate("LesionTrackerLook", "iUPD categories"),
    }
    return texts[kind]


class Info(IntEnum):
    """The columns that describe a lesion (they stay in place when the grid scrolls)."""

    ID = 0
    ORGAN = 1
    NODAL = 2
    METHOD = 3
    CLASS = 4
    IRRADIATED = 5


FROZEN = len(Info)
#: lesion columns a narrow grid hides (the ID cell's tooltip still says what they hold)
OPTIONAL_INFO = (Info.METHOD, Info.CLASS, Info.IRRADIATED)


def info_title(column: Info) -> str:
    """The header of a lesion column."""
    texts = {
        Info.ID: QCoreApplication.translate("LesionTrackerLook", "Lesion"),
        Info.ORGAN: QCoreApplication.translate("LesionTrackerLook", "Organ"),
        Info.NODAL: QCoreApplication.translate("LesionTrackerLook", "Node"),
        Info.METHOD: QCoreApplication.translate("LesionTrackerLook", "Method"),
        Info.CLASS: QCoreApplication.translate("LesionTrackerLook", "Baseline class"),
        Info.IRRADIATED: QCoreApplication.translate("LesionTrackerLook", "Irradiated"),
    }
    return texts[column]
