"""The Sync page, used the way a research nurse, a monitor and the site administrator would.

A site with one consented subject is made once per module and copied for each test; a
stand-in coordinating center (``tests/sync_site_helpers.py``, made from ``cryptography``
alone) gives the identity card to trust and seals the return bundles. Buttons are
clicked and the dialogs they open are answered as a person answers them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from npc_crf.services.sync.common import ACKNOWLEDGED, CREATED, SENT
from npc_crf.services.workspace import Workspace
from npc_crf.ui.app import Shell
from npc_crf.ui.sync_dialogs import CenterUrlDialog, CenterUrlStore, TrustCenterDialog
from npc_crf.ui.sync_model import OutboxColumn
from npc_crf.ui.sync_view import SyncView
from npc_crf.ui.worker import JobRunner
from tests.store_helpers import (
    ADMIN,
    MONITOR,
    NURSE,
    SiteTemplate,
    StoreSite,
    audit_actions,
    enrol_consented,
    populated_template,
)
from tests.sync_site_helpers import TestCenter, ack, center_query, sync_tables
from tests.ui_shell import idle, logged_in, shells_in

WAIT = 20_000
LEFT = Qt.MouseButton.LeftButton


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def center() -> TestCenter:
    return TestCenter(center_id="CC-NPC-01")


@pytest.fixture(scope="module")
def untrusted(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    """A site with a consented subject and no coordinating center trusted yet."""
    template, _sid = populated_template(
        tmp_path_factory.mktemp("ui-sync"), enrol_consented, users=(NURSE, MONITOR)
    )
    return template


@pytest.fixture(scope="module")
def trusted(
    untrusted: SiteTemplate, tmp_path_factory: pytest.TempPathFactory, center: TestCenter
) -> SiteTemplate:
    """The same site once the administrator trusted the stand-in center."""
    store = untrusted.copy(tmp_path_factory.mktemp("ui-sync-trusted") / "site")
    admin = store.login(ADMIN)
    admin.sync.trust_center(center.card, center.card.fingerprint)
    admin.logout()
    store.close()
    return SiteTemplate(store.root, untrusted.recovery)


@pytest.fixture
def site(trusted: SiteTemplate, tmp_path: Path, center: TestCenter) -> Iterator[StoreSite]:
    center.next_return = 1  # every test starts on a new copy of the site
    store = trusted.copy(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.wait()


@pytest.fixture
def urls(tmp_path: Path) -> CenterUrlStore:
    return CenterUrlStore(tmp_path / "config" / "center-urls.json")


@pytest.fixture
def start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Shell]]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the center addresses
    with shells_in(tmp_path) as make:
        yield make


# ------------------------------------------------------------------------------ helpers


def sync_view(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, urls: CenterUrlStore, lang: str = "en"
) -> SyncView:
    view = SyncView(ws, runner, lang, url_store=urls)
    qtbot.addWidget(view)
    view.resize(1040, 760)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.refresh()
    return view


def acted(qtbot: QtBot, view: SyncView, action: str, start: Callable[[], object]) -> None:
    """Start an action (a click, or a call) and wait until it ended and the page was read
    again."""
    with qtbot.waitSignal(
        view.actionEnded, timeout=WAIT, check_params_cb=lambda name: name == action
    ):
        start()
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=WAIT)


def on_dialog(kind: type[QWidget], action: Callable[[Any], object]) -> None:
    """Run ``action`` on the next modal dialog of ``kind`` as soon as it shows (a dialog
    opened from another dialog too); a failed action closes it so the test cannot hang."""

    def check() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, kind) or not widget.isVisible():
            QTimer.singleShot(10, check)
            return
        try:
            action(widget)
        except BaseException:
            if isinstance(widget, QDialog):
                widget.reject()
            raise

    QTimer.singleShot(0, check)


def choose_files(*paths: Path) -> Callable[[QFileDialog], None]:
    def choose(dialog: QFileDialog) -> None:
        if len(paths) == 1:
            dialog.selectFile(str(paths[0]))
        else:
            dialog.selectFile(" ".join(f'"{p.name}"' for p in paths))
            dialog.setDirectory(str(paths[0].parent))
        dialog.accept()

    return choose


def answer(button: QMessageBox.StandardButton) -> Callable[[QMessageBox], None]:
    def click(box: QMessageBox) -> None:
        box.button(button).click()

    return click


def status_texts(view: SyncView) -> dict[int, str]:
    """Sequence number → the status shown in the outbox table."""
    texts: dict[int, str] = {}
    for row in range(view.proxy.rowCount()):
        sequence = view.proxy.index(row, OutboxColumn.SEQUENCE).data()
        texts[int(sequence)] = view.proxy.index(row, OutboxColumn.STATUS).data()
    return texts


def write_return(center: TestCenter, ws: Workspace, path: Path, **content: Any) -> Path:
    path.write_bytes(center.seal_return(ws.sync.identity_card(), **content))
    return path


def _raw(key: Any) -> bytes:
    return bytes(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


# ------------------------------------------------------------------------------ trusting


def test_the_administrator_trusts_the_center_after_a_wrong_then_the_right_fingerprint(
    qtbot: QtBot,
    untrusted: SiteTemplate,
    tmp_path: Path,
    runner: JobRunner,
    urls: CenterUrlStore,
    center: TestCenter,
) -> None:
    store = untrusted.copy(tmp_path / "site")
    ws = store.login(ADMIN)
    view = sync_view(qtbot, ws, runner, urls)
    assert view.center_label.text() == "No coordinating center trusted yet."
    assert "no coordinating center is trusted yet" in view.summary_label.text()
    assert not view.export_button.isEnabled()
    assert "No coordinating center is trusted yet" in view.export_button.toolTip()
    card_file = tmp_path / "center.identity.json"
    center.card.write(card_file)
    right = center.card.fingerprint
    groups = right.split()
    groups[2] = f"{(int(groups[2]) + 1) % 100000:05d}"  # one group misheard on the phone
    wrong = " ".join(groups)
    seen: dict[str, Any] = {}

    def trust(dialog: TrustCenterDialog) -> None:
        on_dialog(QFileDialog, choose_files(card_file))
        qtbot.mouseClick(dialog.choose_button, LEFT)
        assert dialog.card is not None
        assert dialog.fingerprint.text().split() == right.split()
        assert not dialog.ok_button.isEnabled()  # nothing typed yet
        qtbot.keyClicks(dialog.typed_edit, wrong)
        qtbot.mouseClick(dialog.ok_button, LEFT)
        seen["visible after the wrong one"] = dialog.isVisible()
        seen["error"] = dialog.error
        dialog.typed_edit.clear()
        qtbot.keyClicks(dialog.typed_edit, right.replace(" ", ""))  # spaces are optional
        qtbot.mouseClick(dialog.ok_button, LEFT)

    on_dialog(TrustCenterDialog, trust)
    acted(qtbot, view, "trust", lambda: qtbot.mouseClick(view.trust_button, LEFT))
    assert seen["visible after the wrong one"]
    assert "groups that differ: 3)" in seen["error"]
    status = ws.sync.status()
    assert status.center is not None and status.center.center_id == "CC-NPC-01"
    assert audit_actions(ws).count("center_trusted") == 1
    assert "CC-NPC-01" in view.center_label.text()
    assert view.center_fingerprint.fingerprint == right
    assert "Center CC-NPC-01 is trusted now" in view.message
    assert view.export_button.isEnabled()
    assert view.trust_button.text() == "Trust another center…"
    store.close()


@pytest.mark.parametrize(
    ("card_of", "refusal"),
    [
        ("installation", "not of a coordinating center"),
        ("other study", "The card is for study OTHER-STUDY"),
    ],
)
def test_the_trust_dialog_refuses_a_card_that_is_not_this_studys_center(
    qtbot: QtBot, site: StoreSite, tmp_path: Path, card_of: str, refusal: str
) -> None:
    ws = site.login(NURSE)
    if card_of == "installation":
        card = ws.sync.identity_card()
    else:
        card = TestCenter(study_oid="OTHER-STUDY").card
    path = tmp_path / "card.json"
    card.write(path)
    dialog = TrustCenterDialog(ws.study.oid)
    qtbot.addWidget(dialog)
    assert not dialog.load_card(path)
    assert refusal in dialog.error
    assert dialog.card is None and not dialog.typed_edit.isEnabled()
    assert not dialog.ok_button.isEnabled()


# ------------------------------------------------------------------------------ permissions


def test_a_monitor_reads_the_status_but_every_action_says_why_it_is_not_allowed(
    qtbot: QtBot, site: StoreSite, runner: JobRunner, urls: CenterUrlStore
) -> None:
    ws = site.login(MONITOR)
    view = sync_view(qtbot, ws, runner, urls)
    assert "CC-NPC-01" in view.center_label.text()
    assert view.not_acknowledged_label.text().endswith(str(ws.sync.status().not_acknowledged))
    for button in (
        view.export_button,
        view.send_button,
        view.upload_button,
        view.apply_button,
        view.identity_button,
    ):
        assert not button.isEnabled()
        assert "monitor" in button.toolTip() and "may not export" in button.toolTip()
    assert view.trust_button.isHidden()
    assert view.role_note.isVisible()
    assert view.export() is None and view.apply_returns([Path("x.npcr")]) is None


def test_a_nurse_cannot_trust_a_center_and_is_told_who_can(
    qtbot: QtBot, untrusted: SiteTemplate, tmp_path: Path, runner: JobRunner, urls: CenterUrlStore
) -> None:
    store = untrusted.copy(tmp_path / "site")
    view = sync_view(qtbot, store.login(NURSE), runner, urls)
    assert view.trust_button.isHidden()
    assert "site administrator" in view.trust_note.text()
    assert view.trust_center() is None
    assert view.identity_button.isEnabled()  # the card goes to the center before it is trusted
    store.close()


# ------------------------------------------------------------------------------ the cycle


def test_export_send_and_an_acknowledging_return_take_a_bundle_to_acknowledged(
    qtbot: QtBot,
    site: StoreSite,
    runner: JobRunner,
    urls: CenterUrlStore,
    center: TestCenter,
    tmp_path: Path,
) -> None:
    ws = site.login(NURSE)
    view = sync_view(qtbot, ws, runner, urls)
    waiting = ws.sync.status().not_acknowledged
    assert waiting > 0 and view.model.rowCount() == 0
    assert view.empty_label.isVisible()
    assert "Not synchronised" in view.summary_label.text()

    acted(qtbot, view, "export", lambda: qtbot.mouseClick(view.export_button, LEFT))
    (bundle,) = ws.sync.bundles()
    assert status_texts(view) == {1: "Created"}
    assert "Bundle 1 was made (full" in view.message
    assert view.not_exported_label.text() == "Changes not yet exported: 0"
    assert view.not_acknowledged_label.text().endswith(f": {waiting}")  # exported is not synced
    assert "They are exported" in view.summary_label.text()
    assert view.selected_uids() == [bundle.uid]
    assert bundle.file_name in view.details_label.text()
    assert bundle.manifest_sha256 in view.details_label.text()

    usb = tmp_path / "usb"
    usb.mkdir()
    on_dialog(QFileDialog, choose_files(usb))
    acted(qtbot, view, "send", lambda: qtbot.mouseClick(view.send_button, LEFT))
    assert (usb / bundle.file_name).read_bytes() == (
        ws.site.data.exports / bundle.file_name
    ).read_bytes()
    assert status_texts(view) == {1: "Sent"}
    assert f"Bundles copied to {usb} and checked there: 1." in view.message
    assert view.not_acknowledged_label.text().endswith(f": {waiting}")  # nor is sent
    assert "The bundles were sent" in view.summary_label.text()

    returned = write_return(center, ws, tmp_path / "r1.npcr", acks=[ack(bundle.uid, 1)])
    on_dialog(QFileDialog, choose_files(returned))
    acted(qtbot, view, "apply", lambda: qtbot.mouseClick(view.apply_button, LEFT))
    assert status_texts(view) == {1: "Acknowledged"}
    assert "Bundles acknowledged by the center: 1." in view.message
    assert view.not_acknowledged_label.text() == ("Changes not yet acknowledged by the center: 0")
    assert view.summary_label.text().startswith("Everything up to ")
    assert view.summary_tone == "ok"
    assert "Last return bundle: number 1" in view.last_return_label.text()
    assert ws.status.summary().unsent_changes == 0


def test_sending_the_selected_bundles_copies_only_those(
    qtbot: QtBot, site: StoreSite, runner: JobRunner, urls: CenterUrlStore, tmp_path: Path
) -> None:
    ws = site.login(NURSE)
    view = sync_view(qtbot, ws, runner, urls)
    for _ in range(2):
        acted(qtbot, view, "export", view.export_action.trigger)
    _first, second = ws.sync.bundles()
    assert [b.sequence for b in view.shown_bundles()] == [2, 1]  # newest first
    view.select_bundles([second.uid])
    assert view.send_selected_action.isEnabled()
    folder = tmp_path / "shared"
    folder.mkdir()
    on_dialog(QFileDialog, choose_files(folder))
    acted(qtbot, view, "send", view.send_selected_action.trigger)
    assert sorted(p.name for p in folder.iterdir()) == [second.file_name]
    assert status_texts(view) == {1: "Created", 2: "Sent"}


def test_a_full_export_is_made_only_after_the_confirmation(
    qtbot: QtBot, site: StoreSite, runner: JobRunner, urls: CenterUrlStore
) -> None:
    ws = site.login(NURSE)
    view = sync_view(qtbot, ws, runner, urls)
    acted(qtbot, view, "export", view.export_action.trigger)
    on_dialog(QMessageBox, answer(QMessageBox.StandardButton.No))
    view.full_export_action.trigger()
    assert not view.busy and len(ws.sync.bundles()) == 1
    qtbot.wait(50)  # the first box is deleted (run_modal gives the focus back to a live widget)
    on_dialog(QMessageBox, answer(QMessageBox.StandardButton.Yes))
    acted(qtbot, view, "export", view.full_export_action.trigger)
    assert [b.full for b in ws.sync.bundles()] == [True, True]
    assert view.proxy.index(0, OutboxColumn.KIND).data() == "Full"


def test_the_status_bar_counts_until_the_center_acknowledges(
    qtbot: QtBot,
    site: StoreSite,
    center: TestCenter,
    start: Callable[..., Shell],
    tmp_path: Path,
) -> None:
    site.close()
    shell = start(site.root)
    window = logged_in(qtbot, shell, NURSE)
    assert window.navigate("sync")
    view = window.views["sync"]
    assert isinstance(view, SyncView) and window.current_key == "sync"
    idle(qtbot, shell)
    waiting = window.ws.sync.status().not_acknowledged
    assert window.status.unsent.text() == f"Not acknowledged: {waiting}"
    assert window.status.last_sync.text() == "Acknowledged up to: never"
    acted(qtbot, view, "export", view.export_action.trigger)
    assert window.status.unsent.text() == f"Not acknowledged: {waiting}"  # exported ≠ synced
    (bundle,) = window.ws.sync.bundles()
    returned = write_return(center, window.ws, tmp_path / "r1.npcr", acks=[ack(bundle.uid, 1)])
    acted(qtbot, view, "apply", lambda: view.apply_returns([returned]))
    assert window.status.unsent.text() == "Not acknowledged: 0"
    assert "never" not in window.status.last_sync.text()
    assert not window.status.warning.isVisible()


def test_queries_and_a_held_bundle_from_the_center_are_reported(
    qtbot: QtBot,
    site: StoreSite,
    runner: JobRunner,
    urls: CenterUrlStore,
    center: TestCenter,
    tmp_path: Path,
) -> None:
    ws = site.login(NURSE)
    view = sync_view(qtbot, ws, runner, urls)
    acted(qtbot, view, "export", view.export_action.trigger)
    (bundle,) = ws.sync.bundles()
    (subject,) = [s.subject_id for s in ws.subjects.list()]
    returned = write_return(
        center,
        ws,
        tmp_path / "r1.npcr",
        acks=[ack(bundle.uid, 1, "held")],
        queries=[center_query(subject)],
    )
    acted(qtbot, view, "apply", lambda: view.apply_returns([returned]))
    assert status_texts(view) == {1: "Held at the center"}
    assert "Bundles held by the center until an earlier one arrives: 1." in view.message
    assert "Queries from the center: 1 new, 1 new messages." in view.message
    assert "holds a bundle until an earlier one arrives" in view.summary_label.text()
    acted(qtbot, view, "apply", lambda: view.apply_returns([returned]))
    assert view.message == "r1.npcr: already applied; nothing changed."


# ------------------------------------------------------------------------------ refusals


def _other_signer(center: TestCenter, ws: Workspace, uid: str) -> bytes:
    return center.seal_return(
        ws.sync.identity_card(), acks=[ack(uid, 1)], signing=Ed25519PrivateKey.generate()
    )


def _other_recipient(center: TestCenter, ws: Workspace, uid: str) -> bytes:
    other = _raw(X25519PrivateKey.generate().public_key())
    return center.seal_return(ws.sync.identity_card(), acks=[ack(uid, 1)], recipient_x25519=other)


def _truncated(center: TestCenter, ws: Workspace, uid: str) -> bytes:
    return center.seal_return(ws.sync.identity_card(), acks=[ack(uid, 1)])[:-7]


TAMPERED = [
    (_other_signer, "signature"),
    (_other_recipient, "recipient"),
    (_truncated, "framing"),
]


@pytest.mark.parametrize(("make", "check"), TAMPERED)
def test_a_tampered_return_bundle_is_refused_naming_the_check_and_changes_nothing(
    qtbot: QtBot,
    site: StoreSite,
    runner: JobRunner,
    urls: CenterUrlStore,
    center: TestCenter,
    tmp_path: Path,
    make: Callable[[TestCenter, Workspace, str], bytes],
    check: str,
) -> None:
    ws = site.login(NURSE)
    view = sync_view(qtbot, ws, runner, urls)
    acted(qtbot, view, "export", view.export_action.trigger)
    (bundle,) = ws.sync.bundles()
    path = tmp_path / "bad.npcr"
    path.write_bytes(make(center, ws, bundle.uid))
    before = sync_tables(ws)
    acted(qtbot, view, "apply", lambda: view.apply_returns([path]))
    assert f'bad.npcr was refused by the "{check}" check' in view.message
    assert view.message.endswith("Nothing was applied.")
    assert view.message_tone == "error"
    assert sync_tables(ws) == before
    assert status_texts(view) == {1: "Created"}


# ------------------------------------------------------------------------------ upload


def test_upload_without_a_connection_says_so_calmly_and_keeps_the_bundles(
    qtbot: QtBot, site: StoreSite, runner: JobRunner, urls: CenterUrlStore
) -> None:
    ws = site.login(NURSE)
    view = sync_view(qtbot, ws, runner, urls)
    acted(qtbot, view, "export", view.export_action.trigger)
    before = sync_tables(ws)
    nowhere = "http://127.0.0.1:9"  # the discard port: nothing listens there

    def type_address(dialog: CenterUrlDialog) -> None:
        assert dialog.url == ""  # nothing remembered yet
        qtbot.keyClicks(dialog.url_edit, nowhere)
        qtbot.mouseClick(dialog.ok_button, LEFT)

    on_dialog(CenterUrlDialog, type_address)
    acted(qtbot, view, "upload", lambda: qtbot.mouseClick(view.upload_button, LEFT))
    assert view.message == (
        "No connection to the center; the bundles stay in the outbox. Try again later, "
        "or send them on a USB drive."
    )
    assert view.message_tone == "warn"
    assert status_texts(view) == {1: "Created"}
    assert sync_tables(ws) == before
    assert urls.get(f"{ws.study.oid}/{ws.site_id}") == nowhere  # remembered for next time
    remembered: list[str] = []

    def look_and_cancel(dialog: CenterUrlDialog) -> None:
        remembered.append(dialog.url)
        dialog.reject()

    on_dialog(CenterUrlDialog, look_and_cancel)
    assert view.upload() is None
    assert remembered == [nowhere]


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("https://crf-center.example.org", True),
        ("http://10.0.0.5:8470", True),
        ("  https://crf.example.org/  ", True),
        ("crf-center.example.org", False),
        ("ftp://crf.example.org", False),
        ("https://", False),
    ],
)
def test_the_address_dialog_accepts_only_http_addresses(
    qtbot: QtBot, text: str, valid: bool
) -> None:
    dialog = CenterUrlDialog(text)
    qtbot.addWidget(dialog)
    assert dialog.ok_button.isEnabled() == valid


class _StandInCenterSink:
    """The center behind ``make_server``: opens each bundle with the stand-in center's key
    and answers a return bundle acknowledging what it imported."""

    def __init__(self, center: TestCenter, site_card: Any) -> None:
        self.center, self.site_card = center, site_card
        self.imported: dict[str, int] = {}

    def import_bundle(self, data: bytes, name: str) -> dict[str, Any]:
        envelope, _payload = self.center.open(data, self.site_card)
        self.imported[envelope.bundle_uuid] = envelope.sequence
        return {"status": "imported", "sequence": envelope.sequence}

    def make_return(self, installation_id: str) -> bytes | None:
        if installation_id != self.site_card.installation_id:
            return None
        acks = [ack(uid, seq) for uid, seq in sorted(self.imported.items(), key=lambda i: i[1])]
        return self.center.seal_return(self.site_card, acks=acks)


def test_upload_to_the_center_imports_and_the_return_bundle_acknowledges(
    qtbot: QtBot,
    site: StoreSite,
    runner: JobRunner,
    urls: CenterUrlStore,
    center: TestCenter,
    tmp_path: Path,
) -> None:
    from npc_crf.center.http_server import make_server

    ws = site.login(NURSE)
    view = sync_view(qtbot, ws, runner, urls)
    for _ in range(2):
        acted(qtbot, view, "export", view.export_action.trigger)
    sink = _StandInCenterSink(center, ws.sync.identity_card())
    server = make_server(tmp_path / "center", sink, "127.0.0.1", 0)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        acted(qtbot, view, "upload", lambda: view.upload(server.url))
    finally:
        server.shutdown()
        server.server_close()
        server.sink_thread.close()
        thread.join(5)
    assert sorted(sink.imported.values()) == [1, 2]
    assert status_texts(view) == {1: "Acknowledged", 2: "Acknowledged"}
    assert view.message.startswith(
        "Bundle 1: imported by the center.\nBundle 2: imported by the center.\n"
    )
    assert "Bundles acknowledged by the center: 1, 2." in view.message
    assert ws.sync.status().not_acknowledged == 0


# ------------------------------------------------------------------------------ cancelling


def test_cancelling_an_export_leaves_no_bundle(
    qtbot: QtBot,
    site: StoreSite,
    runner: JobRunner,
    urls: CenterUrlStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from npc_crf.sync.payload import collect as real_collect

    reading, release = threading.Event(), threading.Event()

    def slow_collect(*args: Any, **kwargs: Any) -> Any:
        reading.set()
        release.wait(10)  # a long read of a big site
        return real_collect(*args, **kwargs)

    monkeypatch.setattr("npc_crf.services.sync.outbox.collect", slow_collect)
    ws = site.login(NURSE)
    view = sync_view(qtbot, ws, runner, urls)
    before = sync_tables(ws)
    with qtbot.waitSignal(view.actionEnded, timeout=WAIT):
        qtbot.mouseClick(view.export_button, LEFT)
        qtbot.waitUntil(reading.is_set, timeout=WAIT)
        assert view.busy and view.progress_row.isVisible()
        qtbot.waitUntil(lambda: view.progress_label.text() == "Reading the changes…")
        assert not view.export_button.isEnabled()
        qtbot.mouseClick(view.cancel_button, LEFT)
        assert view.cancel_button.text() == "Cancelling…"
        release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)
    assert view.message == "The export was cancelled; no bundle was made."
    assert not view.progress_row.isVisible()
    assert view.model.rowCount() == 0 and ws.sync.bundles() == []
    assert sorted(p.name for p in ws.site.data.exports.iterdir()) == []
    after = sync_tables(ws)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    assert "bundle_created" not in audit_actions(ws)


# ------------------------------------------------------------------------------ the identity card


def test_the_nurse_saves_the_identity_card_and_sees_its_fingerprint(
    qtbot: QtBot, site: StoreSite, runner: JobRunner, urls: CenterUrlStore, tmp_path: Path
) -> None:
    from npc_crf.sync.identity import IdentityCard

    ws = site.login(NURSE)
    view = sync_view(qtbot, ws, runner, urls)
    target = tmp_path / "S01.identity.json"
    on_dialog(QFileDialog, choose_files(target))
    acted(qtbot, view, "identity", lambda: qtbot.mouseClick(view.identity_button, LEFT))
    card = IdentityCard.read(target)
    assert card.kind == "installation" and card.site_id == "S01"
    assert view.site_fingerprint.fingerprint == card.fingerprint
    assert card.fingerprint in view.message


# ------------------------------------------------------------------------------ Chinese


def test_the_page_speaks_chinese(
    qtbot: QtBot, site: StoreSite, runner: JobRunner, urls: CenterUrlStore, qapp: Any
) -> None:
    from npc_crf.ui.i18n import apply_font, install_language

    ws = site.login(NURSE)
    assert install_language(qapp, "zh")
    try:
        view = sync_view(qtbot, ws, runner, urls, lang="zh")
        acted(qtbot, view, "export", view.export_action.trigger)
        assert "协调中心" in view.heading.text()
        assert "未同步" in view.summary_label.text()
        assert "导出" in view.export_action.text()
        assert view.proxy.index(0, OutboxColumn.STATUS).data() == "已创建"
    finally:
        install_language(qapp, "en")
        apply_font(qapp, "en", 100)


def test_site_statuses_are_named_by_the_service_constants() -> None:
    """The table's status texts cover every outbox status the services use."""
    from npc_crf.services.sync.common import STATUSES
    from npc_crf.ui.sync_model import STATUS_COLOURS, STATUS_TEXTS

    assert set(STATUS_TEXTS) == set(STATUSES) == set(STATUS_COLOURS)
    assert {CREATED, SENT, ACKNOWLEDGED} <= set(STATUSES)
