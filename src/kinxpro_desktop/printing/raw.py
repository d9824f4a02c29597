"""Raw bytes straight to a printer: a networked Zebra's port 9100, or the Windows spooler.

The socket path is the fallback for when CUPS drops raw queues (apple/cups#5271,
OpenPrinting/cups#1210). The Windows path (``win32print``, RAW datatype) is guarded: it runs
only where pywin32 is importable and is not exercised by this suite (no Windows CI).
"""

from __future__ import annotations

import importlib
import re
import socket
from typing import Any
from urllib.parse import urlsplit

from kinxpro_desktop.core.printing import PrintFailed, PrintJob

_SOCKET_TARGET = re.compile(
    r"^(socket://)?(?P<host>[A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):(?P<port>\d+)$"
)
PRINTER_ATTRIBUTE_KEEPPRINTEDJOBS = 0x00000100


def socket_target(name: str) -> tuple[str, int] | None:
    """("host", port) for "socket://host:9100" or "host:9100"; None for a queue name."""
    match = _SOCKET_TARGET.match(name.strip())
    if not match:
        return None
    if name.startswith("socket://"):
        parts = urlsplit(name)
        return (parts.hostname or "", parts.port or 9100)
    return (match["host"].strip("[]"), int(match["port"]))


def label_count(data: bytes) -> int:
    """Labels in a ZPL stream (one ^XA…^XZ format each); at least 1 for anything sent."""
    return max(1, data.upper().count(b"^XZ"))


def send_socket(name: str, data: bytes, *, timeout: float = 10.0) -> PrintJob:
    target = socket_target(name)
    if target is None:
        raise PrintFailed(f"{name!r} is not a printer address: use socket://HOST:9100.")
    host, port = target
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(2.0)
            try:  # let the printer read everything before the connection closes
                while conn.recv(4096):
                    pass
            except (TimeoutError, OSError):
                pass
    except OSError as exc:
        raise PrintFailed(
            f"Cannot reach the printer at {host}:{port} ({exc.strerror or exc}). Check that it "
            "is on, on the network, and that the address is right; nothing was printed."
        ) from None
    return PrintJob(
        job_id=f"socket-{host}:{port}",
        queue=name,
        bytes_sent=len(data),
        pages=label_count(data),
        completed=True,
        purged=True,  # nothing is spooled on this machine
    )


def _win32print() -> Any | None:
    try:
        return importlib.import_module("win32print")
    except ImportError:
        return None


def send_windows(printer: str, data: bytes, *, title: str) -> PrintJob:  # pragma: no cover
    """The Windows spooler in RAW mode (OpenPrinter, StartDocPrinter RAW, WritePrinter)."""
    win32print = _win32print()
    if win32print is None:
        raise PrintFailed(
            "Raw printing on Windows needs the pywin32 package; reinstall Kinxpro Desktop."
        )
    try:
        handle = win32print.OpenPrinter(printer)
    except Exception:
        raise PrintFailed.no_such_printer(printer, []) from None
    try:
        job = win32print.StartDocPrinter(handle, 1, (title, None, "RAW"))
        try:
            win32print.StartPagePrinter(handle)
            written = win32print.WritePrinter(handle, data)
            win32print.EndPagePrinter(handle)
        finally:
            win32print.EndDocPrinter(handle)
    finally:
        win32print.ClosePrinter(handle)
    return PrintJob(
        job_id=str(job), queue=printer, bytes_sent=int(written), pages=label_count(data)
    )


def windows_keeps_printed(printer: str) -> bool:  # pragma: no cover
    """True when the queue has "Keep printed documents" on (PRINTER_ATTRIBUTE_KEEPPRINTEDJOBS)."""
    win32print = _win32print()
    if win32print is None:
        return False
    try:
        handle = win32print.OpenPrinter(printer)
        try:
            info = win32print.GetPrinter(handle, 2)
        finally:
            win32print.ClosePrinter(handle)
    except Exception:
        return False
    return bool(int(info.get("Attributes", 0)) & PRINTER_ATTRIBUTE_KEEPPRINTEDJOBS)
