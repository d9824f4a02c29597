"""Cancellation and progress reporting shared by services and the task runner."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


class Cancelled(Exception):
    """Raised inside a service when its CancelToken was set."""


class CancelToken:
    """A threading.Event with a check() that raises Cancelled."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True if cancelled meanwhile."""
        return self._event.wait(seconds)


@dataclass(frozen=True)
class ProgressUpdate:
    phase: str
    done: int = 0
    total: int | None = None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))


ProgressFn = Callable[[ProgressUpdate], None]


def no_progress(_: ProgressUpdate) -> None:
    """A progress sink that ignores updates."""
