"""Data folders that cannot hold the store, and arguments that make no sense: one actionable
line on stderr, exit 2, no traceback, and nothing of the seller's touched."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.test_cli import cli, one_clean_line


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """A private tmpfs (root only) with the given mount options."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted: list[Path] = []

    def make(options: str) -> Path:
        target = tmp_path / f"mnt{len(mounted)}"
        if not _mount(target, options):
            pytest.skip("this machine does not allow mounting a tmpfs")
        mounted.append(target)
        return target

    yield make
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], check=False)


def refused(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode == 2, result.stderr
    line = one_clean_line(result)
    for needle in needles:
        assert needle in line, line
    return line


def test_data_dir_is_a_regular_file(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    refused(cli(target, "wipe"), "is a file, not a folder", str(target))
    assert target.read_text() == "mine"


def test_data_dir_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    refused(cli(blocker / "data", "wipe"), f"{blocker} is a file, not a folder")


def test_read_only_file_system(tmpfs: Callable[[str], Path]) -> None:
    ro = tmpfs("ro,size=1m")
    refused(cli(ro / "data", "wipe"), "read-only file system")
    refused(cli(ro, "--key-source", "passphrase", "wipe"), "read-only file system")


def test_folder_without_write_permission(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run the child as another user")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no 'nobody' user")
    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import kinxpro_desktop"],
            user=nobody.pw_uid,
            capture_output=True,
            check=False,
        )
    except OSError:
        pytest.skip("the venv is not usable by 'nobody'")
    if probe.returncode != 0:
        pytest.skip("the venv is not usable by 'nobody'")
    tmp_path.chmod(0o755)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o755)
    env = {"HOME": str(tmp_path), "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-m", "kinxpro_desktop", "--data-dir", str(locked), "wipe"],
        user=nobody.pw_uid,
        env={**os.environ, **env, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    refused(result, "no permission to write", str(locked))


def test_immutable_folder(tmp_path: Path) -> None:
    """chattr +i: even root cannot create files there (EPERM)."""
    frozen = tmp_path / "frozen"
    frozen.mkdir()
    (frozen / "config").mkdir()
    (frozen / "logs").mkdir()
    if subprocess.run(["chattr", "+i", str(frozen)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        refused(cli(frozen, "wipe"), "no permission to write", str(frozen))
    finally:
        subprocess.run(["chattr", "-i", str(frozen)], check=False)
    assert sorted(p.name for p in frozen.iterdir()) == ["config", "logs"]


def test_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop")
    refused(cli(loop, "wipe"), "symbolic link loop")


def test_path_too_long(tmp_path: Path) -> None:
    long = tmp_path / ("x" * 300)
    refused(cli(long, "wipe"), "too long")


def test_path_that_is_not_utf8(tmp_path: Path) -> None:
    bad = os.fsencode(tmp_path) + b"/caf\xe9"
    result = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"kinxpro_desktop", b"--data-dir", bad, b"wipe"],
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    refused(result, "not valid UTF-8")
    assert not Path(os.fsdecode(bad)).exists()


@pytest.mark.parametrize("name", ["logs", "config"])
def test_logs_or_config_is_a_file(tmp_path: Path, name: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / name).write_text("not a folder")
    refused(cli(data, "wipe"), f"{data / name} is a file, not a folder")
    assert (data / name).read_text() == "not a folder"


def test_lock_file_is_a_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "kinxpro.lock").mkdir(parents=True)
    refused(cli(data, "wipe"), "kinxpro.lock is a folder")


@pytest.mark.parametrize("value", ["²", "9" * 5000, "1e3", "٣"])
def test_odd_retention_values_are_refused(tmp_path: Path, value: str) -> None:
    data = tmp_path / "data"
    assert cli(data, "--key-source", "passphrase", "wipe").returncode == 0
    refused(cli(data, "retention", value), "Retention must be a whole number")
    assert cli(data, "retention").stdout.strip() == "Retention: 30 days"


def test_disk_full_while_creating_the_store(tmpfs: Callable[[str], Path]) -> None:
    small = tmpfs("size=160k")
    data = small / "data"
    result = cli(data, "--key-source", "passphrase", "wipe")
    refused(result, "full")
    leftovers = sorted(p.name for p in data.iterdir()) if data.exists() else []
    assert "kinxpro.db" not in leftovers
    assert not [n for n in leftovers if ".creating-" in n], leftovers
