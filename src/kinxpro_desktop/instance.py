"""One running Kinxpro per data folder (an OS file lock, released if the process dies)."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from kinxpro_desktop.core.errors import AlreadyRunning


class InstanceLock:
    def __init__(self, lock_file: Path) -> None:
        self._path = lock_file
        self._lock = FileLock(str(lock_file), timeout=0)

    def acquire(self) -> InstanceLock:
        try:
            self._lock.acquire()
        except Timeout:
            raise AlreadyRunning(
                f"Kinxpro Desktop is already running with the data folder {self._path.parent}. "
                "Switch to that window (or wait for its command to finish); nothing was changed."
            ) from None
        return self

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
