"""The desktop application's entry point and its form browser window.

Until the encrypted store arrives, the application opens the bundled studies
and lets a person fill in any form of any event in a scratch session (nothing
is saved); ``--tour DIR`` saves screenshots of a few screens and quits.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from npc_crf import __version__
from npc_crf.core.paths import bundled_forms_dir
from npc_crf.forms.loader import load_studies
from npc_crf.forms.model import Study
from npc_crf.forms.problems import DefinitionError
from npc_crf.forms.session import FormSession
from npc_crf.ui.form_view import FormView


class MainWindow(QMainWindow):
    """Studies, their events and forms on the left; the chosen form on the right."""

    def __init__(
        self, studies: list[Study], lang: str = "en", today: dt.date | None = None
    ) -> None:
        super().__init__()
        self.studies = {s.oid: s for s in studies}
        self.lang = lang
        self.today = today
        self.setWindowTitle(f"npc-crf {__version__}")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setObjectName("study_tree")
        self.tree.itemSelectionChanged.connect(self._open_selected)
        self.language = QComboBox()
        self.language.addItems(["English", "简体中文"])
        self.language.setCurrentIndex(1 if lang == "zh" else 0)
        self.language.currentIndexChanged.connect(
            lambda i: self.set_language("zh" if i == 1 else "en")
        )
        left = QWidget()
        left_layout = QVBoxLayout(left)
        top = QHBoxLayout()
        top.addWidget(QLabel("Language / 语言"))
        top.addWidget(self.language)
        left_layout.addLayout(top)
        left_layout.addWidget(self.tree)
        self.placeholder = QLabel()
        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.placeholder)
        self.splitter.setSizes([300, 900])
        self.setCentralWidget(self.splitter)
        self.form_view: FormView | None = None
        self._fill_tree()
        self.resize(1280, 860)

    def _fill_tree(self) -> None:
        self.tree.clear()
        for study in self.studies.values():
            top = QTreeWidgetItem([study.name.get(self.lang)])
            for event in study.events:
                node = QTreeWidgetItem([event.name.get(self.lang)])
                for form_oid in event.forms:
                    leaf = QTreeWidgetItem([study.forms[form_oid].title.get(self.lang)])
                    leaf.setData(0, 256, (study.oid, event.oid, form_oid))
                    node.addChild(leaf)
                top.addChild(node)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.placeholder.setText(
            "Choose a form on the left." if self.lang == "en" else "请在左侧选择一个表单。"
        )

    def set_language(self, lang: str) -> None:
        """Switch every text between English and Chinese."""
        self.lang = lang
        self.language.blockSignals(True)
        self.language.setCurrentIndex(1 if lang == "zh" else 0)
        self.language.blockSignals(False)
        current = self.current_form()
        self._fill_tree()
        if current is not None:
            self.open_form(*current)

    def current_form(self) -> tuple[str, str, str] | None:
        """(study, event, form) of the open form."""
        if self.form_view is None:
            return None
        session = self.form_view.session
        return session.study.oid, session.event or "", session.form.oid

    def _open_selected(self) -> None:
        items = self.tree.selectedItems()
        key = items[0].data(0, 256) if items else None
        if key:
            self.open_form(*key)

    def open_form(self, study_oid: str, event_oid: str, form_oid: str) -> FormView:
        """Show a fresh session of a form."""
        study = self.studies[study_oid]
        session = FormSession(
            study, study.forms[form_oid], event=event_oid, occurrence=1, today=self.today
        )
        view = FormView(session, self.lang)
        old = self.splitter.widget(1)
        self.splitter.replaceWidget(1, view)
        if old is not None:
            old.deleteLater()
        self.form_view = view
        return view


def take_tour(window: MainWindow, out: Path) -> list[Path]:
    """Save screenshots of a few forms in both languages; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    shots: list[Path] = []
    study = next(iter(window.studies.values()))
    picks = [(e.oid, f) for e in study.events for f in e.forms][:4]
    for lang in ("en", "zh"):
        window.set_language(lang)
        for event_oid, form_oid in picks:
            window.open_form(study.oid, event_oid, form_oid)
            if app is not None:
                app.processEvents()
            path = out / f"{lang}-{event_oid}-{form_oid}.png"
            window.grab().save(str(path))
            shots.append(path)
    return shots


def run(forms: Path | None = None, tour: Path | None = None, lang: str = "en") -> int:
    """Start the application (or take the screenshot tour)."""
    app = QApplication.instance() or QApplication(sys.argv)
    try:
        studies = load_studies(forms or bundled_forms_dir())
    except DefinitionError as exc:
        text = "\n".join(str(p) for p in exc.problems[:30])
        if tour is not None:
            print(text, file=sys.stderr)
            return 1
        QMessageBox.critical(None, "npc-crf", f"The study definitions have problems:\n\n{text}")
        return 1
    window = MainWindow(studies, lang)
    if tour is not None:
        shots = take_tour(window, tour)
        for shot in shots:
            print(shot)
        return 0
    window.show()
    return app.exec()
