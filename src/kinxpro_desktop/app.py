"""Composition root: unlock off the GUI thread, build AppContext and MainWindow, shut down."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QProcess, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from kinxpro_desktop._version import __version__
from kinxpro_desktop.context import AccountActions, AppContext, AppEvents
from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.errors import KeyringUnavailable, UserError, WrongKey, safe_traceback
from kinxpro_desktop.core.operators import OWNER_ACCESS, Access
from kinxpro_desktop.core.passphrase import PASSPHRASE_ENV, new_passphrase_problem
from kinxpro_desktop.instance import InstanceLock
from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.resources import resource
from kinxpro_desktop.services.connection import AccountSync, Connection
from kinxpro_desktop.services.labels_desk import LabelDesk
from kinxpro_desktop.services.operators import OperatorService
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.session import PASSPHRASE, StoreLocation, effective_key_mode
from kinxpro_desktop.services.startup import Started, start
from kinxpro_desktop.services.views import ViewService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.tasks.sync import DEFAULT_INTERVAL_MS, NotConnected, SyncController
from kinxpro_desktop.ui.dialogs.crash import show_crash_dialog
from kinxpro_desktop.ui.dialogs.passphrase import PassphraseDialog
from kinxpro_desktop.ui.dialogs.sign_in import sign_in, switch_operator
from kinxpro_desktop.ui.main_window import MainWindow
from kinxpro_desktop.ui.style import apply_style

log = logging.getLogger(__name__)


def build_context(
    paths: AppPaths,
    privacy: PrivacyService,
    runner: TaskRunner,
    key_mode: str,
    *,
    demo: bool = False,
    wipe_interval_ms: int = 15 * 60 * 1000,
    sync: SyncController | None = None,
    accounts: AccountActions | None = None,
    switch_to_own_account: Callable[[], None] | None = None,
    labels: LabelDesk | None = None,
    connection: Connection | None = None,
    access: Access = OWNER_ACCESS,
    switch_operator: Callable[[], None] | None = None,
) -> AppContext:
    from kinxpro_desktop.printing.system import SystemPrinter
    from kinxpro_desktop.services.dashboard import DashboardService
    from kinxpro_desktop.services.exports import Exporter
    from kinxpro_desktop.services.listing_edits import ListingEdits
    from kinxpro_desktop.services.order_documents import OrderDocuments
    from kinxpro_desktop.services.reports import ReportService
    from kinxpro_desktop.services.shipments import ShipmentService

    account = connection or Connection(None)  # not connected: their calls say how to connect
    return AppContext(
        paths=paths,
        privacy=privacy,
        views=ViewService(privacy.db),
        runner=runner,
        events=AppEvents(),
        key_mode=key_mode,
        demo=demo,
        wipe_interval_ms=wipe_interval_ms,
        sync=sync or SyncController(NotConnected()),  # not started: F5 says how to connect
        accounts=accounts or AccountActions(test=_no_accounts, save=_no_accounts),
        switch_to_own_account=switch_to_own_account or relaunch_own_account,
        labels=labels or label_desk(privacy.db, Connection(None), demo=demo),
        listing_edits=ListingEdits(privacy.db, account),
        shipments=ShipmentService(privacy.db, account),
        documents=OrderDocuments(privacy.db, SystemPrinter()),
        reports=ReportService(privacy.db, account.gateway),
        dashboard=DashboardService(privacy.db),
        exports=Exporter(privacy.db, retention_days=privacy.retention_days),
        operators=OperatorService(privacy.db),
        access=access,
        switch_operator=switch_operator,
        actor=access.actor,
    )


def label_desk(db: Database, connection: Connection, *, demo: bool = False) -> LabelDesk:
    """Labels over the account's Connection, printing to the system's printers."""
    from kinxpro_desktop.printing.system import SystemPrinter
    from kinxpro_desktop.services.labels import DEMO_SHIP_FROM

    return LabelDesk(
        db, connection, SystemPrinter(), ship_from_default=DEMO_SHIP_FROM if demo else None
    )


def _no_accounts(*_args: object) -> Any:
    raise UserError("Connecting an account is not available in this window.")


def account_actions(account: AccountSync, actor: str) -> AccountActions:
    return AccountActions(
        test=account.test,
        save=lambda fields, info: account.save(fields, info, actor),
    )


def install_excepthook(log_file: Path) -> None:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        # Statement parameters are cut from the traceback; the log filter redacts the rest.
        log.critical("unhandled %s\n%s", exc_type.__name__, safe_traceback(exc.with_traceback(tb)))
        if (
            QApplication.instance() is not None
            and threading.current_thread() is threading.main_thread()
        ):
            show_crash_dialog(exc_type, log_file)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        exc = args.exc_value or args.exc_type()
        log.critical(
            "unhandled %s in thread %s\n%s",
            args.exc_type.__name__,
            args.thread.name if args.thread else "?",
            safe_traceback(exc.with_traceback(args.exc_traceback)),
        )

    sys.excepthook = hook
    threading.excepthook = thread_hook


def install_qt_message_handler() -> Any:
    """Route Qt's messages to the log; returns the handler it replaced."""
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

    return qInstallMessageHandler(handler)


class GuiStartup:
    """Unlock on the task runner; ask for a passphrase or report errors on the GUI thread."""

    def __init__(
        self,
        paths: AppPaths,
        runner: TaskRunner,
        prefer: str | None,
        on_ready: Callable[[Started], None],
        on_abort: Callable[[int], None],
        env_passphrase: str | None = None,
    ) -> None:
        self._paths = paths
        self._env_passphrase = env_passphrase  # KINXPRO_PASSPHRASE, tried once before asking
        self._loc = StoreLocation.of(paths)
        self._runner = runner
        self._prefer = prefer
        self._on_ready = on_ready
        self._on_abort = on_abort
        self._attempts = 0

    def begin(self, message: str = "") -> None:
        try:
            mode = effective_key_mode(self._loc, self._prefer)
        except UserError as exc:
            self._failed(exc)
            return
        if mode != PASSPHRASE:
            self._submit(mode, None)
            return
        creating = not self._loc.database.exists()
        secret, self._env_passphrase = self._env_passphrase, None
        if secret is not None and creating and new_passphrase_problem(secret):
            message = f"{PASSPHRASE_ENV} is too short for a new database; choose another."
            secret = None
        if secret is None:
            dialog = PassphraseDialog(creating, message)
            if dialog.exec() != PassphraseDialog.DialogCode.Accepted:
                self._on_abort(1)
                return
            secret = dialog.passphrase()
        chosen = secret
        self._submit(PASSPHRASE, lambda _new: chosen)

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
            and self._loc.database.exists()
            and effective_key_mode(self._loc, None) == PASSPHRASE
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
        log.critical("startup failed: %s\n%s", type(exc).__name__, safe_traceback(exc))
        show_crash_dialog(type(exc), self._paths.log_file)
        self._on_abort(1)


@dataclass(frozen=True)
class SyncTarget:
    """Where sync goes: Amazon (endpoint None) or a simulator, with fixed demo credentials."""

    endpoint: str | None = None
    credentials: SpApiCredentials | None = None
    demo: bool = False
    interval_ms: int = DEFAULT_INTERVAL_MS
    own_data_dir: str | None = None  # the --data-dir the demo was started with, if any


def own_account_argv(data_dir: str | None, *, frozen: bool) -> list[str]:
    """Arguments that start Kinxpro on the seller's own data folder (never the demo's)."""
    args = [] if frozen else ["-m", "kinxpro_desktop"]
    if data_dir is not None:
        args += ["--data-dir", str(data_dir)]
    return args


def relaunch_own_account(data_dir: str | None = None) -> None:
    """Start Kinxpro on the seller's own data folder, then quit the demo."""
    args = own_account_argv(data_dir, frozen=bool(getattr(sys, "frozen", False)))
    QProcess.startDetached(sys.executable, args)
    QApplication.quit()


def show_startup_error(exc: UserError) -> int:
    """A refusal before any window exists (e.g. an unusable data folder): one dialog."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    QMessageBox.critical(None, exc.title, exc.message)
    return exc.exit_code


def run_gui(
    paths: AppPaths,
    *,
    prefer: str | None = None,
    target: SyncTarget | None = None,
    env_passphrase: str | None = None,
) -> int:
    target = target or SyncTarget()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Kinxpro Desktop")
    app.setOrganizationName("Kinxpro")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("kinxpro-desktop")
    apply_style(app)  # before the first dialog (passphrase, keyring question)
    try:
        app.setWindowIcon(QIcon(str(resource("icons", "kinxpro-desktop-256.png"))))
    except FileNotFoundError:
        log.warning("app icon missing from resources")
    previous_handler = install_qt_message_handler()
    install_excepthook(paths.log_file)
    try:
        return _run_gui(app, paths, prefer, target, env_passphrase)
    finally:
        qInstallMessageHandler(previous_handler)


def _run_gui(
    app: QApplication,
    paths: AppPaths,
    prefer: str | None,
    target: SyncTarget,
    env_passphrase: str | None,
) -> int:
    lock = InstanceLock(paths.lock_file)
    try:
        lock.acquire()
    except UserError as exc:
        QMessageBox.warning(None, exc.title, exc.message)
        return exc.exit_code
    # Until the main window shows, the only windows are dialogs: closing one must not quit.
    app.setQuitOnLastWindowClosed(False)

    runner = TaskRunner()
    state: dict[str, Any] = {"rc": 0}

    def ready(started: Started) -> None:
        session = started.session
        account = AccountSync(
            session.db,
            session.secrets,
            endpoint=target.endpoint,
            fixed_credentials=target.credentials,
        )
        controller = SyncController(account, interval_ms=target.interval_ms)
        state.update(session=session, sync=controller)
        # With operator profiles, someone signs in first; the access is bound to the store
        # and handed to the services built below (Account ▸ Switch operator… rebuilds them).
        sign_in(OperatorService(session.db), runner, lambda a: show(started, account, a), abort)

    def show(started: Started, account: AccountSync, access: Access) -> None:
        session, controller = started.session, state["sync"]
        old = state.get("window")
        ctx = build_context(
            paths,
            started.privacy,
            runner,
            session.key_mode,
            demo=target.demo,
            sync=controller,
            accounts=account_actions(account, session.actor),
            switch_to_own_account=(
                (lambda: relaunch_own_account(target.own_data_dir)) if target.demo else None
            ),
            labels=label_desk(session.db, account.connection, demo=target.demo),
            connection=account.connection,
            access=access,
            switch_operator=lambda: switch_operator(
                OperatorService(session.db),
                runner,
                access,
                state["window"],
                lambda a: show(started, account, a),
            ),
        )
        window = MainWindow(ctx)
        state.update(window=window)
        if old is not None:  # a switch: the new operator's window replaces the old one
            app.setQuitOnLastWindowClosed(False)
            window.show()
            old.close()
            old.deleteLater()
            app.setQuitOnLastWindowClosed(True)
            window.refresh_all()
            return
        window.show()
        # From now on closing the main window (the last one) quits, as usual. Set at once: the
        # dialogs closed earlier left no pending quit (Qt checks this flag when a window closes).
        app.setQuitOnLastWindowClosed(True)
        window.refresh_all()
        if started.connected or target.credentials is not None:
            controller.start()
        for alert in started.alerts:
            box = QMessageBox(QMessageBox.Icon.Warning, "Security alert", alert, parent=window)
            box.open()
        window.statusBar().showMessage(
            f"Unlocked ({session.db.key_source}). Retention wipe at launch: "
            f"{started.wipe.orders_wiped} orders.",
            10_000,
        )

    def abort(rc: int) -> None:
        state["rc"] = rc
        app.exit(rc)

    startup = GuiStartup(paths, runner, prefer, ready, abort, env_passphrase)
    # Begin inside the event loop, so an abort from the first dialog ends that loop.
    QTimer.singleShot(0, startup.begin)
    rc = app.exec()
    app.setQuitOnLastWindowClosed(True)
    # Shutdown order: cancel and stop sync, wait for the pools, then close the store.
    controller = state.get("sync")
    if controller is not None:
        controller.stop()
    runner.shutdown()
    session = state.get("session")
    if session is not None:
        session.close()
    lock.release()
    return int(state["rc"]) or rc
