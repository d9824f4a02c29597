"""Pre-signed document URLs (report and feed documents): downloads and uploads through the
guarded client of a call core, never the library's own (which reads proxies from the
environment and skips the allow-list), and decoding."""

from __future__ import annotations

import gzip
import logging
import zlib

import httpx

from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.errors import BadResponse, SpApiError, TransientError

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 512 * 1024 * 1024


def fetch(core: CallCore, url: str) -> tuple[bytes, str | None]:
    """GET a pre-signed document URL (allow-listed): (bytes, charset). Damage and failures
    raise BadResponse (worth another try)."""
    core.api.check(url)
    try:
        with core.http.stream("GET", url) as res:
            if res.status_code != 200:
                raise BadResponse("the document download failed", detail=f"HTTP {res.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in res.iter_bytes():
                size += len(chunk)
                if size > MAX_DOCUMENT_BYTES:
                    raise SpApiError("The document is larger than 512 MB.")
                chunks.append(chunk)
            return b"".join(chunks), res.charset_encoding
    except httpx.HTTPError as exc:
        raise BadResponse("the document download failed", detail=type(exc).__name__) from exc


def upload(core: CallCore, url: str, content: bytes, content_type: str) -> None:
    """PUT a feed document to its pre-signed URL (idempotent: tried up to 3 times)."""
    core.api.check(url)
    error = TransientError("the upload failed")
    for attempt in range(1, 4):
        try:
            res = core.http.put(url, content=content, headers={"Content-Type": content_type})
        except httpx.HTTPError as exc:
            error = TransientError("the upload failed", detail=type(exc).__name__)
        else:
            if 200 <= res.status_code < 300:
                return
            error = TransientError("the upload failed", detail=f"HTTP {res.status_code}")
            if res.status_code < 500:
                break
        log.info("feed document upload attempt %d: %s", attempt, error.detail)
    raise TransientError(
        f"The feed document could not be uploaded to {core.who} ({error.message}). "
        "Nothing was submitted; try again.",
        detail=error.detail,
    )


def decode(data: bytes, charset: str | None, algorithm: object) -> str:
    """Inflate (when the bytes are gzip, whatever the metadata says) and decode."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise BadResponse(f"the gzip document is damaged ({type(exc).__name__})") from exc
    elif algorithm == "GZIP" and data:
        log.info("document said GZIP but is not gzip; reading it as is")
    try:
        return data.decode(charset or "utf-8")
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace")
