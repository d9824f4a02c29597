"""The dashboard: headline tiles (one line per currency), charts, top movers and low stock,
the profit view, with period and marketplace pickers. Loading runs on the task runner; the GUI
thread only draws the result. Every settlement total (a tile's fees, refunds or net proceeds,
a cell of the profit view) opens the settlement lines that make it up."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.services.dashboard import (
    PERIODS,
    Breakdown,
    CurrencyFigures,
    Dashboard,
    Tile,
)
from kinxpro_desktop.services.exports import ExportScope
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.dialogs.profit_breakdown import ProfitBreakdownDialog
from kinxpro_desktop.ui.widgets import charts
from kinxpro_desktop.ui.widgets.export_button import ExportButton
from kinxpro_desktop.ui.widgets.profit import CLICK_HINT, ProfitView

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """`widget` with its object name set (the stylesheet and tests find it by name)."""
    widget.setObjectName(name)
    return widget


Loader = Callable[[str, str], Dashboard]


def _money(m: Money | None) -> str:
    return "—" if m is None else fmt.money(m)


def _link(measure: str, f: CurrencyFigures, text: str) -> str:
    """A settlement figure as a link ("measure|currency") to its settlement lines."""
    return f"<a href='{measure}|{html.escape(f.currency)}'>{html.escape(text)}</a>"


def _figure_lines(f: CurrencyFigures) -> str:
    lines = [
        f"<b style='font-size:15pt'>{html.escape(_money(f.sales))}</b>",
        f"{fmt.plural(f.orders, 'order')} · {fmt.plural(f.units, 'unit')}",
    ]
    if f.net is not None:
        lines.append(
            f"Fees {_link('fees', f, _money(f.fees))} · refunds "
            f"{_link('refunds', f, _money(f.refunds))}"
            f"<br>Net proceeds <b>{_link('net', f, _money(f.net))}</b>"
        )
    return "<br>".join(lines)


def _days_text(dash: Dashboard) -> str:
    zones = dash.time_zones or (dash.time_zone,)
    if len(zones) == 1:
        return f"marketplace days, {zones[0]} time"
    return "each marketplace's own days: " + ", ".join(zones)


class TileWidget(QFrame):
    breakdown_requested = Signal(str, str, str)  # period key, measure, currency

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("dashboardTile")
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("tileTitle")
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.body.setToolTip(CLICK_HINT)
        self.body.linkActivated.connect(self._link)
        self.key = ""
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)

    def _link(self, href: str) -> None:
        measure, _, currency = href.partition("|")
        if self.key and currency:
            self.breakdown_requested.emit(self.key, measure, currency)

    def show_tile(self, tile: Tile) -> None:
        self.key = tile.key
        self.title.setText(f"<b>{html.escape(tile.label)}</b>")
        if not tile.figures:
            self.body.setText("No orders")
            return
        self.body.setText("<hr>".join(_figure_lines(f) for f in tile.figures))


class DashboardView(QWidget):
    refreshed = Signal(object)  # Dashboard
    failed = Signal(str)

    def __init__(
        self, ctx: AppContext, load: Loader | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._load = load or ctx.dashboard.load
        self.dashboard: Dashboard | None = None
        self._pending: tuple[str, str] | None = None
        self._busy = False
        self.breakdown_dialog: ProfitBreakdownDialog | None = None

        self.period = named(QComboBox(), "dashboardPeriod")
        for key, label in PERIODS.items():
            self.period.addItem(label, key)
        self.period.setCurrentIndex(list(PERIODS).index("30d"))
        self.market = named(QComboBox(), "dashboardMarketplace")
        self.market.addItem("All marketplaces", "")
        self.currency = named(QComboBox(), "dashboardCurrency")
        self.refresh_button = named(QPushButton("Refresh"), "dashboardRefresh")
        self.export = ExportButton(ctx, "sales", self._export_scope)
        self.status = named(QLabel(), "dashboardStatus")
        self.status.setWordWrap(True)

        for combo, chars in ((self.period, 13), (self.market, 14), (self.currency, 4)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(chars)
        bar = QHBoxLayout()
        for label, widget in (
            ("Period", self.period),
            ("Marketplace", self.market),
            ("Chart currency", self.currency),
        ):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addStretch(1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.refresh_button)
        status_row.addWidget(self.export)

        self.tiles = [TileWidget() for _ in range(4)]
        tiles = QHBoxLayout()
        for t in self.tiles:
            tiles.addWidget(t, 1)
            t.breakdown_requested.connect(self.open_breakdown)

        self.sales_chart = charts.chart_view("Sales by day", "chartSalesByDay")
        self.sku_chart = charts.chart_view("Units by SKU (top 8)", "chartUnitsBySku")
        self.channel_chart = charts.chart_view("Orders by channel", "chartOrdersByChannel")
        self.market_chart = charts.chart_view("Orders by marketplace", "chartOrdersByMarket")
        grid = QGridLayout()
        grid.addWidget(self.sales_chart, 0, 0)
        grid.addWidget(self.sku_chart, 0, 1)
        grid.addWidget(self.channel_chart, 1, 0)
        grid.addWidget(self.market_chart, 1, 1)
        self.movers = named(QLabel(), "dashboardMovers")
        self.low_stock = named(QLabel(), "dashboardLowStock")
        self.profit = ProfitView(ctx, lambda: self.dashboard)
        self.profit.breakdown_requested.connect(self._profit_cell)
        self.settlement_note = named(QLabel(), "dashboardSettlementNote")
        self.settlement_note.setWordWrap(True)
        lists = QHBoxLayout()
        for w in (self.movers, self.low_stock):
            w.setWordWrap(True)
            lists.addWidget(w, 1)

        inner = QWidget()
        body = QVBoxLayout(inner)
        body.addLayout(tiles)
        body.addWidget(self.settlement_note)
        body.addLayout(grid)
        body.addLayout(lists)
        body.addWidget(self.profit)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.addLayout(bar)
        outer.addLayout(status_row)
        outer.addWidget(scroll, 1)

        self.period.currentIndexChanged.connect(self.refresh)
        self.market.currentIndexChanged.connect(self.refresh)
        self.currency.currentIndexChanged.connect(self._draw_sales)
        self.refresh_button.clicked.connect(self.refresh)

    def _export_scope(self) -> ExportScope:
        d = self.dashboard
        if d is None:
            return ExportScope()
        return ExportScope(start=d.start, end=d.end, marketplace_id=d.marketplace_id or None)

    def refresh(self) -> None:
        """Load on the task runner; a change while loading is applied after it."""
        wanted = (str(self.period.currentData()), str(self.market.currentData() or ""))
        if self._busy:
            self._pending = wanted
            return
        self._busy = True
        self.status.setText("Updating…")
        self._ctx.runner.submit(self._load, *wanted, on_done=self._loaded, on_error=self._error)

    def _after(self) -> None:
        self._busy = False
        if self._pending is not None:
            self._pending = None
            self.refresh()

    def _error(self, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, UserError) else "The dashboard could not load."
        self.status.setText(message)
        self.failed.emit(message)
        self._after()

    def _loaded(self, dash: Dashboard) -> None:
        self.dashboard = dash
        last = dash.end - timedelta(days=1)
        self.status.setText(
            f"{PERIODS[dash.period]}: {dash.start:%Y-%m-%d} to {last:%Y-%m-%d} ({_days_text(dash)})"
        )
        self._fill_markets(dash)
        for widget, tile in zip(self.tiles, dash.tiles, strict=True):
            widget.show_tile(tile)
        self.settlement_note.setText(dash.settlement_note)
        currencies = list(dash.sales_by_day)
        current = self.currency.currentData()
        self.currency.blockSignals(True)
        self.currency.clear()
        for c in currencies:
            self.currency.addItem(c, c)
        if current in currencies:
            self.currency.setCurrentIndex(currencies.index(current))
        elif currencies:
            biggest = max(dash.figures, key=lambda f: f.orders)
            self.currency.setCurrentIndex(currencies.index(biggest.currency))
        self.currency.blockSignals(False)
        self._draw_sales()
        charts.fill_units_by_sku(self.sku_chart.chart(), dash)
        charts.fill_pie(self.channel_chart.chart(), charts.channel_parts(dash))
        charts.fill_pie(self.market_chart.chart(), charts.marketplace_parts(dash))
        self._fill_lists(dash)
        self.refreshed.emit(dash)
        self._after()

    def _fill_markets(self, dash: Dashboard) -> None:
        known = {self.market.itemData(i) for i in range(self.market.count())}
        self.market.blockSignals(True)
        for market, _cur, _n, _s in dash.by_marketplace:
            if market not in known:
                self.market.addItem(market_label(market), market)
                known.add(market)
        self.market.blockSignals(False)

    def _draw_sales(self) -> None:
        if self.dashboard is not None:
            currency = str(self.currency.currentData() or "")
            charts.fill_sales_by_day(self.sales_chart.chart(), self.dashboard, currency)

    def _fill_lists(self, dash: Dashboard) -> None:
        def table(title: str, rows: list[str]) -> str:
            body = "".join(f"<li>{r}</li>" for r in rows) or "<li>None</li>"
            return f"<b>{title}</b><ul>{body}</ul>"

        self.movers.setText(
            table(
                "Top movers (vs the period before)",
                [f"{html.escape(s.sku)}: {s.units} units ({s.change:+d})" for s in dash.top_movers],
            )
        )
        self.low_stock.setText(
            table(
                "Low stock",
                [
                    f"{html.escape(s.sku)} ({market_label(s.marketplace_id)}): {s.quantity}"
                    for s in dash.low_stock
                ],
            )
        )
        self.profit.show_profit(dash.profit, dash.profit_note)

    def _profit_cell(self, measure: str, currency: str, sku: str | None) -> None:
        if self.dashboard is not None:
            self.open_breakdown(self.dashboard.period, measure, currency, sku)

    def open_breakdown(
        self, period: str, measure: str, currency: str, sku: str | None = None
    ) -> ProfitBreakdownDialog | None:
        """The settlement lines behind a total of the loaded dashboard, read on the task
        runner for the same moment the dashboard was loaded at (so they add up to it)."""
        dash = self.dashboard
        if dash is None:
            return None
        market, as_of, service = dash.marketplace_id, dash.as_of, self._ctx.dashboard

        def load() -> Breakdown:
            return service.breakdown(period, market, measure, currency, sku, as_of)

        if self.breakdown_dialog is not None:
            self.breakdown_dialog.close()
            self.breakdown_dialog.deleteLater()
        dialog = ProfitBreakdownDialog(self._ctx, load, self)
        self.breakdown_dialog = dialog
        dialog.show()
        dialog.start()
        return dialog
