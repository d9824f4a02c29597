"""Composition root: unlock off the GUI thread, build AppContext and MainWindow, shut down."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from kinxpro_desktop._version import __version__
from kinxpro_desktop.context import AppContext, AppEvents
from kinxpro_desktop.core.errors import KeyringUnavailable, UserError, WrongKey
from kinxpro_desktop.instance import InstanceLock
from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.session import PASSPHRASE, StoreLocation, read_key_mode
from kinxpro_desktop.services.startup import Started, start
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.dialogs.crash import show_crash_dialog
from kinxpro_desktop.ui.dialogs.passphrase import PassphraseDialog
from kinxpro_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def build_context(
    paths: AppPaths,
    privacy: PrivacyService,
    runner: TaskRunner,
    key_mode: str,
    *,
    demo: bool = False,
    wipe_interval_ms: int = 15 * 60 * 1000,
) -> AppContext:
    return AppContext(
        paths=paths,
        privacy=privacy,
        runner=runner,
        events=AppEvents(),
        key_mode=key_mode,
        demo=demo,
        wipe_interval_ms=wipe_interval_ms,
    )


def install_excepthook(log_file: Path) -> None:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.critical("unhandled %s", exc_type.__name__, exc_info=(exc_type, exc, tb))
        if (
            QApplication.instance() is not None
            and threading.current_thread() is threading.main_thread()
        ):
            show_crash_dialog(exc_type, log_file)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.critical(
            "unhandled %s in thread %s",
            args.exc_type.__name__,
            args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
        )

    sys.excepthook = hook
    threading.excepthook = thread_hook


def install_qt_message_handler() -> None:
    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(mode: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(mode, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


class GuiStartup:
    """Unlock on the task runner; ask for a passphrase or report errors on the GUI thread."""

    def __init__(
        self,
        paths: AppPaths,
        runner: TaskRunner,
        prefer: str | None,
        on_ready: Callable[[Started], None],
        on_abort: Callable[[int], None],
    ) -> None:
        self._paths = paths
        self._loc = StoreLocation.of(paths)
        self._runner = runner
        self._prefer = prefer
        self._on_ready = on_ready
        self._on_abort = on_abort
        self._attempts = 0

    def begin(self, message: str = "") -> None:
        mode = read_key_mode(self._loc) or self._prefer
        if mode == PASSPHRASE:
            creating = not self._loc.database.exists()
            dialog = PassphraseDialog(creating, message)
            if dialog.exec() != PassphraseDialog.DialogCode.Accepted:
                self._on_abort(1)
                return
            secret = dialog.passphrase()
            self._submit(PASSPHRASE, lambda _new: secret)
        else:
            self._submit(mode, None)

    def _submit(self, prefer: str | None, passphrase: Callable[[bool], str] | None) -> None:
        loc = self._loc
        self._runner.submit(
            lambda: start(loc, prefer=prefer, passphrase=passphrase),
            on_done=self._on_ready,
            on_error=self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self._attempts += 1
        if (
            isinstance(exc, WrongKey)
            and read_key_mode(self._loc) == PASSPHRASE
            and self._attempts < 5
        ):
            self.begin("That passphrase did not unlock the database.")
            return
        if isinstance(exc, KeyringUnavailable) and not self._loc.database.exists():
            answer = QMessageBox.question(
                None,
                exc.title,
                exc.message + "\n\nUse passphrase mode for this data folder?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self._prefer = PASSPHRASE
                self.begin()
                return
        if isinstance(exc, UserError):
            log.warning("startup stopped: %s", exc.message)
            QMessageBox.critical(None, exc.title, exc.message)
            self._on_abort(exc.exit_code)
            return
        log.critical("startup failed: %s", type(exc).__name__, exc_info=exc)
        show_crash_dialog(type(exc), self._paths.log_file)
        self._on_abort(1)


def run_gui(paths: AppPaths, *, prefer: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Kinxpro Desktop")
    app.setOrganizationName("Kinxpro")
    app.setApplicationVersion(__version__)
    install_qt_message_handler()
    install_excepthook(paths.log_file)
    lock = InstanceLock(paths.lock_file)
    try:
        lock.acquire()
    except UserError as exc:
        QMessageBox.warning(None, exc.title, exc.message)
        return exc.exit_code

    runner = TaskRunner()
    state: dict[str, Any] = {"rc": 0}

    def ready(started: Started) -> None:
        ctx = build_context(paths, started.privacy, runner, started.session.key_mode)
        window = MainWindow(ctx)
        state["window"] = window
        state["session"] = started.session
        window.show()
        window.privacy_tab.refresh()
        window.statusBar().showMessage(
            f"Unlocked ({started.session.db.key_source}). Retention wipe at launch: "
            f"{started.wipe.orders_wiped} orders.",
            10_000,
        )

    def abort(rc: int) -> None:
        state["rc"] = rc
        app.exit(rc)

    startup = GuiStartup(paths, runner, prefer, ready, abort)
    startup.begin()
    rc = app.exec() if state["rc"] == 0 else int(state["rc"])
    runner.shutdown()
    session = state.get("session")
    if session is not None:
        session.close()
    lock.release()
    return int(state["rc"]) or rc
