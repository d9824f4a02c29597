"""QtCharts for the dashboard: sales by day (one currency at a time), units by SKU, orders by
channel and by marketplace. Each builder fills an existing QChart so views keep their place."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtGui import QPainter

from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.vocabulary import Channel
from kinxpro_desktop.services.dashboard import Dashboard


def chart_view(title: str, name: str) -> QChartView:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    view = QChartView(chart)
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return view


def _reset(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def fill_sales_by_day(chart: QChart, dash: Dashboard, currency: str) -> QLineSeries | None:
    """One currency's daily item sales as a line over dates (each marketplace's own days;
    currencies are never put on one axis)."""
    _reset(chart)
    series_data = dash.sales_by_day.get(currency, [])
    chart.setTitle(f"Sales by day ({currency})" if currency else "Sales by day")
    if not series_data:
        return None
    line = QLineSeries()
    line.setName(currency)
    line.setPointsVisible(True)
    stamps = []
    for day, m in series_data:
        when = QDateTime(QDate.fromString(day, "yyyy-MM-dd"), QTime(12, 0), QTimeZone.utc())
        stamps.append(when)
        line.append(float(when.toMSecsSinceEpoch()), float(m.amount))
    chart.addSeries(line)
    x = QDateTimeAxis()
    x.setFormat("d MMM")
    x.setTickCount(min(8, max(2, len(series_data))))
    x.setTitleText(f"{series_data[0][0]} to {series_data[-1][0]} (marketplace days)")
    # one day alone, or only zero sales, would give the axes an empty range (NaN in QtCharts)
    x.setRange(stamps[0].addSecs(-12 * 3600), stamps[-1].addSecs(12 * 3600))
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    line.attachAxis(x)
    y = QValueAxis()
    y.setLabelFormat("%.0f")
    y.setTitleText(currency)
    top = max(float(m.amount) for _d, m in series_data)
    y.setRange(min(0.0, *(float(m.amount) for _d, m in series_data)), top if top > 0 else 1.0)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    line.attachAxis(y)
    y.applyNiceNumbers()
    chart.legend().setVisible(False)
    return line


def fill_units_by_sku(chart: QChart, dash: Dashboard) -> QBarSet | None:
    _reset(chart)
    rows = list(reversed(dash.by_sku[:8]))
    if not rows:
        return None
    bars = QBarSet("Units")
    bars.append([float(s.units) for s in rows])
    series = QHorizontalBarSeries()
    series.append(bars)
    chart.addSeries(series)
    y = QBarCategoryAxis()
    y.append([s.sku for s in rows])
    font = y.labelsFont()
    font.setPointSizeF(max(6.5, font.pointSizeF() - 1.5))
    y.setLabelsFont(font)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(y)
    x = QValueAxis()
    x.setLabelFormat("%.0f")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    x.applyNiceNumbers()
    chart.legend().setVisible(False)
    return bars


def fill_pie(chart: QChart, parts: list[tuple[str, float]]) -> QPieSeries:
    _reset(chart)
    pie = QPieSeries()
    for name, value in parts:
        if value > 0:
            pie.append(f"{name}: {value:,.0f}", value)
    pie.setLabelsVisible(True)
    chart.addSeries(pie)
    chart.legend().setVisible(False)
    return pie


def channel_parts(dash: Dashboard) -> list[tuple[str, float]]:
    out = []
    for channel, n in dash.by_channel.items():
        try:
            name = Channel(channel).label
        except ValueError:
            name = channel
        out.append((name, float(n)))
    return out


def marketplace_parts(dash: Dashboard) -> list[tuple[str, float]]:
    totals: dict[str, int] = {}
    for market, _cur, orders, _sales in dash.by_marketplace:
        totals[market] = totals.get(market, 0) + orders
    return [(market_label(m), float(n)) for m, n in sorted(totals.items())]
