"""Packaging: build time, bundle size, smoke-test wall time, cold start to a shown window.

    python bench/bench_package.py [--bundle DIST/kinxpro-desktop] [--runs N]

How each figure is taken (all on this machine, page cache warm: the bundle was just built or
read; a first launch after a reboot reads ~170 MB from disk and will be slower):

- Build time: wall time of PyInstaller on packaging/kinxpro-desktop.spec into a temp folder,
  once with --clean (PyInstaller's cache emptied first: what `make package` does) and once
  more without it (cached binary analysis and stripped copies reused: what the frozen test
  does). Skipped with --bundle, which measures an existing bundle instead.
- Bundle size: bytes of every file in dist/kinxpro-desktop (symlinks as links), in MB (10^6,
  the unit of the 250 MB goal) and MiB.
- Smoke test: wall time from spawning `kinxpro-desktop --smoke-test` to its exit, offscreen,
  against a private gnome-keyring over a private D-Bus session; median of N runs, and the
  smoke test's own total (which starts after the interpreter and imports are up).
- Cold start to a shown window: the real GUI path (`kinxpro-desktop --data-dir DIR`: keyring
  unlock on the task runner, migrations, retention wipe, MainWindow.show()) on a private Xvfb
  with the xcb plugin, timed from process spawn until the X server reports the top-level
  window titled "Kinxpro Desktop" as mapped (`xwininfo -name ...` shows IsViewable), polled
  every 10 ms, so figures carry ~10-20 ms of polling error. "First launch" uses a new data
  folder (creates the database key in the keyring and the encrypted database); "next launch"
  reuses it (median of N). The app is then terminated (SIGTERM). The same is measured for the
  venv's entry point for comparison. Needs Xvfb and xwininfo (x11-utils); skipped without.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.packaging import bundle as b  # noqa: E402
from tests.support.secret_service import missing_tools, secret_service  # noqa: E402

WINDOW_TITLE = "Kinxpro Desktop"
POLL_S = 0.01
WINDOW_TIMEOUT_S = 30.0


class NoWindow(Exception):
    pass


def smoke_runs(exe: Path, runs: int, work: Path) -> tuple[list[float], list[float]]:
    walls, inner = [], []
    with secret_service(work / "keyring") as env:
        env["QT_QPA_PLATFORM"] = "offscreen"
        for _ in range(runs):
            result = b.run([str(exe), "--smoke-test"], env, cwd=work)
            if result.returncode != 0 or b.smoke_problems(result.stdout):
                raise SystemExit(f"smoke test failed:\n{result.stdout}\n{result.stderr}")
            walls.append(result.seconds)
            last = result.stdout.strip().splitlines()[-1]
            match = b.SMOKE_DONE.match(last)
            if match:
                inner.append(float(match.group("s")))
    return walls, inner


def window_mapped(display: str) -> bool:
    """A window titled WINDOW_TITLE is viewable. Every window with that title is checked:
    Qt's xcb client-leader window (1x1, never mapped) carries the application's name too,
    and `xwininfo -name` answers with whichever of the two it meets first."""
    tree = subprocess.run(
        ["xwininfo", "-display", display, "-root", "-tree"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    ids = re.findall(rf'^\s*(0x[0-9a-f]+) "{re.escape(WINDOW_TITLE)}":', tree, re.MULTILINE)
    for window_id in ids:
        out = subprocess.run(
            ["xwininfo", "-display", display, "-id", window_id],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode == 0 and "IsViewable" in out.stdout:
            return True
    return False


def time_to_window(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not window_mapped(env["DISPLAY"]):
            if proc.poll() is not None:
                err = proc.stderr.read() if proc.stderr else ""
                raise NoWindow(f"exited {proc.returncode} without a window\n{err}")
            if time.perf_counter() - t0 > WINDOW_TIMEOUT_S:
                raise NoWindow(f"no window titled {WINDOW_TITLE!r} after {WINDOW_TIMEOUT_S} s")
            time.sleep(POLL_S)
        return time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def cold_starts(label: str, cmd: Sequence[str], runs: int, work: Path) -> None:
    data = work / f"data-{label}"
    with b.xvfb() as display, secret_service(work / f"keyring-{label}") as env:
        env["QT_QPA_PLATFORM"] = "xcb"
        env["DISPLAY"] = display
        full = [*cmd, "--data-dir", str(data)]
        try:
            first = time_to_window(full, env, work)
            nexts = [time_to_window(full, env, work) for _ in range(runs)]
        except NoWindow as exc:
            print(f"  {label:<8} failed: {exc}")
            for log in sorted((data / "logs").glob("*.log")):
                print("\n".join(log.read_text(errors="replace").splitlines()[-8:]))
            return
    print(
        f"  {label:<8} first launch (new data folder) {first:.2f} s; next launch median "
        f"{statistics.median(nexts):.2f} s (min {min(nexts):.2f}, max {max(nexts):.2f}, "
        f"{runs} runs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="measure this dist/kinxpro-desktop folder")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if missing_tools():
        print(f"skipped: the keyring round trip needs {', '.join(missing_tools())}")
        return 0
    with tempfile.TemporaryDirectory(prefix="kinxpro-bench-package-") as tmp:
        work = Path(tmp)
        if args.bundle:
            folder = args.bundle.resolve()
        else:
            clean = b.build(work / "clean", clean=True)
            again = b.build(work / "again")
            folder = again.folder
            print(f"build time: {clean.seconds:.1f} s with --clean (make package), ", end="")
            print(f"{again.seconds:.1f} s with PyInstaller's cache warm")
        exe = folder / b.APP
        size = b.unpacked_size(folder)
        print(f"bundle size: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB) unpacked in {folder}")

        walls, inner = smoke_runs(exe, args.runs, work)
        print(
            f"smoke test: {statistics.median(walls):.2f} s wall, median of {len(walls)} "
            f"(min {min(walls):.2f}, max {max(walls):.2f}); the app's own total "
            f"{statistics.median(inner):.2f} s"
        )

        missing = [t for t in ("Xvfb", "xwininfo") if shutil.which(t) is None]
        if missing:
            print(f"cold start to a shown window: skipped ({', '.join(missing)} not installed)")
            return 0
        print("cold start to a shown window (spawn -> top-level window mapped on Xvfb):")
        cold_starts("bundle", [str(exe)], args.runs, work)
        venv_exe = Path(sys.executable).parent / b.APP
        if venv_exe.exists():
            cold_starts("venv", [str(venv_exe)], args.runs, work)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    sys.exit(main())
