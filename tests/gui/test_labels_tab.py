"""The Labels tab with pytest-qt, offscreen: a real encrypted store synced from the simulator,
the label service over a real Connection, printing to a private CUPS (cups-pdf). Orders'
selection -> Labels -> rates -> buy -> printed output, with the GUI thread never blocked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer

from kinxpro_desktop.app import build_context
from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.printing.system import SystemPrinter
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.labels_desk import LabelDesk
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.dialogs.label_printers import LabelPrintersDialog, PrintSettings
from kinxpro_desktop.ui.tabs.labels import LabelsTab
from tests.integration.labels.conftest import SCALE, START, sync_store
from tests.integration.printing import conftest as printing_fixtures
from tests.integration.printing.test_cups_printing import assert_size, text_of
from tests.support.cups import PrivateCups
from tests.support.simulator import SHIP_FROM, creds_for

private_cups = printing_fixtures.private_cups  # the private CUPS daemon (session)
cups = printing_fixtures.cups  # its queues, reset per test


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(start=START, orders=600, days=4, listings=20, time_scale=SCALE) as s:
        yield s


@pytest.fixture
def ctx(
    app_paths: AppPaths, raw_key: DatabaseKey, sim: Simulator, cups: PrivateCups, qtbot: object
) -> Iterator[AppContext]:
    db = Database.open(app_paths.database, raw_key)
    sync_store(db, sim)
    connection = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim))
    desk = LabelDesk(
        db,
        connection,
        SystemPrinter(cups_server=cups.server),
        clock=sim.now,
        ship_from_default=SHIP_FROM,
    )
    runner = TaskRunner()
    context = build_context(app_paths, PrivacyService(db), runner, "keyring", labels=desk)
    yield context
    assert runner.shutdown(20_000)
    connection.close()
    db.close()


class GapMeter:
    """Ticks every 10 ms on the GUI thread; the longest gap says whether it was blocked."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.worst = 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def pause(self) -> None:
        """The test's own synchronous checks (qtmodeltester) are not the app blocking."""
        self.timer.stop()

    def resume(self) -> None:
        self.last = time.monotonic()
        self.timer.start()


@pytest.mark.cups
def test_selection_to_rates_to_buy_to_printed_output(
    ctx: AppContext,
    cups: PrivateCups,
    qtbot,
    qtmodeltester,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    store = QSettings(str(tmp_path / "printers.ini"), QSettings.Format.IniFormat)
    PrintSettings(label_printer=cups.pdf_queue, label_paper=PageSize.LABEL_4X6).save(store)
    tab = LabelsTab(ctx, settings=store)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    qtbot.waitUntil(lambda: tab.model.rowCount() > 2, timeout=10_000)
    qtmodeltester.check(tab.model)
    entries = tab.model.entries
    assert [e.ship_by for e in entries if e.ship_by] == sorted(
        e.ship_by for e in entries if e.ship_by
    )
    picked = [e.order_id for e in entries if e.shipment is None][:2]

    # the Orders tab's "Buy label" hands its selection over
    tab.show_orders(picked)
    qtbot.waitUntil(lambda: [e.order_id for e in tab.model.entries] == picked, timeout=10_000)
    assert tab.show_all.isVisibleTo(tab)
    tab.table.selectAll()
    meter = GapMeter()
    qtbot.mouseClick(tab.rates_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.model.quotes) == 2 and tab.job is None, timeout=30_000)
    meter.pause()
    qtmodeltester.check(tab.model)
    tab.table.selectRow(0)
    assert tab.rates.rowCount() >= 3
    qtmodeltester.check(tab.rates)
    meter.resume()
    assert "DHL_ECOMMERCE" in tab.notes.text()
    tab.table.selectAll()
    qtbot.mouseClick(tab.buy_button, Qt.MouseButton.LeftButton)

    def printed() -> bool:
        return any(
            tab.results.item(i).text().startswith("✔ Printed") for i in range(tab.results.count())
        )

    def printed_count() -> int:
        return sum(
            tab.results.item(i).text().startswith("✔ Printed") for i in range(tab.results.count())
        )

    qtbot.waitUntil(printed, timeout=60_000)
    meter.timer.stop()
    assert meter.worst < 0.5, f"GUI thread blocked for {meter.worst:.2f} s"
    texts = [tab.results.item(i).text() for i in range(tab.results.count())]
    assert sum(t.startswith("✔ Bought") for t in texts) == 2, texts
    (pdf,) = cups.new_pdfs(1)
    assert_size(pdf, PageSize.LABEL_4X6, pages=2)  # one job, in queue order (Qt-painted)
    qtbot.waitUntil(lambda: all(e.shipment is not None for e in tab.model.entries), timeout=10_000)
    assert "Purchased" in tab.model.index(0, 6).data()
    # a reprint of one label (reason given) goes as the vector PDF: its text is readable
    first = tab.model.entries[0]
    assert first.shipment is not None
    tab.print_labels([first.order_id], reason="smudged")
    qtbot.waitUntil(lambda: tab.job is None and printed_count() == 2, timeout=30_000)
    (single,) = cups.new_pdfs(1)
    assert_size(single, PageSize.LABEL_4X6)
    assert first.shipment.tracking_id in text_of(single)

    # void the first label from the tab: Amazon's RefundPending, the order stays listed
    tab.table.selectRow(0)
    tab.void_selected(confirm=False)
    qtbot.waitUntil(
        lambda: any("Voided (refund pending)" in t for t in result_texts(tab)), timeout=20_000
    )
    qtbot.waitUntil(lambda: "Voided" in tab.model.index(0, 6).data(), timeout=10_000)

    # its label voided, the order may be labelled again: rates with a custom package
    from kinxpro_desktop.core.shipping import Package

    tab.get_rates({first.order_id: Package(12, 10, 6, 40)})
    qtbot.waitUntil(
        lambda: tab.job is None and tab.model.quotes[first.order_id].package.weight_oz == 40,
        timeout=20_000,
    )
    assert not tab.model.quotes[first.order_id].error
    assert "40 oz" in tab.model.index(0, 4).data()


def result_texts(tab: LabelsTab) -> list[str]:
    return [tab.results.item(i).text() for i in range(tab.results.count())]


def test_printer_settings_dialog_round_trips(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kinxpro_desktop.core.printing import PrinterInfo

    store = QSettings(str(tmp_path / "p.ini"), QSettings.Format.IniFormat)
    printers = [PrinterInfo("Office", is_default=True), PrinterInfo("Zebra", dpi=300, thermal=True)]
    dialog = LabelPrintersDialog(printers, PrintSettings.load(store))
    qtbot.addWidget(dialog)
    dialog.label_printer.setCurrentIndex(dialog.label_printer.findData("Zebra"))
    dialog.label_format.setCurrentText("ZPL300")
    dialog.slip_printer.setCurrentIndex(dialog.slip_printer.findData("Office"))
    dialog.slip_after.setChecked(True)
    dialog.settings().save(store)
    again = PrintSettings.load(QSettings(str(tmp_path / "p.ini"), QSettings.Format.IniFormat))
    assert again == PrintSettings(
        "Zebra", PageSize.LABEL_4X6, "ZPL300", "Office", PageSize.LETTER, True
    )


def test_zpl_format_follows_the_thermal_printer_dpi() -> None:
    from kinxpro_desktop.core.printing import PrinterInfo
    from kinxpro_desktop.services.labels_rates import choose_format

    offered = ("PDF", "PNG", "ZPL203", "ZPL300")
    zebra300 = PrinterInfo("Zebra", dpi=300, raw_capable=True, thermal=True)
    zebra203 = PrinterInfo("Zebra", dpi=203, raw_capable=True, thermal=True)
    office = PrinterInfo("Office", dpi=600)
    assert choose_format(offered, zebra300) == "ZPL300"
    assert choose_format(offered, zebra203) == "ZPL203"
    assert choose_format(("PDF", "ZPL203"), zebra300) == "ZPL203"
    assert choose_format(offered, office) == "PDF"
    assert choose_format(("PNG",), office) == "PNG"


def test_void_deadline_alert_and_dialogs(qtbot) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from kinxpro_desktop.core.models import Money
    from kinxpro_desktop.core.shipping import Package, QueueEntry, ShipmentRecord, ShipmentStatus
    from kinxpro_desktop.ui.dialogs.label_package import PackageDialog
    from kinxpro_desktop.ui.dialogs.label_ship_from import ShipFromDialog
    from kinxpro_desktop.ui.widgets.label_actions import void_alert

    now = datetime(2026, 3, 2, 12, tzinfo=UTC)

    def entry(hours: float, status: ShipmentStatus = ShipmentStatus.PURCHASED) -> QueueEntry:
        record = ShipmentRecord(
            1, "111-1", "s", "UPS", "UPS Ground", "1Z", status, Money.from_minor(900, "USD"),
            now - timedelta(hours=20), void_deadline=now + timedelta(hours=hours),
        )  # fmt: skip
        return QueueEntry("111-1", "US", now, "Shipped", None, None, (("SKU", 1),), "", False,
                          False, record)  # fmt: skip

    assert void_alert([entry(30)], now) == ""
    assert "1 label" in void_alert([entry(4), entry(30)], now)
    assert void_alert([entry(4, ShipmentStatus.REFUND_PENDING)], now) == ""

    boxes = {"Shoe box": Package(14, 8, 5, 32, "Shoe box")}
    dialog = PackageDialog(boxes, Package(10, 8, 4, 16))
    qtbot.addWidget(dialog)
    dialog.preset.setCurrentIndex(dialog.preset.findData("Shoe box"))
    assert dialog.package() == Package(14, 8, 5, 32, "Shoe box")
    ship_from = ShipFromDialog({"Name": "Kinxpro Goods", "CountryCode": "US"})
    qtbot.addWidget(ship_from)
    ship_from.edits["City"].setText(" Seattle ")
    assert ship_from.address() == {"Name": "Kinxpro Goods", "City": "Seattle", "CountryCode": "US"}


@pytest.mark.cups
def test_main_window_buy_labels_hands_the_orders_selection_to_the_labels_tab(
    ctx: AppContext,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    from kinxpro_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    queue = ctx.labels.service.queue()
    picked = [e.order_id for e in queue][:3]
    window.buy_labels(picked)
    assert window.tabs.currentWidget() is window.labels_tab
    qtbot.waitUntil(
        lambda: [e.order_id for e in window.labels_tab.model.entries] == picked, timeout=10_000
    )
