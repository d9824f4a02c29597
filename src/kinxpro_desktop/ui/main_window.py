"""The main window: five tabs, menus, status bar, remembered geometry and last tab."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSystemTrayIcon,
    QTabWidget,
    QWidget,
)

from kinxpro_desktop._version import __version__
from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.models import WipeResult
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.sync import SyncReport
from kinxpro_desktop.ui.dialogs.connect import ConnectDialog
from kinxpro_desktop.ui.dialogs.rate_limits import RateLimitDialog
from kinxpro_desktop.ui.tabs.empty import EmptyStateTab
from kinxpro_desktop.ui.tabs.listings import ListingsTab
from kinxpro_desktop.ui.tabs.orders import OrdersTab
from kinxpro_desktop.ui.tabs.privacy import PrivacyTab
from kinxpro_desktop.ui.widgets.sync_status import SyncStatus

TAB_NAMES = ("Listings", "Orders", "Labels", "Reports", "Privacy")


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("mainWindow")
        self.setWindowTitle("Kinxpro Desktop" + (" — Demo" if ctx.demo else ""))
        self.resize(1200, 780)
        # UI state only: geometry and last tab. Never secrets, never buyer data.
        self.ui_state = QSettings(str(ctx.paths.ui_state_file), QSettings.Format.IniFormat)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.listings_tab = ListingsTab(ctx)
        self.orders_tab = OrdersTab(ctx)
        self.tabs.addTab(self.listings_tab, "Listings")
        self.tabs.addTab(self.orders_tab, "Orders")
        for name in ("Labels", "Reports"):
            self.tabs.addTab(EmptyStateTab(name), name)
        self.privacy_tab = PrivacyTab(ctx)
        self.tabs.addTab(self.privacy_tab, "Privacy")
        self.setCentralWidget(self.tabs)

        self._build_menus()
        self.key_badge = QLabel(f"Encrypted (key: {ctx.key_mode})")
        self.statusBar().addPermanentWidget(self.key_badge)
        if ctx.demo:
            self.demo_badge = QLabel(" DEMO ")
            self.demo_badge.setStyleSheet("background:#e8a200;color:black;font-weight:bold")
            self.statusBar().addPermanentWidget(self.demo_badge)
        ctx.events.status_message.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        ctx.events.wiped.connect(self._announce_wipe)
        self.sync_status: SyncStatus | None = None
        self.tray: QSystemTrayIcon | None = None
        self.notifications: list[tuple[str, str]] = []
        if ctx.sync is not None:
            self.sync_status = SyncStatus(ctx.sync)
            self.statusBar().addWidget(self.sync_status, 1)
            ctx.sync.finished.connect(self._sync_finished)
            ctx.sync.failed.connect(
                lambda message: self.statusBar().showMessage(f"Sync failed: {message}", 15_000)
            )
            ctx.sync.new_mfn_orders.connect(self._notify_new_orders)
            if QSystemTrayIcon.isSystemTrayAvailable():
                self.tray = QSystemTrayIcon(self.windowIcon() or QIcon(), self)
                self.tray.setToolTip("Kinxpro Desktop")
                self.tray.show()
        self.sync_action.setEnabled(ctx.sync is not None)
        self.cancel_sync_action.setEnabled(ctx.sync is not None)
        self.rate_action.setEnabled(ctx.sync is not None)
        if ctx.sync is None:
            self.sync_action.setToolTip("Connect an Amazon account first (Account ▸ Connect)")

        self.wipe_timer = QTimer(self)
        self.wipe_timer.setInterval(ctx.wipe_interval_ms)
        self.wipe_timer.timeout.connect(self.run_scheduled_wipe)
        self.wipe_timer.start()
        self.privacy_tab.set_next_wipe(ctx.next_wipe_after(utcnow()))
        self._restore_state()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.sync_action = QAction("&Sync now", self)
        self.sync_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.sync_action.triggered.connect(self.sync_now)
        file_menu.addAction(self.sync_action)
        self.cancel_sync_action = QAction("&Cancel sync", self)
        self.cancel_sync_action.setShortcut(QKeySequence("Ctrl+."))
        self.cancel_sync_action.triggered.connect(
            lambda: self._ctx.sync.cancel() if self._ctx.sync else None
        )
        file_menu.addAction(self.cancel_sync_action)
        self.rate_action = QAction("Sync status and &rate limits…", self)
        self.rate_action.triggered.connect(self.show_rate_limits)
        file_menu.addAction(self.rate_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        account_menu = self.menuBar().addMenu("&Account")
        self.connect_action = QAction("&Connect…", self)
        self.connect_action.triggered.connect(self.show_connect)
        account_menu.addAction(self.connect_action)
        self.privacy_action = QAction("&Privacy and audit log", self)
        self.privacy_action.setShortcut(QKeySequence("Ctrl+5"))
        self.privacy_action.triggered.connect(lambda: self.tabs.setCurrentWidget(self.privacy_tab))
        account_menu.addAction(self.privacy_action)

        for i, name in enumerate(TAB_NAMES[:-1]):
            action = QAction(name, self)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _=False, idx=i: self.tabs.setCurrentIndex(idx))
            self.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Kinxpro Desktop", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def about_text(self) -> str:
        return (
            f"<b>Kinxpro Desktop {__version__}</b><br>"
            "Listings, orders, FBM labels and reports for your own Amazon seller account.<br>"
            "Your data stays on this computer in an AES-256 encrypted database; buyer data is "
            "deleted automatically when the retention window ends.<br><br>"
            f"Data folder: {self._ctx.paths.data_dir}<br>Log file: {self._ctx.paths.log_file}"
        )

    def show_about(self) -> None:
        QMessageBox.about(self, "About Kinxpro Desktop", self.about_text())

    def refresh_all(self) -> None:
        """Load every tab's data (on the task runner)."""
        self.listings_tab.model.reload()
        self.orders_tab.model.reload()
        self.privacy_tab.refresh()

    # -- sync --------------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self._ctx.sync is not None and not self._ctx.sync.sync_now():
            self.statusBar().showMessage("A sync is already running.", 5000)

    def _sync_finished(self, report: SyncReport) -> None:
        self._ctx.events.data_changed.emit()
        self._ctx.events.audit_changed.emit()

    def _notify_new_orders(self, order_ids: tuple[str, ...]) -> None:
        title = "New orders to ship"
        text = f"{len(order_ids)} new merchant-fulfilled order(s) need shipping."
        self.notifications.append((title, text))
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10_000)
        self.statusBar().showMessage(text, 15_000)

    def show_rate_limits(self) -> None:
        if self._ctx.sync is not None:
            RateLimitDialog(self._ctx.sync, self).exec()

    def show_connect(self) -> None:
        ConnectDialog(self._ctx, self).exec()

    # -- scheduled wipe (runs on the task runner, never on the GUI thread) ----------------
    def run_scheduled_wipe(self) -> None:
        self._ctx.runner.submit(
            self._ctx.privacy.wipe,
            "system",
            on_done=self._ctx.events.wiped.emit,
            on_error=lambda exc: self._ctx.events.status_message.emit(
                f"Scheduled wipe failed: {type(exc).__name__}; see the log."
            ),
        )
        self.privacy_tab.set_next_wipe(self._ctx.next_wipe_after(utcnow()))

    def _announce_wipe(self, result: WipeResult) -> None:
        self.statusBar().showMessage(
            f"Retention wipe: buyer data of {result.orders_wiped} orders deleted.", 10_000
        )

    # -- state ----------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.ui_state.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.ui_state.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        tab = str(self.ui_state.value("window/tab", 0))
        index = int(tab) if tab.isdigit() else 0
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def save_state(self) -> None:
        self.ui_state.setValue("window/geometry", self.saveGeometry())
        self.ui_state.setValue("window/state", self.saveState())
        self.ui_state.setValue("window/tab", self.tabs.currentIndex())
        self.ui_state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.wipe_timer.stop()
        self.save_state()
        super().closeEvent(event)
