"""A private CUPS daemon for printing tests: its own ServerRoot, spool, logs and unix socket.

Two queues: a cups-pdf queue that writes each job as a PDF into ``pdf_dir`` (so tests can
measure the page size and extract the text), and a raw queue on ``socket://127.0.0.1:PORT``
with a small TCP listener standing in for a networked Zebra. The spool keeps job files
(``PreserveJobFiles Yes``), so a test can prove that the app purges its own jobs.

Nothing of the machine's own CUPS is touched, except the one file cups-pdf insists on:
``/etc/cups/cups-pdf-QUEUE.conf`` (written at start, removed at stop, name unique per run).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED = ("cupsd", "lp", "lpstat", "lpadmin", "cancel", "pdftotext", "pdfinfo")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")


def missing_tools() -> list[str]:
    missing = [t for t in REQUIRED if shutil.which(t) is None]
    if not CUPS_PDF_PPD.exists() or not CUPS_PDF_BACKEND.exists():
        missing.append("printer-driver-cups-pdf")
    return missing


class ZebraListener:
    """A TCP server on 127.0.0.1 that records every connection's bytes (one job each)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="zebra-listener", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                chunks: list[bytes] = []
                try:
                    while chunk := conn.recv(65536):
                        chunks.append(chunk)
                except OSError:
                    pass
            with self._changed:
                self.jobs.append(b"".join(chunks))
                self._changed.notify_all()

    def wait_jobs(self, count: int, timeout: float = 20.0) -> list[bytes]:
        """Wait until at least ``count`` connections were received; return all of them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.jobs) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"listener got {len(self.jobs)} of {count} jobs")
                self._changed.wait(left)
            return list(self.jobs)

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(timeout=5)


@dataclass
class PrivateCups:
    root: Path
    env: dict[str, str]
    pdf_queue: str
    raw_queue: str
    pdf_dir: Path
    spool_dir: Path
    listener: ZebraListener
    _seen_pdfs: set[Path] = field(default_factory=set)

    @property
    def server(self) -> str:
        return self.env["CUPS_SERVER"]

    def run(self, *args: str, stdin: bytes | None = None) -> str:
        out = subprocess.run(
            list(args), env=self.env, input=stdin, capture_output=True, timeout=30, check=False
        )
        if out.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {out.stderr.decode(errors='replace')}")
        return out.stdout.decode(errors="replace")

    def wait_idle(self, queue: str, timeout: float = 30.0) -> None:
        """Wait until the queue has no pending or processing job."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.run("lpstat", "-o", queue).strip():
                return
            time.sleep(0.1)
        raise TimeoutError(f"queue {queue} still busy: {self.run('lpstat', '-o', queue)}")

    def new_pdfs(self, count: int = 1, timeout: float = 30.0) -> list[Path]:
        """PDFs cups-pdf wrote since the last call (its file names are odd: found by wildcard)."""
        deadline = time.monotonic() + timeout
        while True:
            found = sorted(
                (p for p in self.pdf_dir.rglob("*.pdf") if p not in self._seen_pdfs),
                key=lambda p: p.stat().st_mtime,
            )
            # cups-pdf writes the file and then closes it; a size that holds still is done
            if len(found) >= count and all(_stable(p) for p in found):
                self._seen_pdfs.update(found)
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"cups-pdf wrote {len(found)} of {count} PDFs")
            time.sleep(0.1)

    def spool_files(self) -> list[Path]:
        return [p for p in self.spool_dir.rglob("*") if p.is_file()]

    def spool_hits(self, *needles: bytes) -> list[str]:
        """Spool files (and the daemon's temp dir) whose bytes contain any of the needles."""
        hits: list[str] = []
        for base in (self.spool_dir, self.root / "tmp"):
            for path in base.rglob("*"):
                if not path.is_file():
                    continue
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                hits += [f"{path.name}: {n!r}" for n in needles if n and n in data]
        return hits


def _stable(path: Path) -> bool:
    size = path.stat().st_size
    time.sleep(0.05)
    return size > 0 and path.stat().st_size == size


def _write_config(root: Path) -> tuple[Path, Path]:
    for sub in ("etc", "spool", "spool/tmp", "tmp", "cache", "state", "log", "pdf"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    # filters and cups-pdf run as lp: they need to reach the spool and the output dir
    for sub in ("", "spool", "spool/tmp", "tmp", "pdf"):
        os.chmod(root / sub, 0o777 if sub in ("tmp", "pdf", "spool/tmp") else 0o755)
    sock = root / "cups.sock"
    cupsd_conf = root / "etc" / "cupsd.conf"
    cupsd_conf.write_text(
        f"""LogLevel warn
Listen {sock}
Browsing No
BrowseLocalProtocols none
WebInterface No
DefaultAuthType None
PreserveJobFiles Yes
PreserveJobHistory Yes
MaxJobs 0
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
    )
    files_conf = root / "etc" / "cups-files.conf"
    files_conf.write_text(
        f"""ServerRoot {root / "etc"}
RequestRoot {root / "spool"}
TempDir {root / "tmp"}
CacheDir {root / "cache"}
StateDir {root / "state"}
AccessLog {root / "log" / "access_log"}
ErrorLog {root / "log" / "error_log"}
PageLog {root / "log" / "page_log"}
SystemGroup root
FileDevice No
"""
    )
    return cupsd_conf, files_conf


@contextmanager
def private_cups(root: Path, *, name: str = "kx") -> Iterator[PrivateCups]:
    """Start a private cupsd with a cups-pdf queue and a raw socket queue; stop it after."""
    root.mkdir(parents=True, exist_ok=True)
    cupsd_conf, files_conf = _write_config(root)
    env = {**os.environ, "CUPS_SERVER": str(root / "cups.sock")}
    env.pop("PRINTER", None)
    env.pop("LPDEST", None)
    if sys.platform.startswith("linux"):
        _remove_stale_configs()
    tag = f"{name}{os.getpid()}"
    pdf_queue, raw_queue = f"{tag}_pdf", f"{tag}_zebra"
    cups_pdf_conf = Path(f"/etc/cups/cups-pdf-{pdf_queue}.conf")
    cups_pdf_conf.write_text(
        f"Out {root / 'pdf'}\nAnonDirName {root / 'pdf'}\nLabel 0\nGrp root\nLog {root / 'log'}\n"
    )
    listener = ZebraListener()
    daemon = subprocess.Popen(
        ["cupsd", "-f", "-c", str(cupsd_conf), "-s", str(files_conf)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_die_with_parent,  # a killed test run (timeout) leaves no daemon behind
    )
    cups = PrivateCups(
        root=root,
        env=env,
        pdf_queue=pdf_queue,
        raw_queue=raw_queue,
        pdf_dir=root / "pdf",
        spool_dir=root / "spool",
        listener=listener,
    )
    try:
        _wait_ready(cups, daemon)
        ppd = str(CUPS_PDF_PPD)
        cups.run("lpadmin", "-p", pdf_queue, "-E", "-v", f"cups-pdf:/{pdf_queue}", "-P", ppd)
        cups.run(
            "lpadmin",
            "-p",
            raw_queue,
            "-E",
            "-v",
            f"socket://127.0.0.1:{listener.port}",
            "-m",
            "raw",
        )
        cups.run("lpadmin", "-d", pdf_queue)
        yield cups
    finally:
        _stop(daemon)
        listener.close()
        cups_pdf_conf.unlink(missing_ok=True)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the process that started it dies (Linux)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _remove_stale_configs() -> None:
    """cups-pdf configs this module wrote for test runs that were killed before cleaning up."""
    for conf in Path("/etc/cups").glob("cups-pdf-*_pdf.conf"):
        match = re.fullmatch(r"cups-pdf-[a-z]+(\d+)_pdf\.conf", conf.name)
        if match and not Path(f"/proc/{match[1]}").exists():
            conf.unlink(missing_ok=True)


def _wait_ready(cups: PrivateCups, daemon: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            err = daemon.stderr.read().decode(errors="replace") if daemon.stderr else ""
            log = cups.root / "log" / "error_log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"cupsd exited with {daemon.returncode}: {err} {tail}")
        probe = subprocess.run(
            ["lpstat", "-r"], env=cups.env, capture_output=True, text=True, check=False, timeout=5
        )
        if "is running" in probe.stdout and "not" not in probe.stdout:
            return
        time.sleep(0.05)
    raise TimeoutError("private cupsd did not answer within 15 s")


def _stop(daemon: subprocess.Popen[bytes]) -> None:
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(timeout=5)
    # filters still running (a stuck ghostscript) die with the daemon's process group
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(daemon.pid, signal.SIGKILL)
    if daemon.stderr is not None:
        daemon.stderr.close()
