"""Where data, configuration and logs live (platformdirs), with a --data-dir override.

A folder that cannot hold the store (a file, under a file, read-only, not writable, a symlink
loop, too long a path, a name that is not UTF-8, `logs` or `config` being files, the lock file
being a folder) is refused with one `DataFolderUnusable` message that says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from kinxpro_desktop.core.errors import DataFolderUnusable, DiskFull, UserError

APP_NAME = "kinxpro-desktop"
APP_AUTHOR = "Kinxpro"
DB_FILENAME = "kinxpro.db"
CHOOSE = "Choose another folder with --data-dir DIR"


def shown(path: Path | str) -> str:
    """A path as text that is always printable (undecodable bytes become escapes)."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")


def folder_error(path: Path, exc: OSError, role: str = "data folder") -> UserError:
    """One actionable message for an OSError met while preparing `path`."""
    where = shown(path)
    code = exc.errno
    if code == errno.ENOTDIR:
        blocker = _first_file_above(path)
        what = f"{shown(blocker)} is a file, not a folder" if blocker else "a part of it is a file"
        return DataFolderUnusable(
            f"The {role} {where} cannot be used: {what}. {CHOOSE}, or move the file away."
        )
    if code == errno.EEXIST or (code is None and path.is_file()):
        return DataFolderUnusable(
            f"The {role} {where} is a file, not a folder. {CHOOSE}, or move the file away."
        )
    if code == errno.EROFS:
        return DataFolderUnusable(
            f"The {role} {where} is on a read-only file system. {CHOOSE} on a writable disk."
        )
    if code in (errno.EACCES, errno.EPERM):
        return DataFolderUnusable(
            f"You have no permission to write in the {role} {where}. Give your user write "
            f"access to it (for example chmod u+rwx), or {CHOOSE[0].lower() + CHOOSE[1:]}."
        )
    if code == errno.ELOOP:
        return DataFolderUnusable(
            f"The {role} {where} is a symbolic link loop. Fix or remove the link, or "
            f"{CHOOSE[0].lower() + CHOOSE[1:]}."
        )
    if code == errno.ENAMETOOLONG:
        return DataFolderUnusable(
            f"The {role} path is too long for this file system ({len(str(path))} characters). "
            f"{CHOOSE} with a shorter path."
        )
    if code == errno.ENOSPC:
        return DiskFull(
            f"The disk holding the {role} {where} is full. Free some space, then try again; "
            "nothing was changed."
        )
    return DataFolderUnusable(
        f"The {role} {where} cannot be used ({exc.strerror or type(exc).__name__}). {CHOOSE}."
    )


def _first_file_above(path: Path) -> Path | None:
    for parent in (path, *path.parents):
        try:
            if parent.exists() and not parent.is_dir():
                return parent
        except OSError:
            return None
    return None


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "kinxpro.lock"

    @property
    def key_mode_file(self) -> Path:
        """Non-secret marker: whether the DB key comes from the keyring or a passphrase."""
        return self.data_dir / "key-source"

    @property
    def unlock_failures_file(self) -> Path:
        """Timestamps of failed unlocks (no secrets), folded into the audit log on next unlock."""
        return self.data_dir / "unlock-failures.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "kinxpro-desktop.log"

    @property
    def ui_state_file(self) -> Path:
        return self.config_dir / "ui-state.ini"

    @property
    def keyring_service(self) -> str:
        """One keyring service per data folder, so demo and real accounts never mix."""
        digest = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return f"{APP_NAME}/{digest}"

    def ensure(self) -> None:
        """Create the folders (0700) and prove the data folder is writable, or say why not."""
        for folder, role in (
            (self.data_dir, "data folder"),
            (self.config_dir, "settings folder"),
            (self.log_dir, "log folder"),
        ):
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            except OSError as exc:
                raise folder_error(folder, exc, role) from None
            if not folder.is_dir():
                raise folder_error(folder, OSError(errno.EEXIST, "exists"), role)
        if self.lock_file.is_dir():
            raise DataFolderUnusable(
                f"{shown(self.lock_file)} is a folder, but Kinxpro needs that name for its lock "
                "file. Move that folder away (nothing in it is Kinxpro's), then try again."
            )
        if self.database.is_dir():
            raise DataFolderUnusable(
                f"{shown(self.database)} is a folder, not a database file. Move it away, or "
                f"{CHOOSE[0].lower() + CHOOSE[1:]}."
            )
        self._probe_writable()

    def _probe_writable(self) -> None:
        probe = self.data_dir / f".write-probe-{os.getpid()}"
        try:
            flags = os.O_CREAT | os.O_TRUNC | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(probe, flags, 0o600)
            try:
                os.write(fd, b"kinxpro")
            finally:
                os.close(fd)
        except OSError as exc:
            raise folder_error(self.data_dir, exc) from None
        finally:
            with contextlib.suppress(OSError):
                probe.unlink()


def resolve_paths(data_dir: str | Path | None = None) -> AppPaths:
    """Default: the platformdirs folders. With --data-dir, everything lives under it."""
    if data_dir is not None:
        root = _checked_root(Path(data_dir).expanduser())
        return AppPaths(data_dir=root, config_dir=root / "config", log_dir=root / "logs")
    import platformdirs

    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
    )


def _checked_root(path: Path) -> Path:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise DataFolderUnusable(
            f"The data folder path {shown(path)} contains bytes that are not valid UTF-8, which "
            f"the encrypted store cannot open. {CHOOSE} whose name is valid UTF-8."
        ) from None
    try:
        return path.resolve()
    except RuntimeError:  # Python 3.11 reports a symlink loop this way
        raise folder_error(path, OSError(errno.ELOOP, "loop")) from None
    except OSError as exc:
        raise folder_error(path, exc) from None
