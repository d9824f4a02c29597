"""Orders tab: searchable table of synced orders, and one order's items, totals and buyer data.

Filters a seller lives in (status, channel, marketplace, date presets, needs shipping,
ship-by risk), quick-filter buttons with live counts, saved filters (never the search
text), multi-select with actions on the selection. Buyer data is masked until the seller
reveals it; every reveal is audited. A sync updates the table in place: the selection, the
detail pane and a revealed address stay.
"""

from __future__ import annotations

from dataclasses import replace

import shiboken6
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.changes import Changes, Ids
from kinxpro_desktop.core.marketplaces import MARKETPLACES
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import Channel, OrderStatus
from kinxpro_desktop.services.exports import ExportScope
from kinxpro_desktop.services.views import OrderDetail, OrderFilter, QuickCounts
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.orders import PLACED_COLUMN, OrdersTableModel
from kinxpro_desktop.ui.tabs.data_tab import DataTab
from kinxpro_desktop.ui.widgets.export_button import ExportButton
from kinxpro_desktop.ui.widgets.order_detail import MASKED, OrderDetailPane
from kinxpro_desktop.ui.widgets.orders_actions import OrderActions
from kinxpro_desktop.ui.widgets.orders_filters import (
    DateRange,
    QuickFilters,
    apply_quick,
    end_of_today,
    save_filter,
    saved_filters,
)
from kinxpro_desktop.ui.widgets.tables import setup_table

__all__ = ["MASKED", "OrderDetailPane", "OrdersTab"]

COUNTS_DELAY_MS = 120


class OrdersTab(DataTab):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Orders", ctx, parent)
        self.model = OrdersTableModel(ctx.runner, ctx.views, self)

        self.search = QLineEdit()
        self.search.setObjectName("ordersSearch")
        self.search.setPlaceholderText("Search order id, SKU, ASIN, product or buyer name (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search_as_you_type(self.search)
        self.status_combo = QComboBox()
        self.status_combo.addItem("Any status", "")
        for status in OrderStatus:
            self.status_combo.addItem(status.label, status.value)
        self.status_combo.currentIndexChanged.connect(self.apply_filter)
        self.channel_combo = QComboBox()
        self.channel_combo.addItem("Any channel", "")
        for channel in Channel:
            self.channel_combo.addItem(channel.label, channel.value)
        self.channel_combo.currentIndexChanged.connect(self.apply_filter)
        self.needs_shipping = QCheckBox("&Needs shipping")
        self.needs_shipping.setToolTip("Merchant-fulfilled orders that are not shipped yet")
        self.needs_shipping.toggled.connect(self.apply_filter)
        self.market_combo = QComboBox()
        self.market_combo.setObjectName("ordersMarketplace")
        self.market_combo.addItem("All marketplaces", "")
        for m in MARKETPLACES:
            self.market_combo.addItem(market_label(m.marketplace_id), m.marketplace_id)
        self.market_combo.currentIndexChanged.connect(self.apply_filter)
        self.dates = DateRange()
        self.dates.changed.connect(self.apply_filter)
        self.quick = QuickFilters()
        self.quick.chosen.connect(lambda _k: self.apply_filter())
        self.saved_button = QToolButton()
        self.saved_button.setText("Saved filters")
        self.saved_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.saved_button.setToolTip("Save the current filter (without the search text)")
        self.compact_filters(self.status_combo, self.channel_combo, self.market_combo)
        self.count_label = QLabel("")
        self.count_label.setObjectName("countLabel")
        self.order_actions = OrderActions(ctx, self.selected_ids)
        self.order_actions.message.connect(ctx.events.status_message.emit)
        self.export = ExportButton(ctx, "orders", self.export_scope)
        self.settings: QSettings | None = None
        top = QHBoxLayout()
        top.addWidget(self.search, 2)
        for w in (self.status_combo, self.channel_combo, self.market_combo, self.dates):
            top.addWidget(w)
        second = QHBoxLayout()
        second.addWidget(self.quick)
        second.addWidget(self.needs_shipping)
        second.addWidget(self.saved_button)
        second.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignRight)
        third = QHBoxLayout()  # actions on the selection, under the table
        third.addWidget(self.order_actions)
        third.addStretch(1)
        third.addWidget(self.export)
        bar = QVBoxLayout()
        bar.addLayout(top)
        bar.addLayout(second)

        self.table = QTableView()
        self.table.setObjectName("ordersTable")
        self.table.setModel(self.model)
        setup_table(self.table, self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.table.sortByColumn(PLACED_COLUMN, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.detail = OrderDetailPane(ctx)
        self.split = QSplitter()
        self.split.setChildrenCollapsible(False)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addLayout(third)
        self.split.addWidget(left)
        self.detail_scroll = QScrollArea()
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.detail_scroll.setWidget(self.detail)  # a small window scrolls the pane
        self.split.addWidget(self.detail_scroll)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([880, 400])  # the table's key columns fit at the default size
        self._reselect: str | None = None
        self.counts: QuickCounts | None = None
        self._counting = False
        # the counts wait until the first page is read (both use the one database thread)
        self.counts_timer = QTimer(self)
        self.counts_timer.setSingleShot(True)
        self.counts_timer.setInterval(COUNTS_DELAY_MS)
        self.counts_timer.timeout.connect(self.refresh_counts)

        self.set_content(bar, self.split, self.model)
        self.table.activated.connect(lambda _i: self._enter_detail())  # Enter, double-click
        self._rebuild_saved_menu()

    def _enter_detail(self) -> None:
        """Enter: the current row's detail (selected alone), focus on the pane."""
        current = self.table.currentIndex()
        if current.isValid() and not self.table.selectionModel().isRowSelected(current.row()):
            self.select_row(current.row())
        self.detail_scroll.setFocus()

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [k for k in (self.model.key_at(r) for r in rows) if k is not None]

    def current_filter(self) -> OrderFilter:
        since, until = self.dates.range()
        f = OrderFilter(
            text=self.search.text().strip(),
            status=self.status_combo.currentData() or "",
            channel=self.channel_combo.currentData() or "",
            needs_shipping=self.needs_shipping.isChecked(),
            marketplace=self.market_combo.currentData() or "",
            since=since,
            until=until,
        )
        return apply_quick(f, self.quick.current(), utcnow())

    def export_scope(self) -> ExportScope:
        f = self.current_filter()
        return ExportScope(
            start=f.since, end=f.until, marketplace_id=f.marketplace or None, search=f.text
        )

    # -- quick-filter counts (on the task runner after each load) --------------------------
    def refresh_counts(self) -> None:
        if self._counting:
            return
        self._counting = True
        views, end = self._ctx.views, end_of_today()
        self._ctx.runner.submit(
            lambda: views.quick_counts(end),
            on_done=self._counts_loaded,
            on_error=lambda _e: setattr(self, "_counting", False),
        )

    def _counts_loaded(self, counts: QuickCounts) -> None:
        if not shiboken6.isValid(self.quick):
            return  # the window closed while the counts were read
        self._counting = False
        self.counts = counts
        self.quick.set_counts(counts)

    # -- saved filters: the choices only, never the search text (it may be a buyer name) ---
    def use_settings(self, settings: QSettings) -> None:
        self.settings = settings
        self._rebuild_saved_menu()

    def filter_choices(self) -> dict[str, object]:
        return {
            "status": self.status_combo.currentData() or "",
            "channel": self.channel_combo.currentData() or "",
            "marketplace": self.market_combo.currentData() or "",
            "dates": self.dates.preset.currentIndex(),
            "needs_shipping": self.needs_shipping.isChecked(),
            "quick": self.quick.current(),
        }

    def save_current_filter(self, name: str) -> None:
        if self.settings is None or not name.strip():
            return
        save_filter(self.settings, name.strip(), self.filter_choices())
        self._rebuild_saved_menu()

    def restore_filter(self, choices: dict[str, object]) -> None:
        for combo, key in (
            (self.status_combo, "status"),
            (self.channel_combo, "channel"),
            (self.market_combo, "marketplace"),
        ):
            i = combo.findData(str(choices.get(key, "")))
            combo.setCurrentIndex(max(i, 0))
        dates = choices.get("dates", 0)
        self.dates.preset.setCurrentIndex(dates if isinstance(dates, int) else 0)
        self.needs_shipping.setChecked(bool(choices.get("needs_shipping")))
        quick = str(choices.get("quick", ""))
        for k, b in self.quick.buttons.items():
            b.setChecked(k == quick)
        self.apply_filter()

    def _rebuild_saved_menu(self) -> None:
        menu = QMenu(self.saved_button)
        save = menu.addAction("Save current filter…")
        save.setEnabled(self.settings is not None)
        save.triggered.connect(
            lambda: self.save_current_filter(
                QInputDialog.getText(self, "Save filter", "Name (the search text is not saved):")[0]
            )
        )
        found = saved_filters(self.settings) if self.settings is not None else {}
        if found:
            menu.addSeparator()
        for name, choices in sorted(found.items()):
            action = menu.addAction(name)
            action.triggered.connect(lambda _=False, c=choices: self.restore_filter(c))
        old = self.saved_button.menu()
        self.saved_button.setMenu(menu)
        if old is not None:
            old.deleteLater()

    def apply_filter(self) -> None:
        self.search_timer.stop()
        self.model.set_filter(self.current_filter())

    def is_filtered(self) -> bool:
        return replace(self.current_filter(), due_by=None) != OrderFilter() or bool(
            self.quick.current()
        )

    def changed_ids(self, changes: Changes) -> tuple[bool, Ids]:
        return Changes.touches(changes.orders), changes.orders

    def _remember_selection(self) -> None:
        self._reselect = self.detail.order_id

    def on_loaded(self, total: int) -> None:
        self.count_label.setText(fmt.plural(total, "order"))
        self.counts_timer.start()
        selected = self.table.selectionModel().selectedRows()
        if selected:
            self._refresh_detail(changed=True)
            return
        # after a filter or sort change: keep the same order selected if it is still listed
        row = self.model.row_of(self._reselect) if self._reselect else None
        if row is None and self._reselect and self.model.reading_ids:
            return  # past the first page: placed once the whole id list is read
        self._reselect = None
        if row is not None:
            self.select_row(row)
        else:
            self.detail.show_detail(None)

    def select_row(self, row: int) -> None:
        self.table.selectionModel().select(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(self.model.index(row, 0))

    def _refresh_detail(self, changed: bool) -> None:
        """Re-read the selected order after a sync (the pane keeps a revealed address)."""
        order_id = self.detail.order_id
        if order_id is None or not changed:
            return
        self._ctx.runner.submit(
            self._ctx.views.order_detail,
            order_id,
            on_done=self._detail_loaded,
            on_error=lambda exc: self.detail.show_error(exc),
        )

    def _detail_key(self) -> str | None:
        """The order the detail shows: the current row when selected, else the first."""
        sel = self.table.selectionModel()
        current = self.table.currentIndex()
        if current.isValid() and sel.isRowSelected(current.row()):
            return self.model.key_at(current.row())
        rows = sorted({i.row() for i in sel.selectedRows()})
        return self.model.key_at(rows[0]) if rows else None

    def _detail_loaded(self, detail: OrderDetail) -> None:
        if self._detail_key() == detail.order.order_id:
            self.detail.show_detail(detail)

    def _selection_changed(self, selected: QItemSelection, _old: QItemSelection) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        self.order_actions.update_enabled(len(rows))
        order_id = self._detail_key() if rows else None
        if order_id is None:
            self.detail.show_detail(None)
            return
        if order_id == self.detail.order_id:
            return
        self.detail.loading(order_id)
        self._ctx.runner.submit(
            self._ctx.views.order_detail,
            order_id,
            on_done=self._detail_loaded,
            on_error=lambda exc: self.detail.show_error(exc),
        )
