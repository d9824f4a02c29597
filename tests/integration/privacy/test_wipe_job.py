"""Wipe while closed: the job definitions for each OS, installed into a private HOME on Linux,
and the service's ExecStart run for real against a keyring data folder."""

from __future__ import annotations

import configparser
import os
import plistlib
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kinxpro_desktop.core.retention import is_past_window
from kinxpro_desktop.paths import resolve_paths
from kinxpro_desktop.services.session import StoreLocation, open_session
from kinxpro_desktop.services.wipe_job import (
    TASK_NS,
    WipeJob,
    WipeJobError,
    job_command,
    last_run,
    refuse_passphrase_mode,
)
from tests.support.seed import make_orders, store_seeded

NOW = datetime.now(UTC)


def private_env(tmp_path: Path) -> dict[str, str]:
    """A HOME and XDG dirs of the test's own; no session bus, so no real systemd is reached."""
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_RUNTIME_DIR": str(runtime),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }


def unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def exec_argv(exec_start: str) -> list[str]:
    """systemd's ExecStart words: specifiers `%%` and `$$` undone, then the quoting."""
    return shlex.split(exec_start.replace("%%", "%").replace("$$", "$"))


def test_systemd_units_run_the_wipe_daily_with_a_quoted_path(tmp_path: Path) -> None:
    data = tmp_path / "my data 100%"
    job = WipeJob(data, system="linux", env=private_env(tmp_path))
    service_file, timer_file = job.definitions()
    assert service_file.path.parent == tmp_path / "home" / ".config" / "systemd" / "user"
    service = unit(service_file.content.decode())
    timer = unit(timer_file.content.decode())
    assert service["Service"]["Type"] == "oneshot"
    assert exec_argv(service["Service"]["ExecStart"]) == job_command(data)
    assert job_command(data)[-4:] == ["--data-dir", str(data.resolve()), "wipe", "--scheduled"]
    assert timer["Timer"]["OnCalendar"] == "*-*-* 03:00:00"
    assert timer["Timer"]["Persistent"] == "true"  # a missed day runs at the next boot
    assert timer["Timer"]["Unit"] == service_file.path.name
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_launchd_agent_runs_the_same_command_daily(tmp_path: Path) -> None:
    data = tmp_path / "d"
    job = WipeJob(data, system="macos", env={"HOME": str(tmp_path / "home")})
    (agent,) = job.definitions()
    assert agent.path.parent == tmp_path / "home" / "Library" / "LaunchAgents"
    plist = plistlib.loads(agent.content)
    assert plist["Label"] == job.label() == agent.path.stem
    assert plist["ProgramArguments"] == job_command(data)
    assert plist["StartCalendarInterval"] == {"Hour": 3, "Minute": 0}
    assert plist["RunAtLoad"] is False


def test_task_scheduler_xml_runs_the_same_command_daily(tmp_path: Path) -> None:
    data = tmp_path / "C data"
    job = WipeJob(
        data,
        system="windows",
        env={},
        now=lambda: datetime(2026, 12, 1, 15, 30),
    )
    (task,) = job.definitions()
    assert task.content.startswith(b"\xff\xfe")  # UTF-16 with a BOM, as schtasks /XML reads it
    root = ET.fromstring(task.content.decode("utf-16"))  # noqa: S314 (our own output)
    ns = {"t": TASK_NS}
    trigger = root.find("t:Triggers/t:CalendarTrigger", ns)
    assert trigger is not None
    assert trigger.findtext("t:StartBoundary", namespaces=ns) == "2026-12-01T03:00:00"
    assert trigger.findtext("t:ScheduleByDay/t:DaysInterval", namespaces=ns) == "1"
    assert root.findtext("t:Settings/t:StartWhenAvailable", namespaces=ns) == "true"
    assert root.findtext("t:Principals/t:Principal/t:LogonType", namespaces=ns) == (
        "InteractiveToken"
    )
    command = root.findtext("t:Actions/t:Exec/t:Command", namespaces=ns)
    arguments = root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns)
    assert command == job_command(data)[0]
    assert arguments == subprocess.list2cmdline(job_command(data)[1:])
    assert f'"{data.resolve()}"' in arguments  # the path with a space stays one argument


def test_linux_install_without_user_systemd_writes_files_and_says_how(tmp_path: Path) -> None:
    env = private_env(tmp_path)
    job = WipeJob(tmp_path / "d", system="linux", env=env)
    assert not job.user_systemd_reachable()
    outcome = job.install()
    assert outcome.installed and not outcome.active
    assert all(p.is_file() for p in outcome.files) and len(outcome.files) == 2
    assert f"systemctl --user enable --now {job.name}.timer" in outcome.message
    status = job.status()
    assert status.installed and status.files == outcome.files
    removed = job.remove()
    assert not any(p.exists() for p in outcome.files)
    assert removed.files == outcome.files
    assert not job.status().installed


def test_passphrase_mode_is_refused_with_what_to_do() -> None:
    with pytest.raises(WipeJobError) as err:
        refuse_passphrase_mode("passphrase")
    assert "--key-source keyring" in err.value.message
    refuse_passphrase_mode("keyring")


@pytest.mark.keyring
def test_installed_service_runs_the_wipe_for_real(
    secret_service_env: dict[str, str], tmp_path: Path
) -> None:
    paths = resolve_paths(tmp_path / "data")
    paths.ensure()
    open_session(StoreLocation.of(paths)).close()  # a keyring-mode store

    # `wipe-job install` through the CLI, in the private HOME the keyring fixture made.
    child_env = {**os.environ, **secret_service_env}
    child_env.pop("KINXPRO_PASSPHRASE", None)
    cli = [sys.executable, "-m", "kinxpro_desktop", "--data-dir", str(paths.data_dir)]
    installed = subprocess.run(
        [*cli, "wipe-job", "install"], env=child_env, capture_output=True, text=True, timeout=120
    )
    assert installed.returncode == 0, installed.stderr
    assert "systemctl --user enable --now" in installed.stdout  # no user systemd here
    job = WipeJob(paths.data_dir, system="linux", env=secret_service_env)
    service_file = job.definitions()[0].path
    assert service_file.is_file()

    # Buyer data stored after the install (every command wipes at start).
    session = open_session(StoreLocation.of(paths))
    seeded = make_orders(NOW, count=40, days=60)
    store_seeded(session.db, seeded)
    old = [o.order_id for o in seeded.orders if is_past_window(o.purchase_date, NOW, 30)]
    assert old and session.db.orders.count_with_pii() == 40
    session.close()

    argv = exec_argv(unit(service_file.read_text())["Service"]["ExecStart"])
    ran = subprocess.run(argv, env=child_env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert f"deleted buyer data of {len(old)} orders" in ran.stdout

    status = subprocess.run(
        [*cli, "wipe-job", "status"], env=child_env, capture_output=True, text=True, timeout=120
    )
    assert status.returncode == 0, status.stderr
    assert "written but not registered" in status.stdout
    assert f"buyer data of {len(old)} orders" in status.stdout

    session = open_session(StoreLocation.of(paths))
    try:
        assert session.db.orders.count_with_pii() == 40 - len(old)
        run = last_run(session.db)
        assert run is not None and run.orders == len(old)
        entry = session.db.audit.latest("wipe_job_run")
        assert entry is not None and entry.actor == "wipe-job"
        assert session.db.audit.verify().ok
    finally:
        session.close()

    removed = subprocess.run(
        [*cli, "wipe-job", "remove"], env=child_env, capture_output=True, text=True, timeout=120
    )
    assert removed.returncode == 0, removed.stderr
    assert not service_file.exists()


def test_windows_checkout_runs_without_a_console_window(tmp_path: Path) -> None:
    scripts = tmp_path / "Scripts"
    scripts.mkdir()
    for name in ("python.exe", "pythonw.exe"):
        (scripts / name).write_bytes(b"")
    command = job_command(tmp_path / "d", executable=str(scripts / "python.exe"), frozen=False)
    assert command[:3] == [str(scripts / "pythonw.exe"), "-m", "kinxpro_desktop"]
    frozen = job_command(tmp_path / "d", executable=str(tmp_path / "Kinxpro.exe"), frozen=True)
    assert frozen[:2] == [str(tmp_path / "Kinxpro.exe"), "--data-dir"]
