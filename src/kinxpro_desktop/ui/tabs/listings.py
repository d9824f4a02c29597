"""Listings tab: every listing with price, quantity, status and issues; filters a seller
uses (status, channel, marketplace, issues (any or errors only), low stock), the selected
listing's issues with severity icons under the table, inline and bulk price/quantity edits
staged through the listing edits service, and the Pending changes panel under the table."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.changes import Changes, Ids
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.listing_edits import InvalidEdit, parse_price, parse_quantity
from kinxpro_desktop.core.listing_issues import ERROR, INFO, WARNING
from kinxpro_desktop.core.listing_issues import summary as issues_summary
from kinxpro_desktop.core.marketplaces import MARKETPLACES, currency_of
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.services.exports import ExportScope
from kinxpro_desktop.services.listing_edits import EditValue
from kinxpro_desktop.services.views import ListingFilter, ListingRow
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.delegates import CommitDelegate
from kinxpro_desktop.ui.dialogs.bulk_edit import BulkEditDialog
from kinxpro_desktop.ui.models.listings import (
    FBA_QUANTITY_TIP,
    PRICE_COLUMN,
    QUANTITY_COLUMN,
    ListingsTableModel,
    is_fba,
)
from kinxpro_desktop.ui.tabs.data_tab import DataTab
from kinxpro_desktop.ui.widgets.export_button import ExportButton
from kinxpro_desktop.ui.widgets.pending_changes import PendingChangesPanel
from kinxpro_desktop.ui.widgets.tables import setup_table

LOW_STOCK_KEY = "listings/lowStockThreshold"
STATUSES = ("Active", "Inactive", "Incomplete")
SEVERITY_ICONS = {
    ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
    WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
}


class ListingIssuesPanel(QListWidget):
    """The current listing's issues, one a line with its severity's icon (hidden when none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("listingIssues")
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.setMaximumHeight(self.fontMetrics().height() * 7)
        self.hide()

    def show_listing(self, r: ListingRow | None) -> None:
        self.clear()
        if r is None or not r.issues:
            self.hide()
            return
        head = QListWidgetItem(
            f"{r.sku} ({market_label(r.marketplace_id)}): {issues_summary(r.issues)}"
        )
        font = head.font()
        font.setBold(True)
        head.setFont(font)
        head.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.addItem(head)
        for issue in r.issues:
            item = QListWidgetItem(
                self.style().standardIcon(SEVERITY_ICONS[issue.severity]), issue.text
            )
            item.setData(Qt.ItemDataRole.UserRole, issue.severity)
            if issue.categories:
                item.setToolTip(", ".join(issue.categories))
            self.addItem(item)
        self.show()


class ListingsTab(DataTab):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Listings", ctx, parent)
        self.model = ListingsTableModel(ctx.runner, ctx.views, self)
        self.settings: QSettings | None = None
        self.search = QLineEdit()
        self.search.setObjectName("listingsSearch")
        self.search.setPlaceholderText("Search SKU, ASIN or title (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search_as_you_type(self.search)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("listingStatus")
        self.status_combo.addItem("Any status", "")
        for status in STATUSES:
            self.status_combo.addItem(status, status)
        self.channel_combo = QComboBox()
        self.channel_combo.addItem("Any channel", "")
        self.channel_combo.addItem("Merchant (FBM)", "MFN")
        self.channel_combo.addItem("Amazon (FBA)", "AFN")
        self.market_combo = QComboBox()
        self.market_combo.addItem("All marketplaces", "")
        for m in MARKETPLACES:
            self.market_combo.addItem(market_label(m.marketplace_id), m.marketplace_id)
        for combo in (self.status_combo, self.channel_combo, self.market_combo):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.issues_only = QCheckBox("With &issues")
        self.issues_only.toggled.connect(self._issues_toggled)
        self.issues_level = QComboBox()
        self.issues_level.setObjectName("issuesLevel")
        self.issues_level.addItem("any", False)
        self.issues_level.addItem("errors only", True)
        self.issues_level.setToolTip(
            "Any issue Amazon reports, or only errors (warnings and notes do not stop a sale)"
        )
        self.issues_level.setAccessibleName("Which issues")
        self.issues_level.setEnabled(False)
        self.issues_level.currentIndexChanged.connect(self.apply_filter)
        self.low_stock = QCheckBox("&Low stock ≤")
        self.low_stock.setToolTip("Merchant-fulfilled listings at or below this quantity")
        self.low_stock.toggled.connect(self.apply_filter)
        self.threshold = QSpinBox()
        self.threshold.setObjectName("lowStockThreshold")
        self.threshold.setRange(0, 100_000)
        self.threshold.setValue(5)
        self.threshold.valueChanged.connect(self._threshold_changed)
        self.bulk_button = QPushButton("&Edit selected…")
        self.bulk_button.setToolTip("Set or adjust the price or quantity of the selected listings")
        self.bulk_button.clicked.connect(self.bulk_edit)
        self.export = ExportButton(ctx, "listings", self.export_scope)
        self.compact_filters(self.status_combo, self.channel_combo, self.market_combo)
        self.count_label = QLabel("")
        self.count_label.setObjectName("countLabel")
        self.edit_message = QLabel("")
        self.edit_message.setObjectName("editMessage")
        self.edit_message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.search, 2)
        for w in (self.status_combo, self.channel_combo, self.market_combo):
            top.addWidget(w)
        second = QHBoxLayout()
        second.addWidget(self.issues_only)
        second.addWidget(self.issues_level)
        second.addWidget(self.low_stock)
        second.addWidget(self.threshold)
        second.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignRight)
        second.addWidget(self.bulk_button)
        second.addWidget(self.export)
        bar = QVBoxLayout()
        bar.addLayout(top)
        bar.addLayout(second)

        self.table = QTableView()
        self.table.setObjectName("listingsTable")
        self.table.setModel(self.model)
        setup_table(self.table, self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QTableView.EditTrigger.DoubleClicked
            | QTableView.EditTrigger.EditKeyPressed
            | QTableView.EditTrigger.AnyKeyPressed
        )
        self.delegate = CommitDelegate(self.commit_edit, self.table)
        self.table.setItemDelegateForColumn(PRICE_COLUMN, self.delegate)
        self.table.setItemDelegateForColumn(QUANTITY_COLUMN, self.delegate)
        self.table.doubleClicked.connect(self._explain_fba)
        self.cell_message = QLabel(self.table.viewport())
        self.cell_message.setObjectName("cellMessage")
        self.cell_message.setWordWrap(True)
        self.cell_message.setAutoFillBackground(True)
        self.cell_message.setFrameShape(QLabel.Shape.Box)
        self.cell_message.setMargin(4)
        self.cell_message.hide()
        self.cell_timer = QTimer(self)
        self.cell_timer.setSingleShot(True)
        self.cell_timer.setInterval(8000)
        self.cell_timer.timeout.connect(self.cell_message.hide)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.pending = PendingChangesPanel(ctx)
        self.pending.setObjectName("pendingChanges")
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        body = QWidget()
        bl = QVBoxLayout(body)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.table, 1)
        self.issues_panel = ListingIssuesPanel()
        bl.addWidget(self.issues_panel)
        bl.addWidget(self.edit_message)
        self.split.addWidget(body)
        self.split.addWidget(self.pending)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([560, 300])  # the table first; the panel grows when dragged
        self.set_content(bar, self.split, self.model)
        self.table.selectionModel().currentRowChanged.connect(self._show_issues)
        self.model.dataChanged.connect(self._show_issues)
        self.model.modelReset.connect(self._show_issues)
        self.pending.refresh(announce=False)

    # -- settings (the threshold only: no text, nothing about buyers) ------------------------
    def use_settings(self, settings: QSettings) -> None:
        self.settings = settings
        value = settings.value(LOW_STOCK_KEY)
        if value is not None:
            with contextlib.suppress(ValueError):
                self.threshold.setValue(int(str(value)))

    def _threshold_changed(self, value: int) -> None:
        if self.settings is not None:
            self.settings.setValue(LOW_STOCK_KEY, value)
        if self.low_stock.isChecked():
            self.apply_filter()

    # -- filters ---------------------------------------------------------------------------
    def current_filter(self) -> ListingFilter:
        return ListingFilter(
            text=self.search.text().strip(),
            with_issues=self.issues_only.isChecked(),
            errors_only=self.issues_only.isChecked() and bool(self.issues_level.currentData()),
            status=self.status_combo.currentData() or "",
            channel=self.channel_combo.currentData() or "",
            marketplace=self.market_combo.currentData() or "",
            low_stock=self.threshold.value() if self.low_stock.isChecked() else None,
        )

    def _issues_toggled(self, on: bool) -> None:
        self.issues_level.setEnabled(on)
        self.apply_filter()

    def _show_issues(self, *_args: object) -> None:
        index = self.table.currentIndex()
        self.issues_panel.show_listing(
            self.model.listing_at(index.row()) if index.isValid() else None
        )

    def apply_filter(self) -> None:
        self.search_timer.stop()
        self.model.set_filter(self.current_filter())

    def is_filtered(self) -> bool:
        return self.current_filter() != ListingFilter()

    def export_scope(self) -> ExportScope:
        f = self.current_filter()
        return ExportScope(marketplace_id=f.marketplace or None, search=f.text)

    def changed_ids(self, changes: Changes) -> tuple[bool, Ids]:
        return Changes.touches(changes.listings), changes.listings

    def on_loaded(self, total: int) -> None:
        self.count_label.setText(fmt.plural(total, "listing"))

    # -- edits -----------------------------------------------------------------------------
    def selected_listings(self) -> list[ListingRow]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [r for r in (self.model.listing_at(row) for row in rows) if r is not None]

    def _explain_fba(self, index: QModelIndex) -> None:
        r = self.model.listing_at(index.row())
        if index.column() == QUANTITY_COLUMN and r is not None and is_fba(r):
            self.show_edit_message(index, FBA_QUANTITY_TIP)

    def show_edit_message(self, index: QModelIndex, text: str) -> None:
        """The message right under the cell (for a few seconds) and under the table."""
        self.edit_message.setText(text)
        rect = self.table.visualRect(index)
        bubble = self.cell_message
        bubble.setText(text)
        bubble.setMaximumWidth(max(240, self.table.viewport().width() // 2))
        bubble.adjustSize()
        x = min(rect.left(), max(0, self.table.viewport().width() - bubble.width()))
        y = rect.bottom() + 2
        if y + bubble.height() > self.table.viewport().height():
            y = max(0, rect.top() - bubble.height() - 2)
        bubble.move(x, y)
        bubble.show()
        bubble.raise_()
        self.cell_timer.start()

    def commit_edit(self, index: QModelIndex, text: str) -> None:
        """Validate the typed value here (nothing staged when it is bad), then stage it."""
        r = self.model.listing_at(index.row())
        if r is None:
            return
        point = fmt.decimal_point()
        value: EditValue
        try:
            if index.column() == PRICE_COLUMN:
                currency = r.price.currency if r.price else currency_of(r.marketplace_id)
                price: Decimal = parse_price(text, currency, point)
                value = EditValue(price=price)
            else:
                if is_fba(r):
                    raise InvalidEdit(FBA_QUANTITY_TIP)
                value = EditValue(quantity=parse_quantity(text))
        except InvalidEdit as exc:
            self.show_edit_message(index, f"{r.sku}: {exc.message} Nothing was staged.")
            return
        self.edit_message.setText(f"Staging {r.sku}…")
        edits, actor = self._ctx.listing_edits, self._ctx.actor
        self._ctx.runner.submit(
            lambda: edits.stage(r.sku, r.marketplace_id, value, decimal_point=point, actor=actor),
            on_done=lambda _c: self._staged(r.sku),
            on_error=lambda exc: self._stage_failed(r.sku, exc),
        )

    def _staged(self, sku: str) -> None:
        self.edit_message.setText(f"{sku}: staged. Review and submit it in Pending changes.")
        self.pending.refresh()

    def _stage_failed(self, sku: str, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, UserError) else f"failed ({type(exc).__name__})"
        self.edit_message.setText(f"{sku}: {text} Nothing was staged.")

    def bulk_edit(self) -> BulkEditDialog | None:
        chosen = self.selected_listings()
        if not chosen:
            self.edit_message.setText("Select the listings to edit first (Shift or Ctrl+click).")
            return None
        dialog = BulkEditDialog(self._ctx, [(r.sku, r.marketplace_id) for r in chosen], parent=self)
        dialog.staged.connect(lambda _c: self.pending.refresh())
        dialog.setModal(True)
        dialog.show()
        return dialog
