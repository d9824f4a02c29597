"""The main window: five tabs, menus, status bar, remembered geometry and last tab."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSystemTrayIcon,
    QTabWidget,
    QWidget,
)

from kinxpro_desktop._version import __version__
from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.changes import Changes
from kinxpro_desktop.core.models import WipeResult
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.sync import SyncReport
from kinxpro_desktop.services.views import StoreTotals
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.dialogs.connect import ConnectDialog
from kinxpro_desktop.ui.dialogs.operators import add_operator_actions
from kinxpro_desktop.ui.dialogs.rate_limits import RateLimitDialog
from kinxpro_desktop.ui.style import apply_style, icon
from kinxpro_desktop.ui.tabs.data_tab import DataTab
from kinxpro_desktop.ui.tabs.empty import EmptyStateTab
from kinxpro_desktop.ui.tabs.labels import LabelsTab
from kinxpro_desktop.ui.tabs.listings import ListingsTab
from kinxpro_desktop.ui.tabs.orders import OrdersTab
from kinxpro_desktop.ui.tabs.privacy import PrivacyTab
from kinxpro_desktop.ui.tabs.reports import ReportsTab
from kinxpro_desktop.ui.widgets.sync_status import SyncStatus

TAB_NAMES = ("Listings", "Orders", "Labels", "Reports", "Privacy")
TAB_ICONS = ("listings", "orders", "labels", "reports", "privacy")
NO_ACCOUNT = (
    "No Amazon account connected yet: choose Account ▸ Connect… to connect yours "
    "(or try the demo: kinxpro-desktop --demo)."
)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        app = QApplication.instance()
        if isinstance(app, QApplication) and app.property("kinxproTheme") is None:
            apply_style(app)
        self._ctx = ctx
        self.setObjectName("mainWindow")
        self.setWindowTitle("Kinxpro Desktop" + (" — Demo" if ctx.demo else ""))
        self.resize(1280, 800)
        # UI state only: geometry and last tab. Never secrets, never buyer data.
        self.ui_state = QSettings(str(ctx.paths.ui_state_file), QSettings.Format.IniFormat)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(False)
        self.listings_tab = ListingsTab(ctx)
        self.orders_tab = OrdersTab(ctx)
        self.privacy_tab = PrivacyTab(ctx)
        self.labels_tab = LabelsTab(ctx)
        self.reports_tab = ReportsTab(ctx)
        pages: list[QWidget] = [
            self.listings_tab,
            self.orders_tab,
            self.labels_tab,
            self.reports_tab,
            self.privacy_tab,
        ]
        for page, name, icon_name in zip(pages, TAB_NAMES, TAB_ICONS, strict=True):
            self.tabs.addTab(page, icon(icon_name), name)
        self.setCentralWidget(self.tabs)

        self._build_menus()
        # Permanent widgets: temporary messages (left) never cover sync status or badges.
        self.sync_status = SyncStatus(ctx.sync)
        self.sync_status.sync_button.clicked.disconnect()
        self.sync_status.sync_button.clicked.connect(self.sync_now)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.key_badge = QLabel(f"Encrypted (key: {ctx.key_mode})")
        self.key_badge.setObjectName("keyBadge")
        self.statusBar().addPermanentWidget(self.key_badge)
        if ctx.demo:
            self.demo_badge = QLabel(" DEMO ")
            self.demo_badge.setObjectName("demoBadge")
            self.statusBar().addPermanentWidget(self.demo_badge)
        ctx.events.status_message.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        ctx.events.wiped.connect(self._announce_wipe)
        self.tray: QSystemTrayIcon | None = None
        self.notifications: list[tuple[str, str]] = []
        ctx.sync.finished.connect(self._sync_finished)
        ctx.sync.failed.connect(
            lambda message: self.statusBar().showMessage(f"Sync failed: {message}", 15_000)
        )
        ctx.sync.new_mfn_orders.connect(self._notify_new_orders)
        ctx.sync.health_changed.connect(lambda _h: self._update_sync_actions())
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.windowIcon() or QIcon(), self)
            self.tray.setToolTip("Kinxpro Desktop")
            self.tray.show()
        self._update_sync_actions()

        self.wipe_timer = QTimer(self)
        self.wipe_timer.setInterval(ctx.wipe_interval_ms)
        self.wipe_timer.timeout.connect(self.run_scheduled_wipe)
        self.wipe_timer.start()
        self.privacy_tab.set_next_wipe(ctx.next_wipe_after(utcnow()))
        # scheduled report refresh: checked now (after unlock) and every 10 minutes
        self.reports_tab.amazon.start_schedule()
        self.orders_tab.order_actions.buy_labels.connect(self.buy_labels)
        self.orders_tab.use_settings(self.ui_state)
        self.listings_tab.use_settings(self.ui_state)
        self._restore_state()

    def _action(
        self, text: str, icon_name: str = "", shortcut: str | QKeySequence.StandardKey = ""
    ) -> QAction:
        action = QAction(icon(icon_name), text, self) if icon_name else QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.sync_action = self._action("&Sync now", "sync", QKeySequence.StandardKey.Refresh)
        self.sync_action.triggered.connect(self.sync_now)
        file_menu.addAction(self.sync_action)
        self.cancel_sync_action = self._action("&Cancel sync", "cancel", "Ctrl+.")
        self.cancel_sync_action.triggered.connect(self._ctx.sync.cancel)
        file_menu.addAction(self.cancel_sync_action)
        self.rate_action = self._action("Sync status and &rate limits…", "status", "Ctrl+I")
        self.rate_action.triggered.connect(self.show_rate_limits)
        file_menu.addAction(self.rate_action)
        self.print_action = self._action(
            "&Print packing slips of the selected orders", "", QKeySequence.StandardKey.Print
        )
        self.print_action.triggered.connect(
            lambda: (
                self.orders_tab.order_actions.print_slips()
                if self.tabs.currentWidget() is self.orders_tab
                else self.statusBar().showMessage(
                    "Select orders in the Orders tab to print.", 10_000
                )
            )
        )
        file_menu.addAction(self.print_action)
        self.addAction(self.print_action)
        file_menu.addSeparator()
        quit_action = self._action("&Quit", "quit", "Ctrl+Q")
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        self.tab_actions: list[QAction] = []
        for i, (name, icon_name) in enumerate(zip(TAB_NAMES, TAB_ICONS, strict=True)):
            action = self._action(f"&{name}", icon_name, f"Ctrl+{i + 1}")
            action.triggered.connect(lambda _=False, idx=i: self.tabs.setCurrentIndex(idx))
            view_menu.addAction(action)
            self.addAction(action)
            self.tab_actions.append(action)
        self.privacy_action = self.tab_actions[-1]
        view_menu.addSeparator()
        self.find_action = self._action(
            "&Find in this tab", "search", QKeySequence.StandardKey.Find
        )
        self.find_action.triggered.connect(self.focus_search)
        view_menu.addAction(self.find_action)
        self.addAction(self.find_action)

        account_menu = self.menuBar().addMenu("&Account")
        self.connect_action = self._action("&Connect…", "connect")
        self.connect_action.triggered.connect(self.show_connect)
        account_menu.addAction(self.connect_action)
        account_menu.addAction(self.privacy_action)
        add_operator_actions(self, account_menu)  # ui/dialogs/operators.py

        help_menu = self.menuBar().addMenu("&Help")
        about = self._action("&About Kinxpro Desktop", "about")
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def focus_search(self) -> None:
        page = self.tabs.currentWidget()
        search = getattr(page, "search", None)
        if search is not None:
            search.setFocus()
            search.selectAll()

    def _update_sync_actions(self) -> None:
        sync = self._ctx.sync
        self.cancel_sync_action.setEnabled(sync.running)
        self.sync_action.setToolTip("" if sync.connected else NO_ACCOUNT)
        self.sync_status.set_connected(sync.connected)
        for tab in (self.labels_tab, self.reports_tab):
            if isinstance(tab, EmptyStateTab):  # placeholders until the feature tab exists
                tab.set_state("connected" if sync.connected else "not_connected")

    def buy_labels(self, order_ids: Sequence[str]) -> None:
        """The Orders tab's "Buy label": the Labels tab showing exactly those orders."""
        self.tabs.setCurrentWidget(self.labels_tab)
        self.labels_tab.show_orders(order_ids)

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
        self._count_store()

    def data_tabs(self) -> tuple[DataTab, ...]:
        return (self.listings_tab, self.orders_tab)

    # -- sync --------------------------------------------------------------------------------
    def sync_now(self) -> None:
        sync = self._ctx.sync
        if not sync.connected:
            self.statusBar().showMessage(NO_ACCOUNT, 15_000)
            return
        if not sync.sync_now():
            self.statusBar().showMessage(
                "A sync is already running; its progress is shown at the bottom right.", 5000
            )

    def _sync_finished(self, report: SyncReport) -> None:
        self._ctx.events.data_changed.emit(Changes.from_sync(report))
        self._ctx.events.audit_changed.emit()
        self._count_store()

    def _count_store(self) -> None:
        self._ctx.runner.submit(self._ctx.views.store_totals, on_done=self._show_totals)

    def _show_totals(self, totals: StoreTotals) -> None:
        self.sync_status.show_totals(totals.orders, totals.listings)

    def _notify_new_orders(self, order_ids: tuple[str, ...]) -> None:
        title = "New orders to ship"
        n = len(order_ids)
        text = (
            f"{fmt.plural(n, 'new merchant-fulfilled order')} need{'s' if n == 1 else ''} shipping."
        )
        self.notifications.append((title, text))
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10_000)
        self.statusBar().showMessage(text, 15_000)

    def show_rate_limits(self) -> None:
        RateLimitDialog(self._ctx.sync, self, demo=self._ctx.demo).exec()

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
        if result.orders_wiped:
            # the Orders table's "Buyer data" column and an open detail pane change
            self._ctx.events.data_changed.emit(Changes(orders=None))
            self.statusBar().showMessage(
                f"Retention wipe: buyer data of {fmt.plural(result.orders_wiped, 'order')} "
                "deleted.",
                10_000,
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
        # column widths and order, sort column, the Orders splitter (a bad value is ignored)
        for key, _save, restore in self._view_states():
            value = self.ui_state.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def _view_states(
        self,
    ) -> list[tuple[str, Callable[[], QByteArray], Callable[[QByteArray], bool]]]:
        orders_header = self.orders_tab.table.horizontalHeader()
        listings_header = self.listings_tab.table.horizontalHeader()
        split = self.orders_tab.split
        return [
            ("orders/header", orders_header.saveState, orders_header.restoreState),
            ("orders/split", split.saveState, split.restoreState),
            ("listings/header", listings_header.saveState, listings_header.restoreState),
        ]

    def save_state(self) -> None:
        self.ui_state.setValue("window/geometry", self.saveGeometry())
        self.ui_state.setValue("window/state", self.saveState())
        self.ui_state.setValue("window/tab", self.tabs.currentIndex())
        for key, save, _restore in self._view_states():
            self.ui_state.setValue(key, save())
        self.ui_state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.wipe_timer.stop()
        self.reports_tab.amazon.schedule_timer.stop()
        self.save_state()
        super().closeEvent(event)
