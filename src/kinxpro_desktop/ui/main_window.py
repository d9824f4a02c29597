"""The main window: five tabs, menus, status bar, remembered geometry and last tab."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from kinxpro_desktop._version import __version__
from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.models import WipeResult
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.ui.tabs.empty import EmptyStateTab
from kinxpro_desktop.ui.tabs.privacy import PrivacyTab

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
        for name in TAB_NAMES[:-1]:
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

        self.wipe_timer = QTimer(self)
        self.wipe_timer.setInterval(ctx.wipe_interval_ms)
        self.wipe_timer.timeout.connect(self.run_scheduled_wipe)
        self.wipe_timer.start()
        self.privacy_tab.set_next_wipe(ctx.next_wipe_after(utcnow()))
        self._restore_state()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        account_menu = self.menuBar().addMenu("&Account")
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
