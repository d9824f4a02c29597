"""TaskRunner: one-shot work off the GUI thread, results delivered on the GUI thread.

Database work is serialised on a one-thread pool; network work runs on a small pool.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from kinxpro_desktop.core.progress import Cancelled, CancelToken

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; worker threads emit its signals, slots run on the GUI thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, on_done, on_error, forget) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._forget = forget
        self.done.connect(self._deliver_done)
        self.failed.connect(self._deliver_error)

    @Slot(object)
    def _deliver_done(self, result: object) -> None:
        self._forget(self)
        if self._on_done is not None:
            self._on_done(result)

    @Slot(object)
    def _deliver_error(self, exc: object) -> None:
        self._forget(self)
        if self._on_error is not None:
            self._on_error(exc)
        elif not isinstance(exc, Cancelled):
            log.error("background task failed: %s", type(exc).__name__, exc_info=exc)  # type: ignore[arg-type]


class _Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._args = args
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn(*self._args)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            self._relay.failed.emit(exc)
        else:
            self._relay.done.emit(result)


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

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        kind: str = DB,
    ) -> None:
        relay = _Relay(on_done, on_error, self._relays.discard)
        self._relays.add(relay)
        self._pools[kind].start(_Task(fn, args, relay))

    def cancellable(self) -> CancelToken:
        token = CancelToken()
        with self._lock:
            self._tokens.add(token)
        return token

    def pending(self) -> int:
        return len(self._relays)

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel tokens and wait for both pools."""
        with self._lock:
            for token in self._tokens:
                token.cancel()
        ok = True
        for pool in self._pools.values():
            ok = pool.waitForDone(timeout_ms) and ok
        return ok
