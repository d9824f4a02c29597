"""TaskRunner: one-shot work off the GUI thread, results delivered on the GUI thread.

Database work is serialised on a one-thread pool; network work runs on a small pool.

Two ways in, one mechanism:

- ``submit(fn, *args, on_done=..., on_error=...)`` for a plain call;
- ``submit_job(job, on_done=..., on_progress=..., on_error=...)`` for a job that takes a
  ``CancelToken`` and a progress callback (``job(token, progress)``). It returns a
  :class:`JobHandle` whose ``cancel()`` sets the token; progress arrives on the GUI thread.

A result whose receiver is gone (a widget deleted while its job ran, such as a dialog closed
or the window shutting down) is dropped instead of delivered to a deleted object.

Every unexpected exception is logged (through the normal, redacting logger) whether or not
the caller handles it; ``Cancelled`` and ``UserError`` are expected and are not logged as
failures.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate

log = logging.getLogger(__name__)

T = TypeVar("T")
DoneFn = Callable[[Any], None]
ErrorFn = Callable[[BaseException], None]
ProgressSink = Callable[[ProgressUpdate], None]


def is_unexpected(exc: BaseException) -> bool:
    """True for bugs and environment failures; False for Cancelled and UserError."""
    return not isinstance(exc, (Cancelled, UserError))


def receiver_gone(fn: Callable[..., object] | None) -> bool:
    """True when `fn` is a bound method of, or a closure over, a Qt object that has been
    deleted: calling it would raise "Internal C++ object already deleted"."""
    if fn is None:
        return False
    owner = getattr(fn, "__self__", None)
    if owner is not None:
        captured: list[object] = [owner]
    else:
        captured = []
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                captured.append(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
    return any(isinstance(o, QObject) and not shiboken6.isValid(o) for o in captured)


class JobHandle:
    """A submitted job: cancel it, ask whether it has finished."""

    def __init__(self, token: CancelToken, name: str) -> None:
        self.token = token
        self.name = name
        self.finished = False

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled


class _Relay(QObject):
    """Lives on the GUI thread; worker threads emit its signals, slots run on the GUI thread."""

    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(object)

    def __init__(
        self,
        handle: JobHandle,
        on_done: DoneFn | None,
        on_error: ErrorFn | None,
        on_progress: ProgressSink | None,
        forget: Callable[[_Relay], None],
    ) -> None:
        super().__init__()
        self.handle = handle
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._forget = forget
        self.done.connect(self._deliver_done)
        self.failed.connect(self._deliver_error)
        self.progressed.connect(self._deliver_progress)

    @Slot(object)
    def _deliver_progress(self, update: ProgressUpdate) -> None:
        sink = self._on_progress
        if sink is not None and not self.handle.finished and not receiver_gone(sink):
            sink(update)

    @Slot(object)
    def _deliver_done(self, result: object) -> None:
        self.handle.finished = True
        self._forget(self)
        if self._on_done is not None and not receiver_gone(self._on_done):
            self._on_done(result)

    @Slot(object)
    def _deliver_error(self, exc: BaseException) -> None:
        self.handle.finished = True
        self._forget(self)
        if is_unexpected(exc):
            # Logged whatever the caller does with it: a UI that says "see the log" must
            # find it there. The log handlers redact tokens and buyer data.
            log.error(
                "background task failed: %s in %s",
                type(exc).__name__,
                self.handle.name,
                exc_info=exc,
            )
        if self._on_error is not None and not receiver_gone(self._on_error):
            self._on_error(exc)


class _Task(QRunnable):
    def __init__(self, call: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self._call = call
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._call()
        except BaseException as exc:  # delivered to the GUI thread, never lost
            self._relay.failed.emit(exc)
        else:
            self._relay.done.emit(result)


def _name_of(fn: Callable[..., object]) -> str:
    return str(getattr(fn, "__qualname__", None) or type(fn).__name__)


class TaskRunner(QObject):
    DB = "db"
    NET = "net"

    def __init__(self, parent: QObject | None = None, net_threads: int = 3) -> None:
        super().__init__(parent)
        self._pools = {self.DB: QThreadPool(self), self.NET: QThreadPool(self)}
        self._pools[self.DB].setMaxThreadCount(1)
        self._pools[self.NET].setMaxThreadCount(net_threads)
        self._relays: set[_Relay] = set()
        self._tokens: set[CancelToken] = set()
        self._lock = threading.Lock()
        self._closed = False

    def submit(
        self,
        fn: Callable[..., T],
        *args: Any,
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorFn | None = None,
        kind: str = DB,
    ) -> JobHandle:
        """Run ``fn(*args)`` on the pool for ``kind``; callbacks run on the GUI thread."""
        return self._start(
            lambda _relay, _token: lambda: fn(*args), _name_of(fn), on_done, on_error, None, kind
        )

    def submit_job(
        self,
        job: Callable[[CancelToken, ProgressFn], T],
        *,
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorFn | None = None,
        on_progress: ProgressSink | None = None,
        kind: str = DB,
    ) -> JobHandle:
        """Run ``job(token, progress)``; ``handle.cancel()`` sets the token, the job checks it
        between pages or rows and raises ``Cancelled``; progress arrives on the GUI thread."""

        def make(relay: _Relay, token: CancelToken) -> Callable[[], object]:
            return lambda: job(token, relay.progressed.emit)

        return self._start(make, _name_of(job), on_done, on_error, on_progress, kind)

    def _start(
        self,
        make: Callable[[_Relay, CancelToken], Callable[[], object]],
        name: str,
        on_done: Callable[[Any], None] | None,
        on_error: ErrorFn | None,
        on_progress: ProgressSink | None,
        kind: str,
    ) -> JobHandle:
        token = CancelToken()
        handle = JobHandle(token, name)
        relay = _Relay(handle, on_done, on_error, on_progress, self._forget)
        with self._lock:
            if self._closed:
                token.cancel()
            self._relays.add(relay)
        self._pools[kind].start(_Task(make(relay, token), relay))
        return handle

    def _forget(self, relay: _Relay) -> None:
        with self._lock:
            self._relays.discard(relay)

    def cancellable(self) -> CancelToken:
        """A token that ``shutdown()`` cancels, for work that does not go through the pools."""
        token = CancelToken()
        with self._lock:
            self._tokens.add(token)
        return token

    def pending(self) -> int:
        with self._lock:
            return len(self._relays)

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel every job's token and wait for both pools."""
        with self._lock:
            self._closed = True
            tokens = [r.handle.token for r in self._relays] + list(self._tokens)
        for token in tokens:
            token.cancel()
        ok = True
        for pool in self._pools.values():
            ok = pool.waitForDone(timeout_ms) and ok
        return ok
