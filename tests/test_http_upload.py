"""HTTP upload of bundles to ``npc-crf center serve`` (docs/http-upload.md).

The server runs in a thread on 127.0.0.1, port 0, in front of a fake center
(:class:`FakeSink`) that records its calls and verifies each bundle with the real
envelope functions (framing, manifest, sender, signature, recipient, payload),
so a garbled upload is refused the way the real center refuses it.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import enum
import hashlib
import http.client
import ipaddress
import json
import logging
import os
import re
import socket
import ssl
import stat
import subprocess
import sys
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from npc_crf.center.http_server import (
    CenterHTTPServer,
    ServerLimits,
    Spool,
    make_server,
    sink_outcome,
)
from npc_crf.core.errors import BundleRefused, StoreError, UsageError
from npc_crf.sync.envelope import (
    COUNT_NAMES,
    check_recipient,
    open_payload,
    read_envelope,
    seal_bundle,
    verify_sender,
)
from npc_crf.sync.fingerprint import recipient_sha256
from npc_crf.sync.http_client import (
    CenterRefused,
    CenterUnreachable,
    UploadCancelled,
    UploadFailed,
    center_info,
    fetch_return,
    upload_bundle,
)

ROOT = Path(__file__).resolve().parents[1]
CENTER_ID = "center-test"
INSTALLATION = "5d1c2c3e-2b7a-4e55-9a51-3f1f5d8a9b10"
CHUNK = 4096
FAST: dict[str, Any] = {"backoff": 0.01, "timeout": 10.0}


# -- keys, bundles and a fake center --------------------------------------------------------------


def _raw(key: Any) -> bytes:
    return bytes(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


@dataclass
class Keys:
    """A center's X25519 key and one installation's Ed25519 key, made for the test."""

    center_x: X25519PrivateKey = field(default_factory=X25519PrivateKey.generate)
    installation: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def center_public(self) -> bytes:
        return _raw(self.center_x.public_key())

    @property
    def center_private(self) -> bytes:
        return self.center_x.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class Bundle:
    data: bytes
    uuid: str
    manifest: dict[str, Any]


def make_bundle(
    keys: Keys,
    *,
    sequence: int = 1,
    bundle_uuid: str | None = None,
    noise: int = 12_000,
    signer: Ed25519PrivateKey | None = None,
) -> Bundle:
    """A site-data bundle whose payload holds ``noise`` random bytes (so it spans chunks)."""
    bundle_uuid = bundle_uuid or str(uuidlib.uuid4())
    manifest = {
        "format": "npc-crf/bundle",
        "version": 1,
        "kind": "site-data",
        "bundle_uuid": bundle_uuid,
        "created_at": "2026-11-21T08:00:00.000000Z",
        "app_version": "test",
        "study": {"oid": "NPC-SINT-RT", "version": "1.0", "definition_sha256": "0" * 64},
        "sender": {"site_id": "S01", "installation_id": INSTALLATION, "installation_number": 1},
        "recipient": {
            "kind": "center",
            "id": CENTER_ID,
            "x25519_sha256": recipient_sha256(keys.center_public),
        },
        "sequence": sequence,
        "previous_sha256": "0" * 64,
        "full": False,
        "range": {"audit_from": 0, "audit_to": 3, "query_marker_from": 0, "query_marker_to": 0},
        "audit_head": {"seq": 3, "hash": "a" * 64},
        "counts": dict.fromkeys(COUNT_NAMES, 0) | {"values": 2},
    }
    payload = {
        "format": "npc-crf/bundle-payload",
        "version": 1,
        "noise": base64.b64encode(os.urandom(noise)).decode(),
    }
    data, full = seal_bundle(
        manifest,
        payload,
        signing_key=signer or keys.installation,
        recipient_x25519=keys.center_public,
    )
    return Bundle(data, bundle_uuid, full)


class Status(enum.Enum):
    IMPORTED = "imported"
    ALREADY = "already imported"


@dataclass(frozen=True)
class FakeReport:
    """Shaped like a center's import report: a status enum and counts."""

    status: Status
    bundle_uuid: str
    sequence: int
    counts: dict[str, int]


class FakeSink:
    """A center for the server: verifies with the real envelope functions, records calls."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self.calls: list[tuple[str, str]] = []  # (bundle uuid or "?", name)
        self.applied: dict[str, str] = {}  # bundle uuid -> manifest sha256
        self.fail_next: Exception | None = None
        self.returns: dict[str, tuple[bytes, str]] = {}
        self.threads: set[str] = set()

    def import_bundle(self, data: bytes, name: str) -> FakeReport:
        self.threads.add(threading.current_thread().name)
        envelope = read_envelope(data)
        self.calls.append((envelope.bundle_uuid, name))
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        if envelope.manifest["sender"]["installation_id"] != INSTALLATION:
            raise BundleRefused("sender", "the installation is not registered at this center")
        verify_sender(envelope, _raw(self.keys.installation.public_key()))
        check_recipient(envelope, CENTER_ID, self.keys.center_public)
        open_payload(envelope, self.keys.center_private)
        known = self.applied.get(envelope.bundle_uuid)
        if known == envelope.manifest_sha256:
            status = Status.ALREADY
        elif known is not None:
            raise BundleRefused("sequence", "this bundle UUID was seen with another manifest")
        else:
            self.applied[envelope.bundle_uuid] = envelope.manifest_sha256
            status = Status.IMPORTED
        return FakeReport(
            status, envelope.bundle_uuid, envelope.sequence, envelope.manifest["counts"]
        )

    def make_return(self, installation_id: str) -> tuple[bytes, str] | None:
        if installation_id == "unknown":
            raise UsageError("No installation 'unknown' is registered at this center.")
        return self.returns.get(installation_id)


class ImportOnlySink:
    """A center without return bundles."""

    def import_bundle(self, data: bytes, name: str) -> dict[str, Any]:
        return {"status": "imported", "bytes": len(data)}


# -- a running server -----------------------------------------------------------------------------


@dataclass
class Running:
    server: CenterHTTPServer
    url: str
    spool: Path

    def spool_files(self) -> list[str]:
        return sorted(p.name for p in self.spool.iterdir())


TEST_LIMITS = ServerLimits(max_bundle_bytes=64 * 1024, max_chunk_bytes=16 * 1024, min_free_bytes=0)


@contextlib.contextmanager
def running(
    root: Path, sink: Any, limits: ServerLimits = TEST_LIMITS, **options: Any
) -> Iterator[Running]:
    server = make_server(root / "center", sink, "127.0.0.1", 0, limits=limits, **options)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield Running(server, server.url, root / "center" / "spool")
    finally:
        server.shutdown()
        server.server_close()
        server.sink_thread.close()
        thread.join(5)


@pytest.fixture
def keys() -> Keys:
    return Keys()


@pytest.fixture
def sink(keys: Keys) -> FakeSink:
    return FakeSink(keys)


@pytest.fixture
def center(tmp_path: Path, sink: FakeSink) -> Iterator[Running]:
    with running(tmp_path, sink) as run:
        yield run


@dataclass(frozen=True)
class Raw:
    status: int
    headers: dict[str, str]
    doc: dict[str, Any]


def raw(
    run: Running,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Raw:
    """One request with http.client, exactly as given."""
    host, port = run.server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        doc = (
            json.loads(data)
            if data and response.getheader("Content-Type") == "application/json"
            else {}
        )
        return Raw(response.status, {k.lower(): v for k, v in response.getheaders()}, doc)
    finally:
        conn.close()


def put_chunk(run: Running, bundle: Bundle, start: int, end: int, uuid: str | None = None) -> Raw:
    return raw(
        run,
        "PUT",
        f"/v1/uploads/{uuid or bundle.uuid}",
        bundle.data[start:end],
        {"Content-Range": f"bytes {start}-{end - 1}/{len(bundle.data)}"},
    )


def held(run: Running, uuid: str) -> int:
    return int(raw(run, "HEAD", f"/v1/uploads/{uuid}").headers["upload-offset"])


# -- the upload -----------------------------------------------------------------------------------


def test_a_complete_upload_is_imported_once_with_progress(
    center: Running, sink: FakeSink, keys: Keys, tmp_path: Path
) -> None:
    bundle = make_bundle(keys)
    path = tmp_path / "NPC-SINT-RT-S01-01-000001-abcd1234.npcb"
    path.write_bytes(bundle.data)
    seen: list[tuple[int, int, str]] = []

    result = upload_bundle(
        center.url, path, bundle.uuid, chunk_size=CHUNK, progress=lambda *a: seen.append(a), **FAST
    )

    total = len(bundle.data)
    assert total > 3 * CHUNK
    assert (result.status, result.http_status, result.bundle_uuid) == ("imported", 201, bundle.uuid)
    assert result.detail["counts"]["values"] == 2 and result.detail["sequence"] == 1
    assert (result.resumed_from, result.sent_bytes, result.total_bytes) == (0, total, total)
    assert sink.calls == [(bundle.uuid, path.name)]
    assert sink.threads and all(t.startswith("npc-crf-center") for t in sink.threads)
    done = [d for d, _, _ in seen]
    assert done[0] == 0 and done[-1] == total and done == sorted(done)
    assert {t for _, t, _ in seen} == {total} and {w for _, _, w in seen} == {"upload"}
    assert len(done) >= total // CHUNK + 1
    assert center.spool_files() == []  # cleaned after success


def test_a_file_name_outside_ascii_travels_as_a_safe_name(
    center: Running, sink: FakeSink, keys: Keys, tmp_path: Path
) -> None:
    bundle = make_bundle(keys, noise=100)
    path = tmp_path / "中心 bundle (1).npcb"
    path.write_bytes(bundle.data)
    assert upload_bundle(center.url, path, bundle.uuid, **FAST).status == "imported"
    assert sink.calls == [(bundle.uuid, "___bundle__1_.npcb")]


def test_the_server_listens_on_ipv6_when_asked(tmp_path: Path, sink: FakeSink, keys: Keys) -> None:
    try:
        server = make_server(tmp_path / "center", sink, "::1", 0, limits=TEST_LIMITS)
    except UsageError:
        pytest.skip("this machine has no IPv6 loopback")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        assert server.url.startswith("http://[::1]:")
        bundle = make_bundle(keys, noise=100)
        assert upload_bundle(server.url, bundle.data, bundle.uuid, **FAST).status == "imported"
    finally:
        server.shutdown()
        server.server_close()
        server.sink_thread.close()
        thread.join(5)


def test_an_upload_cancelled_half_way_resumes_from_the_servers_offset(
    center: Running, sink: FakeSink, keys: Keys
) -> None:
    bundle = make_bundle(keys)
    progress: list[int] = []

    def cancel() -> bool:
        return any(done > 0 for done in progress)

    with pytest.raises(UploadCancelled) as stopped:
        upload_bundle(
            center.url,
            bundle.data,
            bundle.uuid,
            chunk_size=CHUNK,
            progress=lambda done, total, what: progress.append(done),
            cancel=cancel,
            **FAST,
        )
    assert (stopped.value.offset, stopped.value.total) == (CHUNK, len(bundle.data))
    assert held(center, bundle.uuid) == CHUNK
    assert center.spool_files() == [f"{bundle.uuid}.json", f"{bundle.uuid}.part"]
    assert sink.calls == []

    result = upload_bundle(center.url, bundle.data, bundle.uuid, chunk_size=CHUNK, **FAST)
    assert result.status == "imported"
    assert result.resumed_from == CHUNK
    assert result.sent_bytes == len(bundle.data) - CHUNK
    assert sink.calls == [(bundle.uuid, f"{bundle.uuid}.npcb")]
    assert center.spool_files() == []


class CuttingProxy:
    """A TCP relay that cuts the first ``cuts`` PUT requests after ``cut_after`` bytes."""

    def __init__(self, upstream: tuple[str, int], cut_after: int, cuts: int = 1) -> None:
        self.upstream = upstream
        self.cut_after = cut_after
        self.cuts = cuts
        self.cut_done = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        server = socket.create_connection(self.upstream)
        back = threading.Thread(target=self._copy, args=(server, client, False), daemon=True)
        back.start()
        self._copy(client, server, True)
        back.join(10)
        for sock in (client, server):
            sock.close()

    def _copy(self, src: socket.socket, dst: socket.socket, forward: bool) -> None:
        sent = 0
        limit: int | None = None
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if forward and sent == 0 and data.startswith(b"PUT") and self.cut_done < self.cuts:
                    self.cut_done += 1
                    limit = self.cut_after
                if limit is not None and sent + len(data) > limit:
                    dst.sendall(data[: limit - sent])
                    for sock in (src, dst):
                        sock.shutdown(socket.SHUT_RDWR)
                    return
                dst.sendall(data)
                sent += len(data)
            dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.listener.close()


def test_a_connection_dropped_inside_a_chunk_is_retried_and_the_upload_completes(
    center: Running, sink: FakeSink, keys: Keys
) -> None:
    bundle = make_bundle(keys)
    host, port = center.server.server_address[:2]
    proxy = CuttingProxy((str(host), int(port)), cut_after=1500, cuts=2)
    try:
        result = upload_bundle(proxy.url, bundle.data, bundle.uuid, chunk_size=CHUNK, **FAST)
    finally:
        proxy.close()
    assert proxy.cut_done == 2
    assert result.status == "imported"
    assert sink.calls == [(bundle.uuid, f"{bundle.uuid}.npcb")]


def test_a_chunk_cut_short_is_not_kept(center: Running, keys: Keys) -> None:
    bundle = make_bundle(keys)
    host, port = center.server.server_address[:2]
    head = (
        f"PUT /v1/uploads/{bundle.uuid} HTTP/1.1\r\nHost: x\r\n"
        f"Content-Range: bytes 0-{CHUNK - 1}/{len(bundle.data)}\r\n"
        f"Content-Length: {CHUNK}\r\n\r\n"
    ).encode()
    with socket.create_connection((str(host), int(port))) as sock:
        sock.sendall(head + bundle.data[: CHUNK // 2])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and f"{bundle.uuid}.json" not in center.spool_files():
        time.sleep(0.02)
    time.sleep(0.1)
    assert held(center, bundle.uuid) == 0
    assert put_chunk(center, bundle, 0, CHUNK).status == 204
    assert held(center, bundle.uuid) == CHUNK


def test_a_chunk_that_does_not_start_at_the_held_offset_gets_409_with_the_offset(
    center: Running, keys: Keys
) -> None:
    bundle = make_bundle(keys)
    first = put_chunk(center, bundle, 0, CHUNK)
    assert (first.status, first.headers["upload-offset"]) == (204, str(CHUNK))

    for start in (0, CHUNK + 10, 2 * CHUNK):
        answer = put_chunk(center, bundle, start, start + 100)
        assert answer.status == 409, start
        assert answer.doc["offset"] == CHUNK and answer.headers["upload-offset"] == str(CHUNK)
        assert answer.doc["error"] == "offset"
    assert held(center, bundle.uuid) == CHUNK
    status = raw(center, "GET", f"/v1/uploads/{bundle.uuid}")
    assert status.doc["offset"] == CHUNK and status.doc["total"] == len(bundle.data)


def test_the_same_bundle_twice_is_already_imported(
    center: Running, sink: FakeSink, keys: Keys
) -> None:
    bundle = make_bundle(keys)
    first = upload_bundle(center.url, bundle.data, bundle.uuid, chunk_size=CHUNK, **FAST)
    again = upload_bundle(center.url, bundle.data, bundle.uuid, chunk_size=CHUNK, **FAST)
    assert (first.status, first.http_status) == ("imported", 201)
    assert (again.status, again.http_status) == ("already imported", 200)
    assert list(sink.applied) == [bundle.uuid]
    assert len(sink.calls) == 2
    assert center.spool_files() == []


def _flip(offset_of: Callable[[bytes], int]) -> Callable[[Bundle], bytes]:
    def change(bundle: Bundle) -> bytes:
        data = bytearray(bundle.data)
        data[offset_of(bundle.data)] ^= 0x01
        return bytes(data)

    return change


def _manifest_end(data: bytes) -> int:
    return 12 + int.from_bytes(data[8:12], "big")


TAMPERED: list[tuple[str, Callable[[Bundle], bytes], str]] = [
    ("magic", _flip(lambda d: 0), "framing"),
    ("truncated", lambda b: b.data[:-7], "framing"),
    ("manifest byte", _flip(lambda d: 40), "manifest"),
    ("signature byte", _flip(lambda d: _manifest_end(d) + 10), "signature"),
    ("ciphertext byte", _flip(lambda d: len(d) - 30), "payload-hash"),
]


@pytest.mark.parametrize(
    ("change", "check"), [(c, k) for _, c, k in TAMPERED], ids=[n for n, _, _ in TAMPERED]
)
def test_a_tampered_bundle_is_refused_with_the_check_and_nothing_applied(
    center: Running, sink: FakeSink, keys: Keys, change: Callable[[Bundle], bytes], check: str
) -> None:
    bundle = make_bundle(keys)
    with pytest.raises(CenterRefused) as refused:
        upload_bundle(center.url, change(bundle), bundle.uuid, chunk_size=CHUNK, **FAST)
    assert refused.value.check == check
    assert refused.value.exit_code == 8
    assert sink.applied == {}
    assert center.spool_files() == []


def test_an_unknown_senders_bundle_is_refused_by_the_center(
    center: Running, sink: FakeSink, keys: Keys
) -> None:
    bundle = make_bundle(keys, signer=Ed25519PrivateKey.generate())
    answer = None
    for start in range(0, len(bundle.data), 8192):
        answer = put_chunk(center, bundle, start, min(start + 8192, len(bundle.data)))
    assert answer is not None and answer.status == 422
    assert answer.doc == {
        "bundle_uuid": bundle.uuid,
        "status": "refused",
        "check": "signature",
        "message": answer.doc["message"],
    }
    assert "signature" in answer.doc["message"] and sink.applied == {}


def test_a_bundle_larger_than_the_limit_gets_413(
    tmp_path: Path, sink: FakeSink, keys: Keys
) -> None:
    bundle = make_bundle(keys)
    limits = ServerLimits(max_bundle_bytes=len(bundle.data) - 1, min_free_bytes=0)
    with running(tmp_path, sink, limits) as run:
        with pytest.raises(UploadFailed) as failed:
            upload_bundle(run.url, bundle.data, bundle.uuid, chunk_size=CHUNK, **FAST)
        assert failed.value.http_status == 413
        assert str(len(bundle.data) - 1) in failed.value.message
        answer = put_chunk(run, bundle, 0, CHUNK)
        assert answer.status == 413 and answer.doc["error"] == "too-large"
        assert answer.headers["upload-max-size"] == str(len(bundle.data) - 1)
        assert run.spool_files() == [] and sink.calls == []


def test_a_chunk_larger_than_the_chunk_limit_gets_413(center: Running, keys: Keys) -> None:
    bundle = make_bundle(keys, noise=30_000)
    answer = put_chunk(center, bundle, 0, TEST_LIMITS.max_chunk_bytes + 1)
    assert answer.status == 413 and answer.headers["upload-max-chunk"] == "16384"


def test_the_client_lowers_its_chunk_size_to_the_servers_limit(center: Running, keys: Keys) -> None:
    bundle = make_bundle(keys, noise=30_000)
    assert len(bundle.data) > TEST_LIMITS.max_chunk_bytes
    calls: list[int] = []
    result = upload_bundle(
        center.url,
        bundle.data,
        bundle.uuid,
        chunk_size=1 << 20,
        progress=lambda done, total, what: calls.append(done),
        **FAST,
    )
    assert result.status == "imported"
    assert calls[1] == TEST_LIMITS.max_chunk_bytes


def test_a_url_uuid_that_is_not_the_manifests_is_refused(
    center: Running, sink: FakeSink, keys: Keys
) -> None:
    bundle = make_bundle(keys)
    other = str(uuidlib.uuid4())
    with pytest.raises(CenterRefused) as refused:
        upload_bundle(center.url, bundle.data, other, chunk_size=CHUNK, **FAST)
    assert refused.value.check == "manifest"
    assert other in refused.value.detail and bundle.uuid in refused.value.detail
    assert sink.calls == [] and center.spool_files() == []


def test_a_stale_partial_of_another_file_under_the_same_uuid_is_replaced(
    center: Running, sink: FakeSink, keys: Keys
) -> None:
    shared = str(uuidlib.uuid4())
    stale = make_bundle(keys, bundle_uuid=shared, noise=20_000)
    fresh = make_bundle(keys, bundle_uuid=shared)
    assert put_chunk(center, stale, 0, CHUNK).status == 204
    result = upload_bundle(center.url, fresh.data, shared, chunk_size=CHUNK, **FAST)
    assert (result.status, result.resumed_from) == ("imported", 0)
    assert sink.applied == {shared: hashlib.sha256(_manifest_bytes(fresh.data)).hexdigest()}


def _manifest_bytes(data: bytes) -> bytes:
    return data[12 : _manifest_end(data)]


def test_bytes_that_do_not_match_the_declared_sha256_restart_the_upload(
    center: Running, sink: FakeSink, keys: Keys
) -> None:
    bundle = make_bundle(keys)
    total = len(bundle.data)
    declared = hashlib.sha256(bundle.data).hexdigest()
    damaged = bytearray(bundle.data)
    damaged[total - 30] ^= 0x01
    headers = {"Upload-SHA256": declared}
    for start in range(0, total, 8192):
        end = min(start + 8192, total)
        answer = raw(
            center,
            "PUT",
            f"/v1/uploads/{bundle.uuid}",
            bytes(damaged[start:end]),
            headers | {"Content-Range": f"bytes {start}-{end - 1}/{total}"},
        )
    assert answer.status == 409 and answer.doc["error"] == "transfer"
    assert answer.headers["upload-offset"] == "0"
    assert sink.calls == [] and center.spool_files() == []


def test_an_import_that_fails_for_the_center_keeps_the_bytes_and_can_be_finished(
    center: Running, sink: FakeSink, keys: Keys
) -> None:
    bundle = make_bundle(keys)
    total = len(bundle.data)
    sink.fail_next = StoreError("The center database is busy.")
    assert put_chunk(center, bundle, 0, 8192).status == 204
    failed = put_chunk(center, bundle, 8192, total)
    assert failed.status == 503 and failed.doc["error"] == "import-failed"
    assert "busy" in failed.doc["message"] and failed.headers["retry-after"] == "30"
    assert held(center, bundle.uuid) == total
    assert sink.applied == {}

    early = raw(
        center, "PUT", f"/v1/uploads/{uuidlib.uuid4()!s}", b"", {"Content-Range": "bytes */9"}
    )
    assert early.status == 409 and early.doc["offset"] == 0
    finish = raw(
        center, "PUT", f"/v1/uploads/{bundle.uuid}", b"", {"Content-Range": f"bytes */{total}"}
    )
    assert (finish.status, finish.doc["status"]) == (201, "imported")
    assert list(sink.applied) == [bundle.uuid] and center.spool_files() == []


def test_an_unexpected_center_error_is_a_500_that_logs_no_message_and_keeps_the_bytes(
    center: Running, sink: FakeSink, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="npc_crf.center.http")
    bundle = make_bundle(keys)
    sink.fail_next = RuntimeError("value 'Quokka-5512' broke something")
    answer = put_chunk(center, bundle, 0, len(bundle.data))
    assert answer.status == 500 and answer.doc["error"] == "internal"
    assert "Quokka" not in json.dumps(answer.doc)
    assert held(center, bundle.uuid) == len(bundle.data)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all("Quokka" not in e for e in errors)
    assert re.fullmatch(
        r"internal error RuntimeError at test_http_upload\.py:\d+ on PUT", errors[0]
    )


def test_the_client_finishes_an_upload_whose_bytes_had_all_arrived(
    center: Running, sink: FakeSink, keys: Keys
) -> None:
    bundle = make_bundle(keys)
    sink.fail_next = StoreError("The center database is busy.")
    assert put_chunk(center, bundle, 0, len(bundle.data)).status == 503
    result = upload_bundle(center.url, bundle.data, bundle.uuid, chunk_size=CHUNK, **FAST)
    assert (result.status, result.resumed_from, result.sent_bytes) == (
        "imported",
        len(bundle.data),
        0,
    )


BAD_REQUESTS = [
    ("no range", {}, b"abc", 400),
    ("garbled range", {"Content-Range": "bytes 0-2"}, b"abc", 400),
    ("end before start", {"Content-Range": "bytes 5-2/10"}, b"abc", 400),
    ("end past total", {"Content-Range": "bytes 0-10/10"}, b"abc", 400),
    ("length disagrees", {"Content-Range": "bytes 0-9/100"}, b"abc", 400),
    ("bad sha", {"Content-Range": "bytes 0-2/100", "Upload-SHA256": "XYZ"}, b"abc", 400),
]


@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [c[1:] for c in BAD_REQUESTS],
    ids=[c[0] for c in BAD_REQUESTS],
)
def test_malformed_chunks_are_refused_and_nothing_is_kept(
    center: Running, headers: dict[str, str], body: bytes, code: int
) -> None:
    uuid = str(uuidlib.uuid4())
    answer = raw(center, "PUT", f"/v1/uploads/{uuid}", body, headers)
    assert answer.status == code and answer.doc["error"] == "bad-request"
    assert center.spool_files() == []


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("GET", "/", 404),
        ("GET", "/v1/uploads/NOT-A-UUID", 404),
        ("GET", "/v1/uploads/../../etc/passwd", 404),
        ("DELETE", f"/v1/uploads/{uuidlib.uuid4()}", 405),
        ("POST", "/v1/", 405),
        ("GET", "/v1/returns/..", 404),
    ],
)
def test_paths_and_methods_outside_the_protocol(
    center: Running, method: str, path: str, code: int
) -> None:
    assert raw(center, method, path).status == code


def test_the_client_says_when_nothing_listens(tmp_path: Path, keys: Keys) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    bundle = make_bundle(keys, noise=100)
    with pytest.raises(CenterUnreachable) as unreachable:
        upload_bundle(f"http://127.0.0.1:{port}", bundle.data, bundle.uuid, retries=2, **FAST)
    assert unreachable.value.exit_code == 9
    assert f"127.0.0.1:{port}" in unreachable.value.message
    assert "Try again later" in str(unreachable.value)
    with pytest.raises(CenterUnreachable):
        fetch_return(f"http://127.0.0.1:{port}", INSTALLATION, retries=0)


def test_the_client_says_when_the_address_is_not_a_center(tmp_path: Path, keys: Keys) -> None:
    bundle = make_bundle(keys, noise=100)
    with running(tmp_path, FakeSink(keys)) as run, pytest.raises(UploadFailed) as failed:
        upload_bundle(run.url + "/elsewhere", bundle.data, bundle.uuid, **FAST)
    assert "not answer as an npc-crf center" in failed.value.message
    for bad in ("ftp://host/", "file:///etc/passwd", "center.example"):
        with pytest.raises(UsageError):
            upload_bundle(bad, bundle.data, bundle.uuid)
    with pytest.raises(UsageError):
        upload_bundle("http://127.0.0.1:1", bundle.data, "NOT-A-UUID")


# -- return bundles, info, limits, spool, log -----------------------------------------------------


def test_return_bundles_are_fetched_by_installation(center: Running, sink: FakeSink) -> None:
    sink.returns[INSTALLATION] = (
        b"NPCBNDL1 return bytes",
        "NPC-SINT-RT-center-to-S01-01-000001-1a2b3c4d.npcr",
    )
    assert fetch_return(center.url, INSTALLATION) == b"NPCBNDL1 return bytes"
    assert fetch_return(center.url, "7a0e9f1c-0000-4000-8000-000000000000") is None
    assert fetch_return(center.url, "unknown") is None
    answer = raw(center, "GET", f"/v1/returns/{INSTALLATION}")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="NPC-SINT-RT-center-to-S01-01-000001-1a2b3c4d.npcr"'
    )
    with pytest.raises(UsageError):
        fetch_return(center.url, "../etc")


def test_a_center_without_returns_says_so(tmp_path: Path, keys: Keys) -> None:
    with running(tmp_path, ImportOnlySink()) as run:
        with pytest.raises(UploadFailed) as failed:
            fetch_return(run.url, INSTALLATION)
        assert failed.value.http_status == 501
        assert center_info(run.url)["returns"] is False
        bundle = make_bundle(keys, noise=100)
        result = upload_bundle(run.url, bundle.data, bundle.uuid, **FAST)
        assert (result.status, result.detail) == (
            "imported",
            {"status": "imported", "bytes": len(bundle.data)},
        )


def test_center_info_names_the_service_and_its_limits(center: Running) -> None:
    info = center_info(center.url)
    assert info["service"] == "npc-crf-center" and info["api"] == 1
    assert info["max_bundle_bytes"] == TEST_LIMITS.max_bundle_bytes
    assert info["returns"] is True


def test_too_many_requests_from_one_address_get_429(tmp_path: Path, sink: FakeSink) -> None:
    limits = ServerLimits(requests_per_minute=3, min_free_bytes=0)
    uuid = str(uuidlib.uuid4())
    with running(tmp_path, sink, limits) as run:
        codes = [raw(run, "HEAD", f"/v1/uploads/{uuid}").status for _ in range(5)]
        blocked = raw(run, "GET", f"/v1/uploads/{uuid}")
    assert codes == [200, 200, 200, 429, 429]
    assert blocked.status == 429 and int(blocked.headers["retry-after"]) >= 1


def test_a_full_spool_refuses_a_new_upload_unless_an_idle_one_can_go(
    tmp_path: Path, sink: FakeSink, keys: Keys
) -> None:
    first, second, third = make_bundle(keys), make_bundle(keys), make_bundle(keys)
    smaller = min(len(second.data), len(third.data))  # random payloads differ by a few bytes
    limits = ServerLimits(max_spool_bytes=CHUNK + smaller - 1, min_free_bytes=0)
    with running(tmp_path, sink, limits) as run:
        assert put_chunk(run, first, 0, CHUNK).status == 204
        answer = put_chunk(run, second, 0, CHUNK)
        assert answer.status == 507 and answer.doc["error"] == "spool-full"
        assert int(answer.headers["retry-after"]) > 0
        # the upload already started continues
        assert put_chunk(run, first, CHUNK, 2 * CHUNK).status == 204
        # an hour without a chunk: the first upload makes room for the second
        old = time.time() - 3601
        for path in run.spool.glob(f"{first.uuid}.*"):
            os.utime(path, (old, old))
        assert put_chunk(run, second, 0, CHUNK).status == 204
        assert held(run, first.uuid) == 0 and held(run, second.uuid) == CHUNK
        # the second is active: a third must wait
        assert put_chunk(run, third, 0, CHUNK).status == 507


def test_the_spool_is_owner_only_and_stale_uploads_are_cleaned(center: Running, keys: Keys) -> None:
    stale, fresh = make_bundle(keys), make_bundle(keys)
    assert put_chunk(center, stale, 0, CHUNK).status == 204
    assert put_chunk(center, fresh, 0, CHUNK).status == 204
    stray = center.spool / f".{stale.uuid}.json.tmp-123"
    stray.write_bytes(b"{")
    if os.name == "posix":
        assert stat.S_IMODE(center.spool.stat().st_mode) == 0o700
        for path in center.spool.iterdir():
            if path != stray:
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    old = time.time() - 8 * 86400
    for path in (*center.spool.glob(f"{stale.uuid}.*"), stray):
        os.utime(path, (old, old))

    assert Spool(center.spool).clean(7.0) == 2
    assert center.spool_files() == [f"{fresh.uuid}.json", f"{fresh.uuid}.part"]
    assert held(center, stale.uuid) == 0 and held(center, fresh.uuid) == CHUNK


def test_a_server_started_on_an_old_spool_cleans_it(tmp_path: Path, sink: FakeSink) -> None:
    spool = tmp_path / "center" / "spool"
    spool.mkdir(parents=True)
    leftover = spool / f"{uuidlib.uuid4()}.part"
    leftover.write_bytes(b"x" * 10)
    old = time.time() - 30 * 86400
    os.utime(leftover, (old, old))
    with running(tmp_path, sink) as run:
        assert run.spool_files() == []


LOG_LINE = re.compile(
    r"127\.0\.0\.1 (HEAD|PUT|GET) (upload|return|info)"
    r"( [a-z_]+=[0-9a-z*/.\-]+)* -> \d{3} \d+ms"
)


def test_each_request_logs_one_line_without_names_or_content(
    center: Running, sink: FakeSink, keys: Keys, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO, logger="npc_crf.center.http")
    bundle = make_bundle(keys)
    path = tmp_path / "NPC-SINT-RT-S01-01-000001-secretname.npcb"
    path.write_bytes(bundle.data)
    upload_bundle(center.url, path, bundle.uuid, chunk_size=8192, **FAST)
    with pytest.raises(CenterRefused):
        upload_bundle(
            center.url,
            _flip(lambda d: len(d) - 30)(make_bundle(keys)),
            str(uuidlib.uuid4()),
            **FAST,
        )
    requests = 1 + -(-len(bundle.data) // 8192) + 2
    deadline = time.monotonic() + 5
    while len(_lines(caplog)) < requests and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = _lines(caplog)
    assert len(lines) == requests, lines
    for line in lines:
        assert LOG_LINE.fullmatch(line), line
        assert "secretname" not in line and "signature" not in line
    assert f"bundle={bundle.uuid}" in lines[-3] and "status=imported" in lines[-3]
    assert "status=refused check=manifest" in lines[-1]


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "npc_crf.center.http"]


# -- the adapter ----------------------------------------------------------------------------------


@dataclass
class RefusedReport:
    status: str
    check: str
    message: str


class WithToJson:
    status = "held"

    def to_json(self) -> dict[str, Any]:
        return {"missing": [2], "when": dt.date(2026, 1, 2)}


OUTCOMES: list[tuple[str, Any, tuple[str, Any, str | None]]] = [
    ("dataclass with enum", FakeReport(Status.ALREADY, "u", 3, {"values": 1}),
     ("already imported", {"status": "already imported", "bundle_uuid": "u", "sequence": 3, "counts": {"values": 1}}, None)),
    ("mapping", {"status": "held", "missing": (2, 3)}, ("held", {"status": "held", "missing": [2, 3]}, None)),
    ("to_json", WithToJson(), ("held", {"missing": [2], "when": "2026-01-02"}, None)),
    ("no status", {"counts": {}}, ("imported", {"counts": {}}, None)),
    ("refused", RefusedReport("refused", "sequence", "replayed"), ("refused", {"status": "refused", "check": "sequence", "message": "replayed"}, "sequence")),
    ("bytes hidden", {"status": "imported", "raw": b"\x00"}, ("imported", {"status": "imported", "raw": None}, None)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("result", "expected"), [c[1:] for c in OUTCOMES], ids=[c[0] for c in OUTCOMES]
)
def test_sink_outcome_reads_a_centers_result(
    result: Any, expected: tuple[str, Any, str | None]
) -> None:
    outcome = sink_outcome(result)
    assert (outcome.status, outcome.detail, outcome.check) == expected
    json.dumps(outcome.detail)


def test_a_refusal_returned_rather_than_raised_is_a_422(tmp_path: Path, keys: Keys) -> None:
    class Refusing:
        def import_bundle(self, data: bytes, name: str) -> RefusedReport:
            return RefusedReport("refused", "sequence", "bundle 2 was already used")

    bundle = make_bundle(keys, noise=100)
    with running(tmp_path, Refusing()) as run, pytest.raises(CenterRefused) as refused:
        upload_bundle(run.url, bundle.data, bundle.uuid, **FAST)
    assert (refused.value.check, refused.value.detail) == ("sequence", "bundle 2 was already used")


# -- TLS ------------------------------------------------------------------------------------------


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_uploads_work_over_tls(tmp_path: Path, sink: FakeSink, keys: Keys) -> None:
    cert, key = _self_signed(tmp_path)
    bundle = make_bundle(keys)
    with running(tmp_path, sink, cert=cert, key=key) as run:
        assert run.url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(cert))
        result = upload_bundle(
            run.url, bundle.data, bundle.uuid, chunk_size=CHUNK, context=trusted, **FAST
        )
        assert result.status == "imported"
        with pytest.raises(UploadFailed) as untrusted:
            upload_bundle(  # the system's trust store does not know this certificate
                run.url, bundle.data, bundle.uuid, retries=0, **FAST
            )
        assert "not trusted" in untrusted.value.message
    with pytest.raises(UsageError):
        make_server(tmp_path / "c2", sink, "127.0.0.1", 0, cert=cert)


# -- the command ----------------------------------------------------------------------------------


def _serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "npc_crf.center.http_server", "serve", *args]


def test_the_serve_command_needs_a_password_and_a_center_directory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NPC_CRF_PASSWORD"}
    no_password = subprocess.run(
        _serve_command("--dir", str(tmp_path), "--port", "0"),
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip
    assert no_password.returncode == 2
    assert "NPC_CRF_PASSWORD" in no_password.stderr
    missing = subprocess.run(
        _serve_command("--dir", str(tmp_path / "nowhere"), "--port", "0"),
        env=env | {"NPC_CRF_PASSWORD": "pw"},
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip
    assert missing.returncode == 2 and "nowhere" in missing.stderr
    flag = subprocess.run(
        _serve_command("--dir", str(tmp_path), "--password", "secret-pw"),
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip
    assert flag.returncode == 2 and "secret-pw" not in flag.stderr


# -- end to end: a real site, a real center, the serve command ------------------------------------

CENTER_PASSWORD = "center password 1"  # noqa: S105 - a test center
MARKER = "患者标记 Quokka-5512"  # a clinical value that must not leave the encrypted stores


def _first_line(stream: Any, seconds: float) -> str:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    return lines[0] if lines else ""


@pytest.mark.skipif(os.name != "posix", reason="stops the server with SIGTERM")
def test_the_serve_command_imports_a_real_sites_bundle_and_sends_its_return(
    tmp_path: Path,
) -> None:
    from npc_crf.center.service import Center
    from npc_crf.store.keyfile import TEST_COST
    from tests.store_helpers import (
        ADMIN,
        NURSE,
        STUDY,
        enrol_consented,
        make_site,
        mh_row,
        mh_values,
    )

    center_dir = tmp_path / "center"
    center = Center.init(
        center_dir, study_oid=STUDY, password=CENTER_PASSWORD, by="dm", cost=TEST_COST
    )
    site = make_site(tmp_path / "site", users=(NURSE,))
    try:
        center_card = center.identity_card()
        admin = site.login(ADMIN)
        admin.sync.trust_center(center_card, center_card.fingerprint)
        card = admin.sync.identity_card()
        admin.logout()
        center.register_installation(card, card.fingerprint)
        center.close()

        nurse = site.login(NURSE)
        subject = enrol_consented(nurse)
        nurse.casebook.save_form(subject, "SCR", 1, "MH", mh_values(mh_row(MARKER)), complete=True)
        exported = nurse.sync.export()

        env = os.environ | {"NPC_CRF_PASSWORD": CENTER_PASSWORD}
        server = subprocess.Popen(
            _serve_command("--dir", str(center_dir), "--port", "0"),
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            line = _first_line(server.stdout, 60)
            assert line.startswith("listening on http://127.0.0.1:"), line
            url = line.split()[-1]
            done: list[int] = []
            result = upload_bundle(
                url,
                exported.path,
                exported.bundle.uid,
                chunk_size=2048,
                progress=lambda d, t, w: done.append(d),
                **FAST,
            )
            assert (result.status, result.http_status) == ("imported", 201)
            assert result.detail["bundle_uuid"] == exported.bundle.uid
            assert result.detail["counts"]["subjects"] == 1
            assert done[-1] == exported.path.stat().st_size and len(done) > 2
            again = upload_bundle(url, exported.path, exported.bundle.uid, **FAST)
            assert again.status == "already imported"

            returned = fetch_return(url, str(card.installation_id))
            assert returned is not None
            applied = nurse.sync.apply_return(returned)
            assert not applied.already_applied
            assert [b.status for b in nurse.sync.bundles()] == ["acknowledged"]
            nurse.logout()
        finally:
            server.send_signal(15)
            _, stderr = server.communicate(timeout=60)
        assert server.returncode == 0, stderr
        assert f"bundle={exported.bundle.uid}" in stderr and "status=imported" in stderr
        logs = "".join(p.read_text(encoding="utf-8") for p in (center_dir / "logs").glob("*.log*"))
        assert f"bundle={exported.bundle.uid}" in logs
        for text in (stderr, logs):
            assert MARKER not in text and "Quokka" not in text
        assert list((center_dir / "spool").iterdir()) == []
    finally:
        site.close()
