"""Upload a bundle to ``npc-crf center serve`` over HTTP, resuming where it stopped.

The protocol is in docs/http-upload.md. :func:`upload_bundle` asks the server how
many bytes of the bundle it already holds, sends the rest in chunks, retries a
failed chunk with backoff, picks up again after a dropped connection, and
returns the center's answer. Failures come in three kinds a person can act on:

* :class:`CenterRefused` — the center checked the bundle and refused it (the
  check and the reason; sending it again will not help);
* :class:`CenterUnreachable` — no connection (or the center is down): try later;
  nothing is lost, the next attempt resumes;
* :class:`UploadFailed` — the server answered something else (too large, a
  server error); :class:`UploadCancelled` when the person stopped it.

Standard library only (``urllib.request``); proxies from the environment apply.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from npc_crf.core.errors import BundleRefused, NpcCrfError, UsageError

DEFAULT_CHUNK = 1 << 20
MAX_RETURN_BYTES = 512 << 20

#: ``progress(done_bytes, total_bytes, what)``, as the site's other long jobs report
Progress = Callable[[int, int, str], None]
#: returns True once the person asked to stop (e.g. ``threading.Event().is_set``)
Cancel = Callable[[], bool]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INSTALLATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class CenterUnreachable(NpcCrfError):
    """No connection to the center (or it is down or overloaded): nothing lost, try later."""

    exit_code = 9


class UploadFailed(NpcCrfError):
    """The center's server answered, but not with a result (``http_status`` says what)."""

    def __init__(self, message: str, http_status: int | None = None, hint: str | None = None):
        super().__init__(message, hint)
        self.http_status = http_status


class UploadCancelled(NpcCrfError):
    """The upload was stopped on request; the server keeps ``offset`` bytes for next time."""

    def __init__(self, offset: int, total: int) -> None:
        super().__init__(
            f"The upload was cancelled after {offset} of {total} bytes; "
            "the next upload of this bundle continues from there."
        )
        self.offset = offset
        self.total = total


class CenterRefused(BundleRefused):
    """The center verified the bundle and refused it (``check``, ``detail``); nothing applied."""


@dataclass(frozen=True)
class UploadResult:
    """The center's answer to a complete upload."""

    bundle_uuid: str
    #: ``imported``, ``already imported``, ``held`` … as the center reports it
    status: str
    #: the center's JSON summary (counts, missing sequence numbers …)
    detail: Any
    http_status: int
    total_bytes: int
    #: bytes the server already held when this call started
    resumed_from: int
    #: bytes this call sent (more than ``total - resumed_from`` if chunks were re-sent)
    sent_bytes: int
    response: dict[str, Any]


# -- plumbing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return doc if isinstance(doc, dict) else {}

    def header_int(self, name: str) -> int | None:
        raw = self.headers.get(name.lower(), "")
        return int(raw) if raw.isdigit() else None

    def message(self) -> str:
        doc = self.json()
        text = doc.get("message")
        return str(text) if text else f"HTTP {self.status}"


class _NetworkError(Exception):
    """The request did not get an HTTP answer (refused, reset, timed out, name unknown)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Http:
    """Requests to one server, every HTTP status returned as an answer."""

    def __init__(self, base: str, context: ssl.SSLContext | None) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(
                f"{base!r} is not a center address; give http://HOST:PORT or https://HOST."
            )
        self.base = base.rstrip("/")
        handlers: list[urllib.request.BaseHandler] = []
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float,
        limit: int = 1 << 20,
    ) -> _Answer:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s)
            self.base + path, data=body, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return _Answer(response.status, _lower(response.headers), response.read(limit))
        except urllib.error.HTTPError as exc:
            try:
                data = exc.read(1 << 20)
            except (OSError, http.client.HTTPException):
                data = b""
            return _Answer(exc.code, _lower(exc.headers), data)
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ssl.SSLCertVerificationError):
                raise UploadFailed(
                    f"The TLS certificate of {self.base} is not trusted "
                    f"({exc.reason.verify_message}); this may not be the center.",
                    hint="Check the address, or install the certificate authority of the center.",
                ) from None
            raise _NetworkError(str(exc.reason)) from None
        except (OSError, http.client.HTTPException) as exc:
            raise _NetworkError(type(exc).__name__) from None


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (headers or {}).items()}


class _Source:
    """The bundle's bytes, from memory or read chunk by chunk from a file."""

    def __init__(self, data: bytes | None, handle: BinaryIO | None, size: int) -> None:
        self._data = data
        self._handle = handle
        self.size = size
        self.sha256 = self._digest()

    def _digest(self) -> str:
        if self._data is not None:
            return hashlib.sha256(self._data).hexdigest()
        digest = hashlib.sha256()
        for start in range(0, self.size, DEFAULT_CHUNK):
            digest.update(self.read(start, DEFAULT_CHUNK))
        return digest.hexdigest()

    def read(self, start: int, length: int) -> bytes:
        if self._data is not None:
            return self._data[start : start + length]
        assert self._handle is not None
        self._handle.seek(start)
        return self._handle.read(length)


@contextmanager
def _open_source(bundle: bytes | Path | str) -> Iterator[_Source]:
    if isinstance(bundle, bytes | bytearray | memoryview):
        data = bytes(bundle)
        yield _Source(data, None, len(data))
        return
    path = Path(bundle)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the bundle ({exc.strerror}).") from None
    with handle:
        size = path.stat().st_size
        yield _Source(None, handle, size)


def _wait(seconds: float, cancel: Cancel | None) -> bool:
    """Sleep, waking early when cancelled; False if cancelled."""
    end = time.monotonic() + seconds
    while True:
        if cancel is not None and cancel():
            return False
        left = end - time.monotonic()
        if left <= 0:
            return True
        time.sleep(min(left, 0.1))


# -- uploading -----------------------------------------------------------------------------------


def upload_bundle(
    url: str,
    bundle: bytes | Path | str,
    bundle_uuid: str,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    timeout: float = 30.0,
    import_timeout: float = 600.0,
    retries: int = 4,
    backoff: float = 1.0,
    name: str | None = None,
    context: ssl.SSLContext | None = None,
) -> UploadResult:
    """Upload one bundle file to the center at ``url`` (``http://host:port``), resumably.

    ``bundle`` is the file's bytes or its path; ``bundle_uuid`` its manifest's
    ``bundle_uuid`` (the server checks they agree). ``progress(done, total,
    "upload")`` is called after every chunk; ``cancel()`` is checked before each
    one. A failed request is retried ``retries`` times in a row, waiting
    ``backoff``, 2×, 4× … seconds; every retry first asks the server where to
    continue. ``timeout`` applies to each request, ``import_timeout`` to the last
    one, which waits for the center to verify and apply the bundle. ``name`` is
    the file name the center shows in its reports (default: the path's name).

    Raises :class:`CenterRefused`, :class:`CenterUnreachable`,
    :class:`UploadFailed` or :class:`UploadCancelled`.
    """
    if not _UUID.fullmatch(bundle_uuid):
        raise UsageError(f"{bundle_uuid!r} is not a bundle UUID (lowercase 8-4-4-4-12 hex).")
    if chunk_size < 1:
        raise UsageError("The chunk size must be at least 1 byte.")
    http = _Http(url, context)
    if name is None:
        name = Path(bundle).name if isinstance(bundle, Path | str) else f"{bundle_uuid}.npcb"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:200]  # an HTTP header is ASCII
    with _open_source(bundle) as source:
        if source.size == 0:
            raise UsageError(f"{name}: the bundle file is empty.")
        upload = _Upload(http, source, bundle_uuid, name, chunk_size, timeout, import_timeout)
        return upload.run(progress, cancel, retries, backoff)


class _Upload:
    """One call of :func:`upload_bundle`: the loop and its counters."""

    def __init__(
        self,
        http: _Http,
        source: _Source,
        bundle_uuid: str,
        name: str,
        chunk_size: int,
        timeout: float,
        import_timeout: float,
    ) -> None:
        self.http = http
        self.source = source
        self.uuid = bundle_uuid
        self.path = f"/v1/uploads/{bundle_uuid}"
        self.name = name
        self.chunk_size = chunk_size
        self.timeout = timeout
        self.import_timeout = import_timeout
        self.sent = 0

    def status(self) -> int:
        """Where to continue: the server's offset (0 if it holds another file's bytes)."""
        answer = self.http.request("HEAD", self.path, timeout=self.timeout)
        if answer.status in (429, 500, 502, 503, 504):
            raise _Retry(answer)
        offset = answer.header_int("Upload-Offset")
        if answer.status != 200 or offset is None:
            raise UploadFailed(
                f"{self.http.base} did not answer as an npc-crf center (HTTP {answer.status} "
                "without Upload-Offset); check the address.",
                answer.status,
            )
        max_chunk = answer.header_int("Upload-Max-Chunk")
        if max_chunk:
            self.chunk_size = min(self.chunk_size, max_chunk)
        held_total = answer.header_int("Upload-Length")
        held_sha = answer.headers.get("upload-sha256")
        same_file = held_total == self.source.size and held_sha in (None, self.source.sha256)
        return offset if offset and same_file else 0

    def send(self, offset: int) -> _Answer:
        """PUT the chunk at ``offset`` (or, with nothing left, ask the server to finish)."""
        total = self.source.size
        headers = {
            "Content-Type": "application/octet-stream",
            "Upload-SHA256": self.source.sha256,
            "Upload-Name": self.name,
        }
        if offset >= total:
            headers["Content-Range"] = f"bytes */{total}"
            chunk = b""
        else:
            chunk = self.source.read(offset, self.chunk_size)
            headers["Content-Range"] = f"bytes {offset}-{offset + len(chunk) - 1}/{total}"
        last = offset + len(chunk) >= total
        answer = self.http.request(
            "PUT",
            self.path,
            body=chunk,
            headers=headers,
            timeout=max(self.timeout, self.import_timeout) if last else self.timeout,
        )
        if answer.status in (200, 201, 204):
            self.sent += len(chunk)
        return answer

    def run(
        self, progress: Progress | None, cancel: Cancel | None, retries: int, backoff: float
    ) -> UploadResult:
        total = self.source.size
        offset: int | None = None
        resumed_from: int | None = None
        last_known = 0
        failures = conflicts = restarts = 0
        while True:
            if cancel is not None and cancel():
                raise UploadCancelled(last_known, total)
            try:
                if offset is None:
                    offset = self.status()
                    last_known = offset
                    if resumed_from is None:
                        resumed_from = offset
                    if progress is not None:
                        progress(offset, total, "upload")
                answer = self.send(offset)
            except _NetworkError as exc:
                failures += 1
                if failures > retries:
                    raise CenterUnreachable(
                        f"No connection to the center at {self.http.base} ({exc.reason}); "
                        f"{last_known} of {total} bytes are there.",
                        "Try again later; the upload continues where it stopped.",
                    ) from None
                offset = None
                if not _wait(backoff * 2 ** (failures - 1), cancel):
                    raise UploadCancelled(last_known, total) from None
                continue
            except _Retry as retry:
                answer = retry.answer
            code = answer.status
            if code == 204:
                offset = answer.header_int("Upload-Offset")
                if offset is None:
                    raise UploadFailed(
                        "The server accepted a chunk without saying its offset.", 204
                    )
                last_known = offset
                failures = conflicts = 0
                if progress is not None:
                    progress(offset, total, "upload")
                continue
            if code in (200, 201):
                if progress is not None:
                    progress(total, total, "upload")
                return self.result(answer, resumed_from or 0)
            if code == 422:
                doc = answer.json()
                raise CenterRefused(
                    str(doc.get("check") or "unknown"),
                    str(doc.get("message") or "the center refused the bundle"),
                )
            if code == 409:
                doc = answer.json()
                if doc.get("error") == "transfer":
                    restarts += 1
                    if restarts > 2:
                        raise UploadFailed(answer.message(), code)
                conflicts += 1
                if conflicts > retries + 2:
                    raise UploadFailed(
                        f"The server keeps disagreeing about the offset: {answer.message()}", code
                    )
                offset = answer.header_int("Upload-Offset")
                if offset is not None:
                    last_known = offset
                wait = answer.header_int("Retry-After")
                if wait and not _wait(min(wait, 30), cancel):
                    raise UploadCancelled(last_known, total)
                continue
            if code in (429, 500, 502, 503, 504):
                failures += 1
                if failures > retries:
                    if code in (502, 503, 504):
                        raise CenterUnreachable(
                            f"The center at {self.http.base} is not available now "
                            f"(HTTP {code}: {answer.message()}).",
                            "Try again later; the upload continues where it stopped.",
                        )
                    raise UploadFailed(f"The center's server failed: {answer.message()}", code)
                offset = None
                wait = max(
                    backoff * 2 ** (failures - 1), min(answer.header_int("Retry-After") or 0, 60)
                )
                if not _wait(wait, cancel):
                    raise UploadCancelled(last_known, total)
                continue
            raise UploadFailed(f"The center did not take the bundle: {answer.message()}", code)

    def result(self, answer: _Answer, resumed_from: int) -> UploadResult:
        doc = answer.json()
        status = doc.get("status")
        if not isinstance(status, str) or doc.get("bundle_uuid") != self.uuid:
            raise UploadFailed(
                f"The center's answer for bundle {self.uuid} is not an upload result.",
                answer.status,
            )
        return UploadResult(
            bundle_uuid=self.uuid,
            status=status,
            detail=doc.get("detail"),
            http_status=answer.status,
            total_bytes=self.source.size,
            resumed_from=resumed_from,
            sent_bytes=self.sent,
            response=doc,
        )


class _Retry(Exception):
    """An answer from :meth:`_Upload.status` that the loop treats like a failed chunk."""

    def __init__(self, answer: _Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


# -- other requests ------------------------------------------------------------------------------


def center_info(
    url: str, *, timeout: float = 10.0, context: ssl.SSLContext | None = None
) -> dict[str, Any]:
    """``GET /v1/``: the server's name, API version and limits (a connection test)."""
    http = _Http(url, context)
    try:
        answer = http.request("GET", "/v1/", timeout=timeout)
    except _NetworkError as exc:
        raise CenterUnreachable(
            f"No connection to the center at {http.base} ({exc.reason}).", "Try again later."
        ) from None
    doc = answer.json()
    if answer.status != 200 or doc.get("service") != "npc-crf-center":
        raise UploadFailed(
            f"{http.base} did not answer as an npc-crf center (HTTP {answer.status}).",
            answer.status,
        )
    return doc


def fetch_return(
    url: str,
    installation_id: str,
    *,
    timeout: float = 120.0,
    retries: int = 2,
    backoff: float = 1.0,
    context: ssl.SSLContext | None = None,
    max_bytes: int = MAX_RETURN_BYTES,
) -> bytes | None:
    """The newest return bundle the center has for this installation, or None if none.

    The bytes are not checked here: apply them as any return bundle (the site
    verifies the center's signature and that it is addressed to this installation).
    """
    if not _INSTALLATION.fullmatch(installation_id):
        raise UsageError(f"{installation_id!r} is not an installation ID.")
    http = _Http(url, context)
    failures = 0
    while True:
        try:
            answer = http.request(
                "GET", f"/v1/returns/{installation_id}", timeout=timeout, limit=max_bytes + 1
            )
        except _NetworkError as exc:
            failures += 1
            if failures > retries:
                raise CenterUnreachable(
                    f"No connection to the center at {http.base} ({exc.reason}).",
                    "Try again later.",
                ) from None
            time.sleep(backoff * 2 ** (failures - 1))
            continue
        if answer.status == 200:
            if len(answer.body) > max_bytes:
                raise UploadFailed(f"The return bundle is larger than {max_bytes} bytes.", 200)
            return answer.body
        if answer.status == 404 and answer.json().get("error") == "not-found":
            return None
        if answer.status in (502, 503, 504):
            raise CenterUnreachable(
                f"The center at {http.base} is not available now (HTTP {answer.status}).",
                "Try again later.",
            )
        raise UploadFailed(
            f"The center did not send a return bundle: {answer.message()}", answer.status
        )
