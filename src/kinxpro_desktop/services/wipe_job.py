"""Wipe while closed: a daily operating-system job that runs `kinxpro-desktop wipe`.

Linux: a systemd user timer and service in `$XDG_CONFIG_HOME/systemd/user/`, enabled with
`systemctl --user enable --now` when a user systemd is reachable (otherwise the files are
written and the message says how to enable them). macOS: a launchd agent in
`~/Library/LaunchAgents`, loaded with `launchctl bootstrap`. Windows: a Task Scheduler task
created with `schtasks /Create /XML`. One job per data folder (its name carries a digest of
the folder's path). The job's command line holds no secret: it unlocks the store with the
keyring, as the app does; the run is recorded in the audit log by actor `wipe-job`.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import WipeResult
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.store.database import Database

RunResult = tuple[int, str]
Runner = Callable[[Sequence[str], Mapping[str, str]], RunResult]
JOB_HOUR = 3  # local time; a missed run happens at the next start of the machine/session
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
_SAFE = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


class WipeJobError(UserError):
    title = "Wipe while closed"


def job_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:10]
    return f"kinxpro-wipe-{digest}"


def job_command(
    data_dir: Path, *, executable: str | None = None, frozen: bool | None = None
) -> list[str]:
    """The command line the job runs (the checkout's interpreter, or the frozen app)."""
    exe = executable or sys.executable
    is_frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    windowless = Path(exe).with_name("pythonw.exe")
    if not is_frozen and Path(exe).name.lower() == "python.exe" and windowless.is_file():
        exe = str(windowless)  # no console window flashing up every night
    module = [] if is_frozen else ["-m", "kinxpro_desktop"]
    return [exe, *module, "--data-dir", str(data_dir.resolve()), "wipe", "--scheduled"]


def systemd_quote(arg: str) -> str:
    """One ExecStart word: double-quoted when needed; `%` and `$` doubled (specifiers)."""
    word = arg if _SAFE.match(arg) else '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word.replace("%", "%%").replace("$", "$$")


def systemd_units(command: Sequence[str], name: str) -> tuple[str, str]:
    """(service, timer) unit file texts."""
    exec_start = " ".join(systemd_quote(a) for a in command)
    service = (
        "[Unit]\n"
        "Description=Kinxpro Desktop: delete buyer data past the retention window\n"
        "Documentation=man:systemd.timer(5)\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={exec_start}\n"
        "Nice=10\n"
        "NoNewPrivileges=yes\n"
        "PrivateTmp=yes\n"
    )
    timer = (
        "[Unit]\n"
        "Description=Kinxpro Desktop: daily retention wipe (runs even when the app is closed)\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {JOB_HOUR:02d}:00:00\n"
        "Persistent=true\n"
        "RandomizedDelaySec=15min\n"
        f"Unit={name}.service\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return service, timer


def launchd_plist(command: Sequence[str], label: str, log_dir: Path) -> bytes:
    return plistlib.dumps(
        {
            "Label": label,
            "ProgramArguments": list(command),
            "StartCalendarInterval": {"Hour": JOB_HOUR, "Minute": 0},
            "RunAtLoad": False,
            "ProcessType": "Background",
            "LowPriorityIO": True,
            "StandardOutPath": str(log_dir / f"{label}.out.log"),
            "StandardErrorPath": str(log_dir / f"{label}.err.log"),
        }
    )


def task_xml(command: Sequence[str], name: str, start: datetime) -> str:
    """A Task Scheduler 1.2 definition: daily, run when missed, only while logged on (the
    Credential Manager that holds the key is reachable then)."""
    arguments = subprocess.list2cmdline(list(command[1:]))
    boundary = start.replace(hour=JOB_HOUR, minute=0, second=0, microsecond=0)
    return (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        f'<Task version="1.2" xmlns="{TASK_NS}">\n'
        "  <RegistrationInfo>\n"
        f"    <Description>Kinxpro Desktop: delete buyer data past the retention window "
        f"({escape(name)})</Description>\n"
        "  </RegistrationInfo>\n"
        "  <Triggers>\n"
        "    <CalendarTrigger>\n"
        f"      <StartBoundary>{boundary:%Y-%m-%dT%H:%M:%S}</StartBoundary>\n"
        "      <Enabled>true</Enabled>\n"
        "      <ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>\n"
        "    </CalendarTrigger>\n"
        "  </Triggers>\n"
        "  <Principals>\n"
        '    <Principal id="Author">\n'
        "      <LogonType>InteractiveToken</LogonType>\n"
        "      <RunLevel>LeastPrivilege</RunLevel>\n"
        "    </Principal>\n"
        "  </Principals>\n"
        "  <Settings>\n"
        "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n"
        "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\n"
        "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\n"
        "    <StartWhenAvailable>true</StartWhenAvailable>\n"
        "    <ExecutionTimeLimit>PT1H</ExecutionTimeLimit>\n"
        "    <Enabled>true</Enabled>\n"
        "  </Settings>\n"
        '  <Actions Context="Author">\n'
        "    <Exec>\n"
        f"      <Command>{escape(command[0])}</Command>\n"
        f"      <Arguments>{escape(arguments)}</Arguments>\n"
        "    </Exec>\n"
        "  </Actions>\n"
        "</Task>\n"
    )


def _run(argv: Sequence[str], env: Mapping[str, str]) -> RunResult:
    try:
        done = subprocess.run(
            list(argv),
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, type(exc).__name__
    return done.returncode, (done.stderr or done.stdout).strip()[:300]


@dataclass(frozen=True)
class JobFile:
    path: Path
    content: bytes


@dataclass(frozen=True)
class JobOutcome:
    installed: bool
    active: bool  # registered with the scheduler (enabled), not just written
    files: tuple[Path, ...]
    message: str


class WipeJob:
    """The job for one data folder on one operating system (injectable for tests)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        system: str | None = None,
        env: Mapping[str, str] | None = None,
        run: Runner = _run,
        command: Sequence[str] | None = None,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.data_dir = data_dir
        self.system = system or {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
        self._env = dict(os.environ if env is None else env)
        self._run = run
        self.command = list(command or job_command(data_dir))
        self.name = job_name(data_dir)
        self._now = now

    # -- where the definitions go -----------------------------------------------------------
    def _home(self) -> Path:
        return Path(self._env.get("HOME") or self._env.get("USERPROFILE") or Path.home())

    def folder(self) -> Path:
        if self.system == "linux":
            base = self._env.get("XDG_CONFIG_HOME") or str(self._home() / ".config")
            return Path(base) / "systemd" / "user"
        if self.system == "macos":
            return self._home() / "Library" / "LaunchAgents"
        return self.data_dir  # Windows: the XML handed to schtasks, kept for `status`

    def label(self) -> str:
        return f"com.kinxpro.{self.name}" if self.system == "macos" else self.name

    def definitions(self) -> list[JobFile]:
        folder = self.folder()
        if self.system == "linux":
            service, timer = systemd_units(self.command, self.name)
            return [
                JobFile(folder / f"{self.name}.service", service.encode()),
                JobFile(folder / f"{self.name}.timer", timer.encode()),
            ]
        if self.system == "macos":
            logs = self.data_dir / "logs"
            content = launchd_plist(self.command, self.label(), logs)
            return [JobFile(folder / f"{self.label()}.plist", content)]
        xml = task_xml(self.command, self.name, self._now())
        return [JobFile(folder / f"{self.name}.task.xml", xml.encode("utf-16"))]

    # -- install, remove, status ------------------------------------------------------------
    def install(self) -> JobOutcome:
        files = self.definitions()
        for f in files:
            try:
                f.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = f.path.with_name(f.path.name + ".part")
                tmp.write_bytes(f.content)
                os.replace(tmp, f.path)
            except OSError as exc:
                raise WipeJobError(
                    f"Cannot write {f.path} ({exc.strerror}). Make the folder writable and try "
                    "again; no job was registered."
                ) from None
        paths = tuple(f.path for f in files)
        rc, said = self._register(paths)
        if rc == 0:
            return JobOutcome(True, True, paths, f"Daily wipe job {self.label()} is registered.")
        return JobOutcome(True, False, paths, self._manual_enable(said))

    def _register(self, paths: tuple[Path, ...]) -> RunResult:
        if self.system == "linux":
            if not self.user_systemd_reachable():
                return 1, "no user systemd is reachable"
            rc, said = self._run(["systemctl", "--user", "daemon-reload"], self._env)
            if rc != 0:
                return rc, said
            return self._run(
                ["systemctl", "--user", "enable", "--now", f"{self.name}.timer"], self._env
            )
        if self.system == "macos":
            domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/501"
            self._run(["launchctl", "bootout", f"{domain}/{self.label()}"], self._env)
            return self._run(["launchctl", "bootstrap", domain, str(paths[0])], self._env)
        return self._run(
            ["schtasks", "/Create", "/F", "/TN", self._task_name(), "/XML", str(paths[0])],
            self._env,
        )

    def _task_name(self) -> str:
        return f"Kinxpro\\{self.name}"

    def _manual_enable(self, said: str) -> str:
        why = f" ({said})" if said else ""
        if self.system == "linux":
            return (
                f"The timer files are written to {self.folder()}, but no user systemd could "
                f"enable them{why}. Enable it from your desktop session with: systemctl --user "
                f"daemon-reload && systemctl --user enable --now {self.name}.timer"
            )
        if self.system == "macos":
            return (
                f"The agent is written to {self.definitions()[0].path}, but launchctl refused it"
                f"{why}. Load it with: launchctl bootstrap gui/$(id -u) "
                f"{self.definitions()[0].path}"
            )
        return (
            f"The task definition is written to {self.definitions()[0].path}, but schtasks "
            f'refused it{why}. Create it with: schtasks /Create /TN "{self._task_name()}" /XML '
            f'"{self.definitions()[0].path}"'
        )

    def user_systemd_reachable(self) -> bool:
        return self._run(["systemctl", "--user", "show-environment"], self._env)[0] == 0

    def remove(self) -> JobOutcome:
        files = [f.path for f in self.definitions()]
        if self.system == "linux" and self.user_systemd_reachable():
            self._run(["systemctl", "--user", "disable", "--now", f"{self.name}.timer"], self._env)
        elif self.system == "macos":
            domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/501"
            self._run(["launchctl", "bootout", f"{domain}/{self.label()}"], self._env)
        elif self.system == "windows":
            self._run(["schtasks", "/Delete", "/F", "/TN", self._task_name()], self._env)
        removed = []
        for path in files:
            if path.exists():
                try:
                    path.unlink()
                except OSError as exc:
                    raise WipeJobError(
                        f"Cannot remove {path} ({exc.strerror}); delete it by hand."
                    ) from None
                removed.append(path)
        if self.system == "linux" and self.user_systemd_reachable():
            self._run(["systemctl", "--user", "daemon-reload"], self._env)
        message = "The daily wipe job is removed." if removed else "No daily wipe job was set up."
        return JobOutcome(False, False, tuple(removed), message)

    def status(self) -> JobOutcome:
        files = tuple(f.path for f in self.definitions() if f.path.exists())
        if not files:
            return JobOutcome(False, False, (), "No daily wipe job is set up.")
        active = False
        if self.system == "linux" and self.user_systemd_reachable():
            active = (
                self._run(["systemctl", "--user", "is-enabled", f"{self.name}.timer"], self._env)[0]
                == 0
            )
        elif self.system == "macos":
            domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/501"
            active = (
                self._run(["launchctl", "print", f"{domain}/{self.label()}"], self._env)[0] == 0
            )
        elif self.system == "windows":
            active = self._run(["schtasks", "/Query", "/TN", self._task_name()], self._env)[0] == 0
        state = "registered" if active else "written but not registered with the scheduler"
        return JobOutcome(
            True, active, files, f"Daily wipe job {self.label()} at {JOB_HOUR:02d}:00: {state}."
        )


# -- the run, as the audit log records it ------------------------------------------------------
@dataclass(frozen=True)
class LastRun:
    at: datetime
    orders: int
    labels: int


def record_run(db: Database, wipe: WipeResult) -> None:
    """The scheduled `wipe` names its run (start-up already did the wipe itself)."""
    with db.transaction() as uow:
        uow.audit.append(
            AuditEvent.WIPE_JOB_RUN,
            Actor.WIPE_JOB,
            (),
            {
                "orders": wipe.orders_wiped,
                "labels": wipe.labels_wiped,
                "cutoff": wipe.cutoff.isoformat(),
            },
            at=wipe.at,
        )


def last_run(db: Database) -> LastRun | None:
    entry = db.audit.latest(AuditEvent.WIPE_JOB_RUN)
    if entry is None:
        return None
    orders, labels = entry.detail.get("orders"), entry.detail.get("labels")
    return LastRun(
        entry.at,
        orders if isinstance(orders, int) else 0,
        labels if isinstance(labels, int) else 0,
    )


def record_change(db: Database, action: str, outcome: JobOutcome, actor: str) -> None:
    with db.transaction() as uow:
        uow.audit.append(
            AuditEvent.WIPE_JOB,
            actor,
            (),
            {"action": action, "active": outcome.active, "files": len(outcome.files)},
        )


def refuse_passphrase_mode(key_mode: str) -> None:
    if key_mode == "passphrase":
        raise WipeJobError(
            "This database uses passphrase mode: a job that runs while Kinxpro is closed "
            "cannot unlock it without you typing the passphrase, and Kinxpro never stores it "
            "in a job file. Keep the key in the system keyring to use wipe while closed (new "
            "data folder with --key-source keyring), or open Kinxpro daily: it wipes at start "
            "and every 15 minutes. Nothing was installed."
        )
