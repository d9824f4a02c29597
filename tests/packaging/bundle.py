"""Build the PyInstaller bundle and run it: shared by tests/packaging and bench/bench_package.py.

Nothing here imports the app: the bundle is exercised only as a user would run it.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "kinxpro-desktop.spec"
APP = "kinxpro-desktop"
SIZE_LIMIT_BYTES = 250 * 1000 * 1000  # issue 5: under 250 MB unpacked (decimal MB, the stricter)

# Steps the smoke test must report (prefixes of its "ok  ..." lines). The keyring line names the
# backend: anything but SecretService would mean the bundle lost keyring's D-Bus backend.
SMOKE_STEPS = (
    "ok  keyring round trip (SecretService)",
    "ok  encrypted store opened, migrated, wiped",
    "ok  demo simulator started, one sync run",
    "ok  PDF rendered",
    "ok  main window built offscreen",
)
SMOKE_DONE = re.compile(r"^smoke test passed in (?P<s>\d+(\.\d+)?) s$")
# stderr lines the bundled app may print without failing the test. Empty on purpose: add a
# pattern only with a comment saying where the line comes from and why it is harmless.
ALLOWED_STDERR: tuple[re.Pattern[str], ...] = ()


class BuildFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Bundle:
    folder: Path  # dist/kinxpro-desktop
    seconds: float  # build wall time
    log: str

    @property
    def exe(self) -> Path:
        return self.folder / (APP + (".exe" if sys.platform == "win32" else ""))


def build(out_dir: Path, *, clean: bool = False, timeout: float = 900) -> Bundle:
    """Run PyInstaller on the spec with dist/ and build/ under out_dir (not the checkout's)."""
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--distpath",
        str(out_dir / "dist"),
        "--workpath",
        str(out_dir / "build"),
        str(SPEC),
    ]
    if clean:
        cmd.insert(3, "--clean")
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    seconds = time.perf_counter() - t0
    log = proc.stdout + proc.stderr
    folder = out_dir / "dist" / APP
    if proc.returncode != 0 or not folder.is_dir():
        tail = "\n".join(log.splitlines()[-40:])
        raise BuildFailed(f"PyInstaller exited {proc.returncode}:\n{tail}")
    return Bundle(folder, seconds, log)


def unpacked_size(folder: Path) -> int:
    """Bytes of every file in the folder as installed (symlinks count as links, not targets)."""
    total = 0
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run(cmd: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 120) -> Run:
    t0 = time.perf_counter()
    proc = subprocess.run(
        list(cmd),
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0)


def unexpected_stderr(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if line.strip() and not any(p.search(line) for p in ALLOWED_STDERR)
    ]


def smoke_problems(stdout: str) -> list[str]:
    """What is wrong with the smoke test's report, or [] when every step is there."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    problems = [
        f"missing step: {step!r}"
        for step in SMOKE_STEPS
        if not any(line.startswith(step) for line in lines)
    ]
    if not lines or not SMOKE_DONE.match(lines[-1]):
        problems.append("last line is not 'smoke test passed in N s'")
    problems += [f"unexpected line: {line!r}" for line in lines[:-1] if not line.startswith("ok  ")]
    return problems


def missing_x_tools() -> list[str]:
    return [t for t in ("Xvfb",) if shutil.which(t) is None]


@contextmanager
def xvfb(screen: str = "1280x800x24") -> Iterator[str]:
    """A private X server; yields its DISPLAY (picked by Xvfb itself, so runs never collide).

    -noreset: by default the server resets whenever its last client disconnects, and refuses
    connections meanwhile; a client that connects during a reset fails.
    """
    read_fd, write_fd = os.pipe()
    args = ["-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp", "-noreset"]
    proc = subprocess.Popen(
        ["Xvfb", *args],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        number = b""
        deadline = time.monotonic() + 15
        while not number.endswith(b"\n"):
            ready, _w, _x = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_fd, 16) if ready else b""
            if not chunk:
                raise RuntimeError("Xvfb did not report a display number")
            number += chunk
        yield f":{number.decode().strip()}"
    finally:
        os.close(read_fd)
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
