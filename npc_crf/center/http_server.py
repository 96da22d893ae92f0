"""``npc-crf center serve``: resumable, idempotent HTTP upload of bundles (docs/http-upload.md).

A standard-library server (``http.server.ThreadingHTTPServer``) in front of one
coordinating center. Sites upload a bundle in chunks (``PUT /v1/uploads/<uuid>``
with ``Content-Range``); the server keeps what arrived in ``<center dir>/spool/``
(owner-only; the bytes are the encrypted bundle, never plaintext), tells a
client that lost its connection how much it holds (``HEAD``), and when the last
byte arrives checks the framing and the manifest, then hands the bundle to a
:class:`BundleSink` — the center — which verifies everything else and applies it.
Uploading the same bundle again is harmless: the center answers "already imported".

There is no authentication beyond the bundle's own signature: an unknown sender
is refused by the import. Limits on sizes, the spool, connections and requests
per minute keep an anonymous client from filling the disk. Each request logs
one line with UUIDs, sizes and statuses only: never a file name, a message or
any content.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import enum
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from npc_crf import __version__
from npc_crf.core.errors import BundleRefused, NpcCrfError, UsageError
from npc_crf.core.logs import log_to, stop_logging
from npc_crf.store.atomic import write_atomic
from npc_crf.sync.envelope import read_envelope

LOGGER = logging.getLogger("npc_crf.center.http")

API = "v1"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
MIB = 1 << 20
SERVICE = "npc-crf-center"

T = TypeVar("T")

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INSTALLATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_RANGE = re.compile(r"bytes (?:(\d{1,15})-(\d{1,15})|\*)/(\d{1,15})")
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")


# -- the center behind the server ----------------------------------------------------------------


@runtime_checkable
class BundleSink(Protocol):
    """What the server needs from a center: verify and apply one bundle.

    ``import_bundle`` raises :class:`BundleRefused` (or returns a result whose
    ``status`` is ``"refused"``, with ``check`` and ``message``) when a check
    fails; then nothing may have been applied. Any other result is a success;
    :func:`sink_outcome` reads its ``status`` and a JSON-able summary.
    """

    def import_bundle(self, data: bytes, name: str) -> Any:
        """Verify and apply one bundle file; ``name`` is for reports only."""
        ...


@runtime_checkable
class ReturnSource(Protocol):
    """Optional: a center that also makes return bundles (``GET /v1/returns/<id>``)."""

    def make_return(self, installation_id: str) -> Any:
        """The newest return bundle for an installation: bytes, ``(bytes, file name)`` or None."""
        ...


@dataclass(frozen=True)
class SinkOutcome:
    """A center's answer reduced to what goes back over HTTP."""

    status: str
    detail: Any
    check: str | None = None
    message: str | None = None

    @property
    def refused(self) -> bool:
        """True when the center refused the bundle (nothing applied)."""
        return self.check is not None


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, bytes):
        return None  # never echo binary content
    return str(value)


def _field(result: Any, *names: str) -> Any:
    for name in names:
        if isinstance(result, Mapping) and name in result:
            return result[name]
        if not isinstance(result, Mapping) and hasattr(result, name):
            return getattr(result, name)
    return None


def sink_outcome(result: Any) -> SinkOutcome:
    """Adapt whatever the center's ``import_bundle`` returned (the adapter of the protocol).

    The status is the result's ``status`` (attribute or key; an enum gives its
    value), ``"imported"`` when it has none. The summary is the result's
    ``to_json()`` when it has one, else its dataclass fields or mapping items,
    made JSON-able. A ``"refused"`` status carries ``check`` and ``message``
    (or ``detail`` / ``reason``).
    """
    status = _field(result, "status")
    if isinstance(status, enum.Enum):
        status = status.value
    status = str(status) if status is not None else "imported"
    to_json = getattr(result, "to_json", None)
    detail = _jsonable(to_json() if callable(to_json) else result)
    if status == "refused":
        check = _field(result, "check")
        message = _field(result, "message", "detail", "reason")
        return SinkOutcome(status, detail, str(check or "unknown"), str(message or "refused"))
    return SinkOutcome(status, detail)


class SinkThread:
    """Runs every call into the center on one thread, one call at a time.

    The center's database connections may belong to the thread that opened them;
    open the center with :meth:`call` too, so it lives on this thread.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="npc-crf-center")

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the center's thread and wait for its result."""
        return self._pool.submit(fn, *args).result()

    def close(self) -> None:
        """Stop the thread once the current call is done."""
        self._pool.shutdown(wait=True)


# -- limits --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerLimits:
    """What keeps an anonymous client from exhausting the center (all configurable)."""

    max_bundle_bytes: int = 512 * MIB
    max_chunk_bytes: int = 16 * MIB
    #: bytes held for all unfinished uploads together (plus the size of a new one)
    max_spool_bytes: int = 2048 * MIB
    #: when the spool is full, uploads untouched this long make room for a new one
    evict_idle_seconds: float = 3600.0
    #: free disk space that must remain after a new upload is accepted
    min_free_bytes: int = 64 * MIB
    #: unfinished uploads untouched for longer than this are deleted
    spool_days: float = 7.0
    requests_per_minute: int = 600
    max_connections: int = 32
    #: seconds a connection may stay silent
    socket_timeout: float = 60.0
    #: seconds a chunk waits for another request on the same bundle to finish
    lock_wait: float = 30.0


# -- the spool of unfinished uploads --------------------------------------------------------------


@dataclass(frozen=True)
class UploadInfo:
    """What the first chunk of an upload declared."""

    total: int
    sha256: str | None
    name: str
    started_at: str


class Spool:
    """Unfinished uploads: ``<uuid>.part`` (bytes so far) and ``<uuid>.json`` (declared size).

    The folder and its files are owner-only. A part file only ever grows by
    appending bytes received in order, so any prefix left by a crash is still a
    prefix of the bundle; the declared SHA-256 catches anything else.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)

    def _part(self, uuid: str) -> Path:
        return self.folder / f"{uuid}.part"

    def _meta(self, uuid: str) -> Path:
        return self.folder / f"{uuid}.json"

    def info(self, uuid: str) -> UploadInfo | None:
        """The declared upload, or None when nothing (readable) is held."""
        try:
            doc = json.loads(self._meta(uuid).read_text(encoding="utf-8"))
            return UploadInfo(
                int(doc["total"]), doc.get("sha256"), str(doc["name"]), str(doc["started_at"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def held(self, uuid: str) -> int:
        """How many bytes of this upload the server holds (0 without a declaration)."""
        if self.info(uuid) is None:
            return 0
        try:
            return self._part(uuid).stat().st_size
        except OSError:
            return 0

    def begin(self, uuid: str, total: int, sha256: str | None, name: str) -> UploadInfo:
        """Start an upload from byte 0 (forgetting whatever was held)."""
        self.discard(uuid)
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        info = UploadInfo(total, sha256, name, started)
        doc = {"total": total, "sha256": sha256, "name": name, "started_at": started}
        write_atomic(self._meta(uuid), json.dumps(doc, sort_keys=True).encode())
        fd = os.open(self._part(uuid), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o600)
        os.close(fd)
        return info

    def append(self, uuid: str, data: bytes) -> int:
        """Append received bytes durably; returns the new held size."""
        fd = os.open(self._part(uuid), os.O_WRONLY | os.O_APPEND | _BINARY, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def read(self, uuid: str) -> bytes:
        """Everything held for this upload."""
        return self._part(uuid).read_bytes()

    def discard(self, uuid: str) -> None:
        """Forget an upload (after success, a refusal, or a new start)."""
        for path in (self._part(uuid), self._meta(uuid)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def uploads(self) -> list[tuple[str, int, float]]:
        """Every unfinished upload: (UUID, bytes held, when last touched), least recent first."""
        found = []
        for part in self.folder.glob("*.part"):
            if not _UUID.fullmatch(part.stem):
                continue
            try:
                info = part.stat()
            except OSError:
                continue
            found.append((part.stem, info.st_size, info.st_mtime))
        return sorted(found, key=lambda u: u[2])

    def held_bytes(self) -> int:
        """The bytes held for all unfinished uploads together."""
        return sum(size for _, size, _ in self.uploads())

    def clean(self, max_age_days: float, now: float | None = None) -> int:
        """Delete uploads untouched for ``max_age_days`` and stray files; returns how many."""
        limit = (time.time() if now is None else now) - max_age_days * 86400
        removed = 0
        groups: dict[str, list[Path]] = {}
        for path in self.folder.iterdir():
            upload = path.suffix in (".part", ".json") and _UUID.fullmatch(path.stem)
            # anything else (a temporary file left by a crash) is its own group
            groups.setdefault(path.stem if upload else f"/{path.name}", []).append(path)
        for paths in groups.values():
            try:
                newest = max(p.stat().st_mtime for p in paths)
            except OSError:
                continue
            if newest < limit:
                for path in paths:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                removed += 1
        return removed


_BINARY = getattr(os, "O_BINARY", 0)


class _KeyLocks:
    """One lock per bundle UUID, forgotten when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextlib.contextmanager
    def hold(self, key: str, timeout: float) -> Iterator[bool]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        got = lock.acquire(timeout=timeout)
        try:
            yield got
        finally:
            if got:
                lock.release()
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


class _RateLimiter:
    """At most ``per_minute`` requests per client address in any 60-second window."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._guard = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def retry_after(self, client: str, now: float) -> int:
        """0 when the request may proceed (and is counted), else seconds to wait."""
        with self._guard:
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, int(hits[0] + 60 - now) + 1)
            hits.append(now)
            if len(self._hits) > 10_000:  # forget quiet clients
                for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - 60]:
                    del self._hits[key]
            return 0


# -- the server ----------------------------------------------------------------------------------


class CenterHTTPServer(ThreadingHTTPServer):
    """One center's upload server; :meth:`serve_forever` until :meth:`shutdown`."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        spool: Spool,
        sink: BundleSink,
        sink_thread: SinkThread,
        limits: ServerLimits,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.spool = spool
        self.sink = sink
        self.sink_thread = sink_thread
        self.limits = limits
        self.ssl_context = ssl_context
        self.locks = _KeyLocks()
        self.rate = _RateLimiter(limits.requests_per_minute)
        self._slots = threading.BoundedSemaphore(limits.max_connections)
        self._next_clean = 0.0
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup of ``HTTPServer`` (slow on a PC offline)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host if isinstance(host, str) else host.decode()
        self.server_port = int(port)

    @property
    def url(self) -> str:
        """The base URL clients use (``http://host:port``)."""
        host, port = self.server_address[:2]
        shown = host if isinstance(host, str) else host.decode()
        if ":" in shown:
            shown = f"[{shown}]"
        return f"{'https' if self.ssl_context else 'http'}://{shown}:{port}"

    def clean_spool(self) -> int:
        """Delete unfinished uploads older than the limit; returns how many."""
        removed = self.spool.clean(self.limits.spool_days)
        if removed:
            LOGGER.info("spool: removed %d stale upload(s)", removed)
        return removed

    def service_actions(self) -> None:
        """Called by ``serve_forever`` between requests: clean the spool hourly."""
        now = time.monotonic()
        if now >= self._next_clean:
            self._next_clean = now + 3600
            self.clean_spool()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Refuse a connection beyond ``max_connections`` instead of starting a thread."""
        if not self._slots.acquire(blocking=False):
            LOGGER.warning("connection refused: %d connections open", self.limits.max_connections)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Handle one connection on its own thread, then free its slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """TLS handshake (when configured) on the connection's own thread, then HTTP."""
        request.settimeout(self.limits.socket_timeout)
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            LOGGER.info("TLS handshake failed from %s: %s", client_address[0], type(exc).__name__)
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            with contextlib.suppress(OSError):
                tls.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line instead of a traceback on stderr (e.g. a connection reset)."""
        error = sys.exc_info()[1]
        LOGGER.info("%s connection ended: %s", client_address[0], type(error).__name__)


class _Reply(Exception):
    """Raised inside a handler to send an error answer."""

    def __init__(self, code: int, doc: dict[str, Any], headers: Mapping[str, str] | None = None):
        super().__init__(code)
        self.code = code
        self.doc = doc
        self.headers = dict(headers or {})


class _Handler(BaseHTTPRequestHandler):
    server: CenterHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = SERVICE
    sys_version = ""

    # -- plumbing ---------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default log line (it shows the whole request line); see :meth:`_log`."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self._code = code
        super().send_response(code, message)

    def _send(
        self,
        code: int,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(code)
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if code != 204:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(
        self, code: int, doc: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        body = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode() + b"\n"
        self._send(code, body, headers=headers)

    def _content_length(self) -> int:
        raw = self.headers.get("Content-Length")
        if raw is None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                raise _Reply(
                    411,
                    _err(
                        "length-required",
                        "Send Content-Length; chunked transfer encoding is not accepted.",
                    ),
                )
            return 0
        if not raw.isdigit():
            self.close_connection = True
            raise _Reply(400, _err("bad-request", "Content-Length is not a whole number."))
        return int(raw)

    def _drain(self, length: int) -> None:
        """Read and drop a body the answer will not use, so the client reads the answer."""
        if length > self.server.limits.max_chunk_bytes:
            self.close_connection = True
            return
        while length > 0:
            try:
                got = self.rfile.read(min(length, 1 << 16))
            except OSError:
                got = b""
            if not got:
                self.close_connection = True
                return
            length -= len(got)

    def _read_body(self, length: int) -> bytes | None:
        """Exactly ``length`` bytes, or None when the connection dropped before that."""
        parts: list[bytes] = []
        left = length
        while left > 0:
            try:
                got = self.rfile.read(min(left, 1 << 20))
            except (TimeoutError, OSError):
                got = b""
            if not got:
                self.close_connection = True
                return None
            parts.append(got)
            left -= len(got)
        return b"".join(parts)

    def _dispatch(self) -> None:
        started = time.monotonic()
        self._code = 0
        self._log_fields: dict[str, Any] = {}
        length = 0
        try:
            length = self._content_length()
            wait = self.server.rate.retry_after(self.client_address[0], time.monotonic())
            if wait:
                raise _Reply(
                    429,
                    _err("rate-limit", f"Too many requests; try again in {wait} s."),
                    {"Retry-After": str(wait)},
                )
            self._route(length)
        except _Reply as reply:
            if not self._log_fields.get("body_read"):
                self._drain(length)
            self._json(reply.code, reply.doc, reply.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            LOGGER.error(
                "internal error %s at %s:%s on %s",
                type(exc).__name__,
                Path(where.filename).name,
                where.lineno,
                self.command,
            )
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._json(500, _err("internal", "The server failed; the error is in its log."))
        finally:
            self._log(started)

    def _log(self, started: float) -> None:
        fields = " ".join(f"{k}={v}" for k, v in self._log_fields.items() if k != "body_read")
        LOGGER.info(
            "%s %s %s%s -> %s %.0fms",
            self.client_address[0],
            self.command,
            self._log_fields.get("route", "-"),
            f" {fields}" if fields else "",
            self._code or "dropped",
            (time.monotonic() - started) * 1000,
        )

    do_GET = _dispatch
    do_HEAD = _dispatch
    do_PUT = _dispatch
    do_POST = _dispatch
    do_DELETE = _dispatch
    do_PATCH = _dispatch
    do_OPTIONS = _dispatch

    # -- routes -----------------------------------------------------------------

    def _route(self, length: int) -> None:
        path = self.path.split("?", 1)[0]
        parts = [p for p in path.split("/") if p]
        if parts[:1] != [API]:
            raise _Reply(404, _err("not-found", "Unknown path; the API is under /v1/."))
        if parts == [API]:
            self._log_fields["route"] = "info"
            self._allow("GET", "HEAD")
            self._json(200, self._info())
            return
        if len(parts) == 3 and parts[1] == "uploads":
            uuid = parts[2]
            self._log_fields["route"] = "upload"
            if not _UUID.fullmatch(uuid):
                raise _Reply(404, _err("not-found", "A bundle UUID is lowercase 8-4-4-4-12 hex."))
            self._log_fields["bundle"] = uuid
            self._allow("GET", "HEAD", "PUT")
            if self.command == "PUT":
                self._put_upload(uuid, length)
            else:
                self._upload_status(uuid)
            return
        if len(parts) == 3 and parts[1] == "returns":
            installation = parts[2]
            self._log_fields["route"] = "return"
            if not _INSTALLATION.fullmatch(installation):
                raise _Reply(404, _err("not-found", "Not an installation ID."))
            self._log_fields["installation"] = installation
            self._allow("GET")
            self._get_return(installation)
            return
        raise _Reply(404, _err("not-found", "Unknown path."))

    def _allow(self, *methods: str) -> None:
        if self.command not in methods:
            raise _Reply(
                405,
                _err("method", f"{self.command} is not allowed here."),
                {"Allow": ", ".join(methods)},
            )

    def _info(self) -> dict[str, Any]:
        limits = self.server.limits
        return {
            "service": SERVICE,
            "api": 1,
            "app_version": __version__,
            "max_bundle_bytes": limits.max_bundle_bytes,
            "max_chunk_bytes": limits.max_chunk_bytes,
            "returns": isinstance(self.server.sink, ReturnSource),
        }

    def _offset_headers(self, uuid: str) -> dict[str, str]:
        spool = self.server.spool
        info = spool.info(uuid)
        headers = {
            "Upload-Offset": str(spool.held(uuid)),
            "Upload-Max-Size": str(self.server.limits.max_bundle_bytes),
            "Upload-Max-Chunk": str(self.server.limits.max_chunk_bytes),
        }
        if info is not None:
            headers["Upload-Length"] = str(info.total)
            if info.sha256:
                headers["Upload-SHA256"] = info.sha256
        return headers

    def _upload_status(self, uuid: str) -> None:
        headers = self._offset_headers(uuid)
        self._log_fields["offset"] = headers["Upload-Offset"]
        doc = {
            "bundle_uuid": uuid,
            "offset": int(headers["Upload-Offset"]),
            "total": int(headers["Upload-Length"]) if "Upload-Length" in headers else None,
            "max_bundle_bytes": self.server.limits.max_bundle_bytes,
            "max_chunk_bytes": self.server.limits.max_chunk_bytes,
        }
        self._json(200, doc, headers)

    def _put_upload(self, uuid: str, length: int) -> None:
        limits = self.server.limits
        start, end, total = _parse_range(self.headers.get("Content-Range"))
        self._log_fields["range"] = f"{start}-{end}/{total}" if start is not None else f"*/{total}"
        if length > limits.max_chunk_bytes:
            self.close_connection = True
            raise _Reply(
                413,
                _err("too-large", f"A chunk may hold at most {limits.max_chunk_bytes} bytes."),
                {"Upload-Max-Chunk": str(limits.max_chunk_bytes)},
            )
        if total > limits.max_bundle_bytes:
            raise _Reply(
                413,
                _err(
                    "too-large",
                    f"The bundle is {total} bytes; this server accepts at most "
                    f"{limits.max_bundle_bytes}.",
                ),
                {"Upload-Max-Size": str(limits.max_bundle_bytes)},
            )
        expected = 0 if start is None or end is None else end - start + 1
        if length != expected:
            raise _Reply(
                400,
                _err(
                    "bad-request",
                    f"Content-Length {length} does not match Content-Range ({expected} bytes).",
                ),
            )
        sha = self.headers.get("Upload-SHA256")
        if sha is not None and not _HEX64.fullmatch(sha):
            raise _Reply(400, _err("bad-request", "Upload-SHA256 must be 64 lowercase hex digits."))
        with self.server.locks.hold(uuid, limits.lock_wait) as got:
            if not got:
                raise _Reply(
                    409,
                    _err("busy", "Another request for this bundle is in progress; try again."),
                    {**self._offset_headers(uuid), "Retry-After": "2"},
                )
            self._put_locked(uuid, start, total, length, sha)

    def _put_locked(
        self, uuid: str, start: int | None, total: int, length: int, sha: str | None
    ) -> None:
        spool = self.server.spool
        info = spool.info(uuid)
        if info is not None and (
            info.total != total or (sha and info.sha256 and sha != info.sha256)
        ):
            spool.discard(uuid)  # a stale upload of another file under this UUID
            info = None
        held = spool.held(uuid)
        if start is None:  # "bytes */TOTAL": finish an upload whose bytes all arrived
            if info is None or held != total:
                raise _Reply(409, _offset_err(held), self._offset_headers(uuid))
            self._finish(uuid, info)
            return
        if start != held:
            raise _Reply(409, _offset_err(held), self._offset_headers(uuid))
        if info is None:
            self._check_room(total)
            info = spool.begin(uuid, total, sha, _safe_name(self.headers.get("Upload-Name"), uuid))
        body = self._read_body(length)
        self._log_fields["body_read"] = True
        if body is None:
            self._log_fields["bytes"] = "short"
            return  # the client went away; nothing of this chunk is kept
        held = spool.append(uuid, body)
        self._log_fields["bytes"] = len(body)
        if held < total:
            headers = {"Upload-Offset": str(held), "Upload-Length": str(total)}
            self._send(204, headers=headers)
            return
        self._finish(uuid, info)

    def _check_room(self, total: int) -> None:
        """Room for a new upload of ``total`` bytes, evicting long-idle uploads if need be."""
        limits = self.server.limits
        spool = self.server.spool
        uploads = spool.uploads()
        excess = sum(size for _, size, _ in uploads) + total - limits.max_spool_bytes
        idle_before = time.time() - limits.evict_idle_seconds
        for uuid, size, touched in uploads:
            if excess <= 0 or touched > idle_before:
                break
            with self.server.locks.hold(uuid, 0) as got:
                if got:
                    spool.discard(uuid)
                    excess -= size
                    LOGGER.info("spool: evicted idle upload %s (%d bytes)", uuid, size)
        if excess > 0:
            raise _Reply(
                507,
                _err("spool-full", "The server holds too many unfinished uploads; try later."),
                {"Retry-After": "600"},
            )
        if shutil.disk_usage(spool.folder).free < total + limits.min_free_bytes:
            raise _Reply(
                507,
                _err("disk-full", "The center's disk is too full for this bundle; try later."),
                {"Retry-After": "600"},
            )

    def _finish(self, uuid: str, info: UploadInfo) -> None:
        spool = self.server.spool
        data = spool.read(uuid)
        if info.sha256 and hashlib.sha256(data).hexdigest() != info.sha256:
            spool.discard(uuid)
            raise _Reply(
                409,
                _err(
                    "transfer",
                    "The bytes received differ from the declared SHA-256 (damaged on the way); "
                    "the upload was discarded: send it again from byte 0.",
                )
                | {"offset": 0},
                {"Upload-Offset": "0"},
            )
        try:
            envelope = read_envelope(data)
            if envelope.bundle_uuid != uuid:
                raise BundleRefused(
                    "manifest",
                    f"the upload URL names bundle {uuid} but the manifest's bundle_uuid is "
                    f"{envelope.bundle_uuid}",
                )
            result = self.server.sink_thread.call(self.server.sink.import_bundle, data, info.name)
        except BundleRefused as exc:
            spool.discard(uuid)
            self._refused(uuid, exc.check, exc.detail)
            return
        except NpcCrfError as exc:
            # the center could not import now (store busy or down): keep the bytes
            self._log_fields["error"] = type(exc).__name__
            raise _Reply(
                503,
                _err("import-failed", f"The center could not import the bundle now: {exc.message}"),
                {"Retry-After": "30", "Upload-Offset": str(len(data))},
            ) from None
        outcome = sink_outcome(result)
        spool.discard(uuid)
        if outcome.refused:
            self._refused(uuid, outcome.check or "unknown", outcome.message or "refused")
            return
        self._log_fields["status"] = outcome.status.replace(" ", "-")
        code = 201 if outcome.status == "imported" else 200
        self._json(
            code,
            {"bundle_uuid": uuid, "status": outcome.status, "detail": outcome.detail},
            {"Upload-Offset": str(len(data))},
        )

    def _refused(self, uuid: str, check: str, message: str) -> None:
        self._log_fields["status"] = "refused"
        self._log_fields["check"] = check
        self._json(
            422,
            {"bundle_uuid": uuid, "status": "refused", "check": check, "message": message},
        )

    def _get_return(self, installation: str) -> None:
        sink = self.server.sink
        if not isinstance(sink, ReturnSource):
            raise _Reply(
                501, _err("no-returns", "This center does not serve return bundles by HTTP.")
            )
        try:
            result = self.server.sink_thread.call(sink.make_return, installation)
        except UsageError as exc:
            raise _Reply(404, _err("not-found", exc.message)) from None
        except NpcCrfError as exc:
            self._log_fields["error"] = type(exc).__name__
            raise _Reply(
                503,
                _err(
                    "return-failed",
                    f"The center could not make the return bundle now: {exc.message}",
                ),
                {"Retry-After": "30"},
            ) from None
        if result is None:
            raise _Reply(404, _err("not-found", "There is no return bundle for this installation."))
        data, name = (result, None) if isinstance(result, bytes) else (bytes(result[0]), result[1])
        name = _safe_name(name, installation, suffix=".npcr")
        self._log_fields["bytes"] = len(data)
        self._send(
            200,
            data,
            "application/octet-stream",
            {"Content-Disposition": f'attachment; filename="{name}"'},
        )


def _err(code: str, message: str) -> dict[str, Any]:
    return {"error": code, "message": message}


def _offset_err(held: int) -> dict[str, Any]:
    return _err(
        "offset", f"The server holds {held} byte(s) of this bundle; send the chunk starting there."
    ) | {"offset": held}


def _parse_range(raw: str | None) -> tuple[int | None, int | None, int]:
    """``bytes START-END/TOTAL`` or ``bytes */TOTAL`` (finish) as (start, end, total)."""
    match = _RANGE.fullmatch(raw.strip()) if raw else None
    if match is None:
        raise _Reply(
            400,
            _err(
                "bad-request",
                "Content-Range must be 'bytes START-END/TOTAL' (or 'bytes */TOTAL' to finish).",
            ),
        )
    total = int(match.group(3))
    if match.group(1) is None:
        if total < 1:
            raise _Reply(400, _err("bad-request", "TOTAL in Content-Range must be at least 1."))
        return None, None, total
    start, end = int(match.group(1)), int(match.group(2))
    if not start <= end < total:
        raise _Reply(400, _err("bad-request", "Content-Range needs START ≤ END < TOTAL."))
    return start, end, total


def _safe_name(raw: str | None, fallback: str, suffix: str = ".npcb") -> str:
    """A file name for reports: the base name, limited to letters, digits, ``. _ -``."""
    name = _NAME_CHARS.sub("_", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])[:200]
    return name.strip(".") or f"{fallback}{suffix}"


# -- starting it ---------------------------------------------------------------------------------


def ssl_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A TLS server context (TLS 1.2 or newer) from a PEM certificate chain and key."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(
            f"{cert}, {key}: cannot load the TLS certificate and key ({exc})."
        ) from None
    return context


def make_server(
    center_dir: Path,
    sink: BundleSink,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    limits: ServerLimits | None = None,
    cert: Path | None = None,
    key: Path | None = None,
    sink_thread: SinkThread | None = None,
) -> CenterHTTPServer:
    """A bound server for the center in ``center_dir`` (spool in ``center_dir/spool``).

    Port 0 picks a free port (see ``server.url``). Stale uploads are cleaned at once.
    """
    if (cert is None) != (key is None):
        raise UsageError("Give both --cert and --key for TLS, or neither.")
    context = ssl_context(cert, key) if cert is not None and key is not None else None
    limits = limits or ServerLimits()
    spool = Spool(center_dir / "spool")
    try:
        server = CenterHTTPServer(
            (host, port),
            spool=spool,
            sink=sink,
            sink_thread=sink_thread or SinkThread(),
            limits=limits,
            ssl_context=context,
        )
    except OSError as exc:
        raise UsageError(f"Cannot listen on {host}:{port} ({exc.strerror or exc}).") from None
    server.clean_spool()
    return server


def serve(
    center_dir: Path,
    sink: BundleSink,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    limits: ServerLimits | None = None,
    cert: Path | None = None,
    key: Path | None = None,
    sink_thread: SinkThread | None = None,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve uploads until interrupted (Ctrl+C or SIGTERM); blocks.

    ``announce`` receives the line ``listening on URL`` once the socket is bound.
    """
    server = make_server(
        center_dir, sink, host, port, limits=limits, cert=cert, key=key, sink_thread=sink_thread
    )
    LOGGER.info("listening on %s", server.url)
    if announce is not None:
        announce(f"listening on {server.url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        LOGGER.info("stopped")


# -- ``npc-crf center serve`` --------------------------------------------------------------------

OpenCenter = Callable[[Path, str], BundleSink]


def open_center_sink(center_dir: Path, password: str) -> BundleSink:
    """The one integration point with the center: ``Center.open`` (``npc_crf.center.service``).

    Imports, refusals and return bundles are recorded in the center's trail as done
    by the operating-system user who started the server.
    """
    from npc_crf.center.service import Center, default_user

    return Center.open(center_dir, password, by=default_user())


def register_serve(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser],
    open_center: OpenCenter | None = None,
) -> argparse.ArgumentParser:
    """Add ``serve`` to the ``center`` command's sub-commands; returns its parser.

    ``open_center(dir, password)`` opens the center (default :func:`open_center_sink`).
    """
    from npc_crf.cli.site_args import PASSWORD_ENV, reporting_errors

    parser = verbs.add_parser(
        "serve", help="receive bundles by HTTP upload (resumable; docs/http-upload.md)"
    )
    parser.allow_abbrev = False
    parser.add_argument("--dir", type=Path, required=True, help="the center directory")
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0 for every interface)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument("--cert", type=Path, help="TLS certificate chain (PEM); needs --key")
    parser.add_argument("--key", type=Path, help="TLS private key (PEM) for --cert")
    defaults = ServerLimits()
    parser.add_argument(
        "--max-bundle-mib",
        type=int,
        default=defaults.max_bundle_bytes // MIB,
        help="largest bundle accepted, MiB (default %(default)s)",
    )
    parser.add_argument(
        "--spool-days",
        type=float,
        default=defaults.spool_days,
        help="unfinished uploads are deleted after this many days (default %(default)s)",
    )
    parser.add_argument(
        "--requests-per-minute",
        type=int,
        default=defaults.requests_per_minute,
        help="per client address (default %(default)s)",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read the center password from standard input instead of ${PASSWORD_ENV}",
    )
    parser.set_defaults(run=reporting_errors(partial(run_serve, open_center=open_center)))
    return parser


def run_serve(args: argparse.Namespace, open_center: OpenCenter | None = None) -> int:
    """``npc-crf center serve``: open the center, then serve until interrupted."""
    from npc_crf.cli.site_args import read_password

    if not 1 <= args.max_bundle_mib <= 4096:
        raise UsageError("--max-bundle-mib must be from 1 to 4096.")
    if args.spool_days <= 0 or args.requests_per_minute < 1:
        raise UsageError("--spool-days and --requests-per-minute must be positive.")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0 … 65535).")
    password = read_password(args, what="center password")
    center_dir: Path = args.dir
    if not center_dir.is_dir():
        raise UsageError(
            f"{center_dir}: no such center directory (make one with npc-crf center init)."
        )
    limits = dataclasses.replace(
        ServerLimits(),
        max_bundle_bytes=args.max_bundle_mib * MIB,
        spool_days=args.spool_days,
        requests_per_minute=args.requests_per_minute,
    )
    handler = log_to(center_dir / "logs")
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    LOGGER.addHandler(console)
    worker = SinkThread()
    previous = _stop_on_sigterm()
    try:
        sink = worker.call(open_center or open_center_sink, center_dir, password)
        try:
            serve(
                center_dir,
                sink,
                args.host,
                args.port,
                limits=limits,
                cert=args.cert,
                key=args.key,
                sink_thread=worker,
                announce=lambda line: print(line, flush=True),
            )
        finally:
            close = getattr(sink, "close", None)
            if callable(close):
                worker.call(close)
    finally:
        worker.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        LOGGER.removeHandler(console)
        stop_logging(handler)
    return 0


def _stop_on_sigterm() -> Any:
    """Make SIGTERM stop the server like Ctrl+C (so the center is closed); the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> int:
    """``python -m npc_crf.center.http_server serve …``: the command without the full CLI."""
    parser = argparse.ArgumentParser(prog="npc-crf center")
    register_serve(parser.add_subparsers(dest="verb", required=True))
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # never echo the values: "--password s3cret" must not reach a log
        options = " ".join(u.split("=", 1)[0] for u in unknown if u.startswith("-"))
        parser.error(
            f"unrecognized arguments{': ' + options if options else ''} (values not shown)"
        )
    result: int = args.run(args)
    return result


if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())


__all__ = [
    "BundleSink",
    "CenterHTTPServer",
    "ReturnSource",
    "ServerLimits",
    "SinkOutcome",
    "SinkThread",
    "Spool",
    "make_server",
    "open_center_sink",
    "register_serve",
    "run_serve",
    "serve",
    "sink_outcome",
]
