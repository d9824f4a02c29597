"""The top-level CLI handler, Ctrl-C, core dumps and the passphrase in the environment."""

from __future__ import annotations

import os
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kinxpro_desktop import cli as cli_module
from kinxpro_desktop.core.passphrase import PASSPHRASE_ENV
from tests.integration.test_cli import PASS, cli

BUYER = "Jane Q. Buyer"


def allow_cores() -> None:
    """In the child: core files as large as the hard limit allows (`ulimit -c unlimited`)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


EMAIL = "jane.buyer@example.com"


def _sql_error_with_buyer_data() -> Exception:
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE pii (name TEXT UNIQUE, email TEXT)"))
        row = {"n": BUYER, "e": EMAIL}
        conn.execute(text("INSERT INTO pii VALUES (:n, :e)"), row)
        try:
            conn.execute(text("INSERT INTO pii VALUES (:n, :e)"), row)
        except Exception as exc:
            return exc
    raise AssertionError("no error")


def test_unexpected_error_is_one_line_and_a_redacted_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv(PASSPHRASE_ENV, PASS)
    error = _sql_error_with_buyer_data()

    def broken(_started: object) -> int:
        raise error

    monkeypatch.setattr(cli_module, "cmd_wipe", broken)
    rc = cli_module.main(["--data-dir", str(data), "--key-source", "passphrase", "wipe"])
    out = capsys.readouterr()
    assert rc == 1
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    log_file = data / "logs" / "kinxpro-desktop.log"
    assert "IntegrityError" in lines[0] and str(log_file) in lines[0]
    assert BUYER not in out.err + out.out and EMAIL not in out.err
    logged = log_file.read_text()
    assert "Traceback" in logged and "IntegrityError" in logged
    assert BUYER not in logged and EMAIL not in logged
    assert "[parameters: not logged]" in logged


def test_ctrl_c_during_sync_ends_cleanly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != PASSPHRASE_ENV}
    env.update(PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", **{PASSPHRASE_ENV: PASS})
    argv = [sys.executable, "-m", "kinxpro_desktop", "--data-dir", str(tmp_path / "d")]
    proc = subprocess.Popen(
        [*argv, "--key-source", "passphrase", "sync", "--demo"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        ready, _w, _x = select.select([proc.stderr], [], [], 1.0)
        if not ready:
            continue
        line = proc.stderr.readline()
        seen.append(line)
        if line.startswith("sync: "):
            break
    assert any(line.startswith("sync: ") for line in seen), "".join(seen)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, "".join(seen) + err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = err.strip().splitlines()
    # One closing line (from the sync runner or the top-level handler), nothing after it.
    assert "interrupted" in lines[-1], err
    assert sum("interrupted" in line for line in lines) == 1, err
    # The store still opens and the next run completes.
    again = cli(tmp_path / "d", "sync", "--demo")
    assert again.returncode == 0, again.stderr


def test_core_dumps_are_disabled_in_a_running_command(tmp_path: Path) -> None:
    if not Path("/proc/self/limits").exists():
        pytest.skip("needs /proc (Linux)")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kinxpro_desktop", "sandbox", "--orders", "1", "--listings", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=allow_cores,
    )
    try:
        assert proc.stdout is not None
        assert "listening" in proc.stdout.readline()
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    core = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
    assert core.split()[4:6] == ["0", "0"], core


CRASH = "import os, signal; {harden}os.kill(os.getpid(), signal.SIGSEGV)"


def _crash(tmp_path: Path, harden: bool) -> list[str]:
    work = tmp_path / ("hardened" if harden else "plain")
    work.mkdir()
    code = CRASH.format(
        harden="from kinxpro_desktop.hardening import harden_process; harden_process(); "
        if harden
        else ""
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=work,
        preexec_fn=allow_cores,
        capture_output=True,
        check=False,
    )
    return [p.name for p in work.iterdir() if p.name.startswith("core")]


def test_a_crash_writes_no_core_file(tmp_path: Path) -> None:
    pattern = Path("/proc/sys/kernel/core_pattern")
    if not pattern.exists() or pattern.read_text().strip() not in ("core", "core.%p"):
        pytest.skip("core files are not written to the working folder on this machine")
    if not _crash(tmp_path, harden=False):
        pytest.skip("this machine writes no core files even without hardening")
    assert _crash(tmp_path, harden=True) == []


def test_passphrase_is_taken_out_of_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv(PASSPHRASE_ENV, PASS)
    rc = cli_module.main(["--data-dir", str(tmp_path / "d"), "--key-source", "passphrase", "wipe"])
    assert rc == 0, capsys.readouterr().err
    assert PASSPHRASE_ENV not in os.environ
    # A child started now (a relaunch, a print job) does not inherit it.
    child = subprocess.run(
        [sys.executable, "-c", f"import os; print(os.environ.get({PASSPHRASE_ENV!r}, '-'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == "-"
