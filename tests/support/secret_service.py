"""A private, unlocked Secret Service (gnome-keyring over its own D-Bus session) for tests.

Nothing of the developer's own keyring is touched: HOME, XDG dirs and the bus are private.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEST_PASSWORD = b"kinxpro-test-keyring-password"
REQUIRED = ("dbus-daemon", "gnome-keyring-daemon", "dbus-send")


def missing_tools() -> list[str]:
    return [t for t in REQUIRED if shutil.which(t) is None]


def _name_has_owner(env: dict[str, str]) -> bool:
    out = subprocess.run(
        [
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return "boolean true" in out.stdout


@contextmanager
def secret_service(root: Path, *, unlock: bool = True) -> Iterator[dict[str, str]]:
    """Yield environment variables that point keyring at a private gnome-keyring."""
    home = root / "home"
    runtime = root / "run"
    for d in (home, runtime, home / ".local" / "share", home / ".config", home / ".cache"):
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    bus = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--nopidfile",
            f"--address=unix:path={runtime / 'bus'}",
            "--print-address=1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    keyring_proc: subprocess.Popen[bytes] | None = None
    try:
        assert bus.stdout is not None
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
        if unlock:
            args.insert(2, "--unlock")
        keyring_proc = subprocess.Popen(
            args,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert keyring_proc.stdin is not None
        if unlock:
            keyring_proc.stdin.write(TEST_PASSWORD)
        keyring_proc.stdin.close()
        deadline = time.monotonic() + 10
        while not _name_has_owner(env):
            if time.monotonic() > deadline or keyring_proc.poll() is not None:
                raise RuntimeError("gnome-keyring did not take org.freedesktop.secrets")
            time.sleep(0.05)
        yield env
    finally:
        for proc in (keyring_proc, bus):
            if proc is None:
                continue
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if bus.stdout is not None:
            bus.stdout.close()
