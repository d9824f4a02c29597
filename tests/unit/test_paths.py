"""Data-folder refusals: each OS failure becomes one message that says what to do."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from kinxpro_desktop.core.errors import DataFolderUnusable, DiskFull, UserError
from kinxpro_desktop.paths import folder_error, resolve_paths


@pytest.mark.parametrize(
    ("code", "needle"),
    [
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "no permission to write"),
        (errno.EPERM, "no permission to write"),
        (errno.ELOOP, "symbolic link loop"),
        (errno.ENAMETOOLONG, "too long"),
        (errno.EIO, "cannot be used"),
    ],
)
def test_each_failure_names_its_cause_and_the_way_out(
    tmp_path: Path, code: int, needle: str
) -> None:
    error = folder_error(tmp_path / "data", OSError(code, os.strerror(code)))
    assert isinstance(error, DataFolderUnusable)
    assert needle in error.message
    assert "--data-dir" in error.message
    assert error.exit_code == 2


def test_disk_full_is_its_own_error(tmp_path: Path) -> None:
    error = folder_error(tmp_path, OSError(errno.ENOSPC, "No space left on device"))
    assert isinstance(error, DiskFull)
    assert "full" in error.message and "Free some space" in error.message


def test_a_file_in_the_way_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x")
    error = folder_error(blocker / "a" / "b", OSError(errno.ENOTDIR, "Not a directory"))
    assert f"{blocker} is a file, not a folder" in error.message


def test_not_utf8_path_is_refused_before_anything_is_created(tmp_path: Path) -> None:
    bad = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9")
    with pytest.raises(UserError, match="not valid UTF-8"):
        resolve_paths(bad)
    assert not os.path.exists(bad)


def test_symlink_loop_is_refused(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(DataFolderUnusable, match="symbolic link loop"):
        resolve_paths(loop).ensure()


def test_ensure_proves_the_folder_is_writable_and_leaves_no_probe(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data")
    paths.ensure()
    assert sorted(p.name for p in paths.data_dir.iterdir()) == ["config", "logs"]
