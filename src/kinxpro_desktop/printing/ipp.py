"""A small IPP/1.1 client for the local CUPS scheduler (stdlib only).

Why not the `lp`/`cancel` commands: CUPS 2.4.2's `cancel -x JOB` sends "purge-jobs" where
the scheduler reads "purge-job" (fixed upstream in OpenPrinting/cups#742), so a completed job
cannot be purged with it and its files stay in the spool. Speaking IPP directly also gives the
job id, its state and the printer's state without parsing localised command output.

The server is found as libcups finds it: ``CUPS_SERVER`` (a path means a unix socket), then
``~/.cups/client.conf`` and ``/etc/cups/client.conf`` ``ServerName``, then the default domain
socket, then ``localhost:631``. Over a domain socket a 401 is answered with ``PeerCred``, as
libcups does.
"""

from __future__ import annotations

import getpass
import http.client
import os
import socket
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# operations
PRINT_JOB = 0x0002
CANCEL_JOB = 0x0008
GET_JOB_ATTRIBUTES = 0x0009
GET_JOBS = 0x000A
GET_PRINTER_ATTRIBUTES = 0x000B

# delimiter and value tags
_OPERATION, _JOB, _END, _PRINTER = 0x01, 0x02, 0x03, 0x04
_INTEGER, _BOOLEAN, _ENUM = 0x21, 0x22, 0x23
_RESOLUTION, _RANGE = 0x32, 0x33
_TEXT, _NAME, _KEYWORD, _URI, _CHARSET, _LANG, _MIME = 0x41, 0x42, 0x44, 0x45, 0x47, 0x48, 0x49

# job-state values
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED = 3, 4, 5, 6
JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = 7, 8, 9
PRINTER_STOPPED = 5

STATUS_NOT_FOUND = 0x0406
STATUS_NOT_POSSIBLE = 0x0404
STATUS_NOT_ACCEPTING = 0x0506

_DEFAULT_SOCKETS = ("/run/cups/cups.sock", "/var/run/cups/cups.sock", "/private/var/run/cupsd")


class IppError(Exception):
    """Transport failure or an IPP error status; ``status`` is 0 when nothing answered."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class IppResponse:
    status: int
    groups: list[tuple[int, dict[str, list[Any]]]] = field(default_factory=list)

    def first(self, group: int) -> dict[str, list[Any]]:
        return next((attrs for tag, attrs in self.groups if tag == group), {})

    def all(self, group: int) -> list[dict[str, list[Any]]]:
        return [attrs for tag, attrs in self.groups if tag == group]


Attr = tuple[int, str, Any]  # (value tag, name, value or list of values)


def _encode_value(tag: int, value: Any) -> bytes:
    if tag in (_INTEGER, _ENUM):
        return struct.pack(">i", int(value))
    if tag == _BOOLEAN:
        return b"\x01" if value else b"\x00"
    return str(value).encode("utf-8")


def encode_request(
    operation: int,
    request_id: int,
    attrs: list[Attr],
    data: bytes = b"",
    job_attrs: list[Attr] | None = None,
) -> bytes:
    out = bytearray(struct.pack(">BBHI", 1, 1, operation, request_id))
    for group, items in ((_OPERATION, attrs), (_JOB, job_attrs or [])):
        if not items and group != _OPERATION:
            continue
        out.append(group)
        for tag, name, value in items:
            values = value if isinstance(value, list) else [value]
            for index, item in enumerate(values):
                raw = _encode_value(tag, item)
                key = name.encode("ascii") if index == 0 else b""
                out += struct.pack(">BH", tag, len(key)) + key + struct.pack(">H", len(raw)) + raw
    out.append(_END)
    return bytes(out) + data


def _decode_value(tag: int, raw: bytes) -> Any:
    if tag in (_INTEGER, _ENUM) and len(raw) == 4:
        return struct.unpack(">i", raw)[0]
    if tag == _BOOLEAN and len(raw) == 1:
        return raw != b"\x00"
    if tag == _RESOLUTION and len(raw) == 9:
        return struct.unpack(">iib", raw)
    if tag == _RANGE and len(raw) == 8:
        return struct.unpack(">ii", raw)
    if 0x40 <= tag <= 0x4F:
        return raw.decode("utf-8", errors="replace")
    return raw


def decode_response(body: bytes) -> IppResponse:
    if len(body) < 9:
        raise IppError("CUPS sent a truncated IPP answer")
    status = struct.unpack(">H", body[2:4])[0]
    response = IppResponse(status=status)
    pos, last_name = 8, ""
    current: dict[str, list[Any]] | None = None
    while pos < len(body):
        tag = body[pos]
        pos += 1
        if tag == _END:
            break
        if tag < 0x10:  # a new attribute group
            current = {}
            response.groups.append((tag, current))
            continue
        name_len = struct.unpack(">H", body[pos : pos + 2])[0]
        name = body[pos + 2 : pos + 2 + name_len].decode("ascii", errors="replace")
        pos += 2 + name_len
        value_len = struct.unpack(">H", body[pos : pos + 2])[0]
        raw = body[pos + 2 : pos + 2 + value_len]
        pos += 2 + value_len
        if current is None:
            raise IppError("CUPS sent an IPP attribute outside a group")
        if name:
            last_name = name
            current[name] = [_decode_value(tag, raw)]
        elif last_name:
            current[last_name].append(_decode_value(tag, raw))
    return response


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def find_server() -> str:
    """The CUPS server as libcups would pick it: a socket path or host[:port]."""
    env = os.environ.get("CUPS_SERVER", "").strip()
    if env:
        return env
    for conf in (Path.home() / ".cups" / "client.conf", Path("/etc/cups/client.conf")):
        try:
            for line in conf.read_text(errors="replace").splitlines():
                key, _, value = line.strip().partition(" ")
                if key.lower() == "servername" and value.strip():
                    return value.strip()
        except OSError:
            continue
    for path in _DEFAULT_SOCKETS:
        if os.path.exists(path):
            return path
    return "localhost:631"


class IppClient:
    """One request per connection; safe to use from any thread."""

    def __init__(self, server: str | None = None, timeout: float = 10.0) -> None:
        self.server = server or find_server()
        self.timeout = timeout
        self.user = _user()
        self._request_id = 0

    @property
    def is_local_socket(self) -> bool:
        return self.server.startswith("/")

    def _connection(self) -> http.client.HTTPConnection:
        if self.is_local_socket:
            return _UnixHTTPConnection(self.server, self.timeout)
        host, _, port = self.server.rpartition(":") if ":" in self.server else (self.server, "", "")
        return http.client.HTTPConnection(
            host or self.server, int(port or 631), timeout=self.timeout
        )

    def printer_uri(self, queue: str) -> str:
        return f"ipp://localhost/printers/{queue}"

    def request(
        self,
        operation: int,
        resource: str,
        attrs: list[Attr],
        data: bytes = b"",
        job_attrs: list[Attr] | None = None,
    ) -> IppResponse:
        self._request_id += 1
        base: list[Attr] = [
            (_CHARSET, "attributes-charset", "utf-8"),
            (_LANG, "attributes-natural-language", "en"),
        ]
        body = encode_request(operation, self._request_id, base + attrs, data, job_attrs)
        answer = self._post(resource, body, auth=None)
        if answer[0] == 401 and self.is_local_socket:
            answer = self._post(resource, body, auth=f"PeerCred {self.user}")
        code, payload = answer
        if code != 200:
            raise IppError(f"CUPS answered HTTP {code}", status=code)
        response = decode_response(payload)
        if response.status >= 0x0400:
            message = response.first(_OPERATION).get("status-message", [""])[0]
            raise IppError(str(message) or f"IPP status 0x{response.status:04x}", response.status)
        return response

    def _post(self, resource: str, body: bytes, auth: str | None) -> tuple[int, bytes]:
        conn = self._connection()
        headers = {"Content-Type": "application/ipp"}
        if auth:
            headers["Authorization"] = auth
        try:
            conn.request("POST", resource, body=body, headers=headers)
            reply = conn.getresponse()
            return reply.status, reply.read()
        except (OSError, http.client.HTTPException) as exc:
            raise IppError(f"cannot reach CUPS at {self.server}: {exc}") from None
        finally:
            conn.close()

    # -- operations ---------------------------------------------------------------------

    def printer_attributes(self, queue: str, names: list[str]) -> dict[str, list[Any]]:
        response = self.request(
            GET_PRINTER_ATTRIBUTES,
            f"/printers/{queue}",
            [
                (_URI, "printer-uri", self.printer_uri(queue)),
                (_NAME, "requesting-user-name", self.user),
                (_KEYWORD, "requested-attributes", names),
            ],
        )
        return response.first(_PRINTER)

    def print_job(
        self, queue: str, data: bytes, *, title: str, document_format: str, options: list[Attr]
    ) -> int:
        response = self.request(
            PRINT_JOB,
            f"/printers/{queue}",
            [
                (_URI, "printer-uri", self.printer_uri(queue)),
                (_NAME, "requesting-user-name", self.user),
                (_NAME, "job-name", title),
                (_MIME, "document-format", document_format),
            ],
            data,
            job_attrs=options,
        )
        return int(response.first(_JOB)["job-id"][0])

    def jobs(self, queue: str, which: str, names: list[str]) -> list[dict[str, list[Any]]]:
        response = self.request(
            GET_JOBS,
            f"/printers/{queue}",
            [
                (_URI, "printer-uri", self.printer_uri(queue)),
                (_NAME, "requesting-user-name", self.user),
                (_KEYWORD, "which-jobs", which),
                (_BOOLEAN, "my-jobs", True),
                (_KEYWORD, "requested-attributes", names),
            ],
        )
        return response.all(_JOB)

    def job_attributes(self, job_id: int, names: list[str]) -> dict[str, list[Any]]:
        response = self.request(
            GET_JOB_ATTRIBUTES,
            "/jobs/",
            [
                (_URI, "job-uri", f"ipp://localhost/jobs/{job_id}"),
                (_NAME, "requesting-user-name", self.user),
                (_KEYWORD, "requested-attributes", names),
            ],
        )
        return response.first(_JOB)

    def purge_job(self, job_id: int) -> None:
        """Cancel-Job with purge-job: removes the job's files and history, whatever its state."""
        self.request(
            CANCEL_JOB,
            "/jobs/",
            [
                (_URI, "job-uri", f"ipp://localhost/jobs/{job_id}"),
                (_NAME, "requesting-user-name", self.user),
                (_BOOLEAN, "purge-job", True),
            ],
        )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "kinxpro"


IPP_TAGS = {"integer": _INTEGER, "boolean": _BOOLEAN, "keyword": _KEYWORD, "name": _NAME}
