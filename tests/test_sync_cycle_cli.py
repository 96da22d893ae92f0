"""Issue 7 acceptance through the command line: a site and a coordinating center, each
driven by ``npc-crf`` in subprocesses the way a data manager scripts them.

Keys are exchanged as identity cards and trusted by the fingerprint typed back; a bundle
travels on a "USB drive" (a folder); the center imports it once (a second import changes
nothing), raises a query, and sends a return bundle; the site applies it, the bundle is
acknowledged, the query is on the site's list, and the status says nothing is waiting.
A change after that is counted again until the next acknowledgement.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from npc_crf.services.site import Site
from tests.store_helpers import ADMIN, NURSE, PASSWORDS, enrol_consented, make_site
from tests.test_store_cli import as_user, cli

CENTER_PASSWORD = "center password 9"  # noqa: S105 - test center
CENTER = {"NPC_CRF_PASSWORD": CENTER_PASSWORD}
XSD = Path(__file__).parent / "data" / "odm-1.3.2" / "ODM1-3-2.xsd"


def ok(result: object) -> str:
    out = str(getattr(result, "stdout", ""))
    err = str(getattr(result, "stderr", ""))
    assert getattr(result, "returncode", None) == 0, f"stdout: {out}\nstderr: {err}"
    return out


@pytest.fixture
def site_and_subject(tmp_path: Path) -> tuple[Path, str]:
    store = make_site(tmp_path / "site", users=(NURSE,))
    ws = store.login(NURSE)
    subject_id = enrol_consented(ws)
    ws.logout()
    store.close()
    return store.root, subject_id


def test_a_bundle_goes_to_the_center_and_comes_back_acknowledged_with_a_query(
    tmp_path: Path, site_and_subject: tuple[Path, str]
) -> None:
    site, subject_id = site_and_subject
    center = tmp_path / "center"
    usb = tmp_path / "usb"
    usb.mkdir()  # the drive is plugged in
    admin = ("--data-dir", site, "--user", ADMIN)
    nurse = ("--data-dir", site, "--user", NURSE)

    # keys: the center is made, each side's card is trusted by its fingerprint
    ok(cli("center", "init", "--dir", center, "--study", "NPC-SINT-RT", "--center-id",
           "CC-TEST", "--test-kdf", env=CENTER))  # fmt: skip
    ok(cli("sync", "identity", *admin, "--out", tmp_path / "site-card.json", env=as_user(ADMIN)))
    site_card = json.loads((tmp_path / "site-card.json").read_text())
    wrong = cli("center", "register-site", "--dir", center, "--card", tmp_path / "site-card.json",
                "--fingerprint", "00000 " * 7 + "00000", env=CENTER)  # fmt: skip
    assert wrong.returncode == 2 and "does not match" in wrong.stderr
    ok(cli("center", "register-site", "--dir", center, "--card", tmp_path / "site-card.json",
           "--fingerprint", site_card["fingerprint"].replace(" ", "-"), env=CENTER))  # fmt: skip
    ok(
        cli(
            "center",
            "identity",
            "--dir",
            center,
            "--out",
            tmp_path / "center-card.json",
            env=CENTER,
        )
    )
    center_card = json.loads((tmp_path / "center-card.json").read_text())
    ok(cli("sync", "trust-center", tmp_path / "center-card.json", "--fingerprint",
           center_card["fingerprint"], *admin, env=as_user(ADMIN)))  # fmt: skip

    # the site exports onto the drive; nothing is acknowledged yet
    ok(cli("sync", "export", *nurse, "--to", usb, env=as_user(NURSE)))
    [bundle] = sorted(usb.glob("*.npcb"))
    assert not list(usb.glob(".*"))  # no partial file left visible
    before = json.loads(ok(cli("sync", "status", *nurse, "--json", env=as_user(NURSE))))
    assert before["not_acknowledged"] > 0

    # the center imports it once; again changes nothing and says so
    first = json.loads(ok(cli("center", "import", "--dir", center, bundle, "--json", env=CENTER)))
    again = json.loads(ok(cli("center", "import", "--dir", center, bundle, "--json", env=CENTER)))
    assert first[0]["status"] == "imported" and first[0]["counts"]["values"] > 0
    assert again[0]["status"] == "already imported"

    # the center exports what it merged, in the formats a site exports
    ok(
        cli(
            "center", "export", "odm", "--dir", center, "--out", tmp_path / "center.xml", env=CENTER
        )
    )
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.parse(str(tmp_path / "center.xml"))
    assert schema.validate(document), schema.error_log
    assert subject_id in (tmp_path / "center.xml").read_text(encoding="utf-8")
    ok(cli("center", "export", "csv", "--dir", center, "--out", tmp_path / "csv", env=CENTER))
    assert subject_id in (tmp_path / "csv" / "long.csv").read_text(encoding="utf-8-sig")

    # the center's data manager asks something; the return bundle carries it back
    ok(cli("center", "query", "raise", "--dir", center, "--subject", subject_id, "--event", "SCR",
           "--form", "IC", "--text", "Please confirm the consent date.", env=CENTER))  # fmt: skip
    ok(cli("center", "return", "--dir", center, "--out", tmp_path / "returns", env=CENTER))
    [ret] = sorted((tmp_path / "returns").glob("*.npcr"))
    ok(cli("sync", "apply", ret, *nurse, env=as_user(NURSE)))
    replay = cli("sync", "apply", ret, *nurse, env=as_user(NURSE))
    assert replay.returncode == 0 and "already applied" in replay.stdout

    after = json.loads(ok(cli("sync", "status", *nurse, "--json", env=as_user(NURSE))))
    assert after["not_acknowledged"] == 0 and after["not_exported"] == 0
    listed = json.loads(ok(cli("sync", "list", *nurse, "--json", env=as_user(NURSE))))
    assert [b["status"] for b in listed] == ["acknowledged"]
    queries = ok(cli("query", "list", *nurse, "--json", env=as_user(NURSE)))
    assert "Please confirm the consent date." in queries

    # a new change is waiting again until the next acknowledgement
    with Site.open(site) as opened:
        ws = opened.login(NURSE, PASSWORDS[NURSE])
        ws.casebook.save_form(subject_id, "SCR", 1, "IC", {"ICVER": "3.0"}, reason="Newer version")
        ws.logout()
    waiting = json.loads(ok(cli("sync", "status", *nurse, "--json", env=as_user(NURSE))))
    assert waiting["not_acknowledged"] > 0 and waiting["not_exported"] > 0

    # no connection: said calmly, exit 9, nothing lost
    dead = cli("sync", "upload", *nurse, "--to", "http://127.0.0.1:9/", env=as_user(NURSE))
    assert dead.returncode == 9 and "Nothing is lost" in dead.stderr, dead.stderr

    # over HTTP this time: export, upload to `npc-crf center serve`, return applied
    ok(cli("sync", "export", *nurse, env=as_user(NURSE)))
    server = subprocess.Popen(
        [sys.executable, "-m", "npc_crf", "center", "serve", "--dir", str(center), "--port", "0"],
        env=os.environ | CENTER, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        uploaded = json.loads(
            ok(
                cli(
                    "sync", "upload", *nurse, "--to", line.split()[-1], "--json", env=as_user(NURSE)
                )
            )
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
    assert [u["status"] for u in uploaded["uploaded"]] == ["imported"]
    assert uploaded["return"] is not None
    listed = json.loads(ok(cli("sync", "list", *nurse, "--json", env=as_user(NURSE))))
    assert [b["status"] for b in listed] == ["acknowledged", "acknowledged"]
    done = json.loads(ok(cli("sync", "status", *nurse, "--json", env=as_user(NURSE))))
    assert done["not_acknowledged"] == 0
