"""The Labels tab: orders to ship (ship-by first; late and due-today marked), rates, buy, print
and void. Everything that touches the store, Amazon or a printer runs on the task runner; the
GUI thread only shows results. ``show_orders(order_ids)`` is the Orders tab's "Buy label"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.printing import PrinterInfo
from kinxpro_desktop.core.progress import ProgressUpdate
from kinxpro_desktop.core.shipping import BatchResult, Package, QueueEntry, RateQuote
from kinxpro_desktop.services.labels_rates import choose_format
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.dialogs.label_printers import LabelPrintersDialog, PrintSettings
from kinxpro_desktop.ui.widgets import label_actions
from kinxpro_desktop.ui.widgets.label_models import QueueModel, RatesModel

NET = TaskRunner.NET


class LabelsTab(QWidget):
    #: emitted on the GUI thread when a job finished: "queue", "rates", "buy", "print", "void"
    finished = Signal(str)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, settings: QSettings | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("labelsTab")
        self._ctx = ctx
        self.desk = ctx.labels
        self.store = settings or QSettings(
            str(ctx.paths.config_dir / "label-printers.ini"), QSettings.Format.IniFormat
        )
        self.only: list[str] | None = None
        self.printers: list[PrinterInfo] = []
        self.job: Any = None
        self.model = QueueModel(self)
        self.rates = RatesModel(self)

        self.title = QLabel("Orders to ship")
        self.title.setObjectName("labelsTitle")
        self.show_all = QPushButton("Show all")
        self.show_all.clicked.connect(lambda: self.show_orders(None))
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.rates_button = QPushButton("Get rates")
        self.rates_button.clicked.connect(lambda: self.get_rates())
        self.buy_button = QPushButton("Buy labels")
        self.buy_button.clicked.connect(lambda: self.buy())
        self.print_button = QPushButton("Print labels")
        self.print_button.clicked.connect(lambda: self.print_labels())
        self.void_button = QPushButton("Void label")
        self.void_button.clicked.connect(lambda: self.void_selected())
        self.settings_button = QPushButton("Printer settings…")
        self.settings_button.clicked.connect(self.edit_printers)
        self.ship_from_button = QPushButton("Ship-from…")
        self.ship_from_button.clicked.connect(lambda: label_actions.edit_ship_from(self))
        self.package_button = QPushButton("Package…")
        self.package_button.clicked.connect(lambda: label_actions.edit_package(self))
        self.alert = QLabel("")
        self.alert.setObjectName("labelsVoidAlert")
        self.alert.setWordWrap(True)
        self.alert.hide()
        self.print_after = QCheckBox("Print after buying")
        self.print_after.setChecked(True)
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addWidget(self.show_all)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.ship_from_button)
        bar.addWidget(self.settings_button)
        actions = QHBoxLayout()
        for w in (
            self.package_button,
            self.rates_button,
            self.buy_button,
            self.print_after,
            self.print_button,
            self.void_button,
        ):
            actions.addWidget(w)
        actions.addStretch(1)

        self.table = QTableView()
        self.table.setObjectName("labelsQueue")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_rates())
        self.rates_table = QTableView()
        self.rates_table.setObjectName("labelsRates")
        self.rates_table.setModel(self.rates)
        self.rates_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rates_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.rates_table.verticalHeader().hide()
        self.rates_table.setWordWrap(False)
        self.rates_table.horizontalHeader().setStretchLastSection(True)
        self.rates_table.doubleClicked.connect(self._choose_rate)
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.results = QListWidget()
        self.results.setObjectName("labelsResults")
        self.results.setWordWrap(True)
        lower = QWidget()
        ll = QHBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        rates_box = QVBoxLayout()
        rates_box.addWidget(QLabel("Rates for the selected order (double-click to choose):"))
        rates_box.addWidget(self.rates_table, 1)
        rates_box.addWidget(self.notes)
        ll.addLayout(rates_box, 3)
        results_box = QVBoxLayout()
        results_box.addWidget(QLabel("Results:"))
        results_box.addWidget(self.results, 1)
        ll.addLayout(results_box, 2)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([420, 260])

        self.progress = QProgressBar()
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel)
        prog = QHBoxLayout()
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addLayout(actions)
        layout.addWidget(self.alert)
        layout.addWidget(splitter, 1)
        layout.addLayout(prog)
        self.connected = False
        self.ask_reasons = True  # tests turn the reason prompts off
        self.to_print: list[str] = []  # bought, printed once the last purchase round ends
        self._update_title()
        ctx.events.data_changed.connect(self._data_changed)
        ctx.runner.submit(
            self.desk.printers, on_done=self._printers_found, on_error=self._ignore, kind=NET
        )

    def set_state(self, state: str) -> None:
        """The main window's connected / not connected hint: the queue reads the store."""
        self.connected = state == "connected"
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _data_changed(self, _changes: object) -> None:
        if self.isVisible():
            self.refresh()

    # -- settings -------------------------------------------------------------------------
    def print_settings(self) -> PrintSettings:
        return PrintSettings.load(self.store)

    def edit_printers(self) -> None:
        dialog = LabelPrintersDialog(self.printers, self.print_settings(), self)
        if dialog.exec() == LabelPrintersDialog.DialogCode.Accepted:
            dialog.settings().save(self.store)

    def _printers_found(self, printers: list[PrinterInfo]) -> None:
        self.printers = printers

    def _ignore(self, _exc: BaseException) -> None:
        """No printer system (no CUPS): the settings dialog then lists none."""

    # -- queue ----------------------------------------------------------------------------
    def show_orders(self, order_ids: Sequence[str] | None) -> None:
        """Show exactly these orders (the Orders tab's "Buy label"), or all with None."""
        self.only = list(order_ids) if order_ids is not None else None
        self._update_title()
        self.refresh()

    def _update_title(self) -> None:
        if self.only is None:
            self.title.setText("Orders to ship")
            self.show_all.hide()
        else:
            self.title.setText(f"{len(self.only)} selected order(s)")
            self.show_all.show()

    def refresh(self) -> None:
        self._ctx.runner.submit(
            self.desk.service.queue,
            self.only,
            on_done=self._queue_loaded,
            on_error=self._failed("queue"),
        )

    def _queue_loaded(self, entries: list[QueueEntry]) -> None:
        selected = set(self.selected_ids())
        self.model.set_entries(entries)
        self.table.resizeColumnsToContents()
        alert = label_actions.void_alert(entries, self.desk.clock())
        self.alert.setText(alert)
        self.alert.setVisible(bool(alert))
        if any(e.shipment and e.shipment.status.value == "RefundPending" for e in entries):
            self._ctx.runner.submit(
                self.desk.service.refresh_refunds, on_error=self._ignore, kind=NET
            )
        for row, e in enumerate(entries):
            if e.order_id in selected:
                self.table.selectRow(row)
        self._show_rates()
        self.finished.emit("queue")

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.entries[r].order_id for r in rows if r < len(self.model.entries)]

    def _targets(self) -> list[str]:
        """The selection, or every order without a live label when nothing is selected."""
        chosen = self.selected_ids()
        if chosen:
            return chosen
        return [
            e.order_id
            for e in self.model.entries
            if e.shipment is None or not e.shipment.status.live
        ]

    # -- jobs -----------------------------------------------------------------------------
    def _start(self, what: str, job: Any, on_done: Any) -> None:
        if self.job is not None:
            return
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        for b in (self.rates_button, self.buy_button, self.print_button, self.void_button):
            b.setEnabled(False)

        def done(result: Any) -> None:
            self._stop()
            on_done(result)
            self.finished.emit(what)

        def failed(exc: BaseException) -> None:
            self._stop()
            self._failed(what)(exc)

        self.job = self._ctx.runner.submit_job(
            job, on_done=done, on_error=failed, on_progress=self._progressed, kind=NET
        )

    def _progressed(self, update: ProgressUpdate) -> None:
        if update.total:
            self.progress.setRange(0, update.total)
            self.progress.setValue(update.done)
        self.progress.setFormat(f"{update.phase} %v/%m")

    def _stop(self) -> None:
        self.job = None
        self.progress.hide()
        self.cancel_button.hide()
        for b in (self.rates_button, self.buy_button, self.print_button, self.void_button):
            b.setEnabled(True)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _failed(self, what: str) -> Any:
        def show(exc: BaseException) -> None:
            text = exc.message if isinstance(exc, UserError) else type(exc).__name__
            self.results.addItem(f"✖ {text}")
            if what == "print" and "reprint needs a reason" in text and self.ask_reasons:
                self.ask_reprint_reason()
            self._ctx.events.status_message.emit(f"Labels: {text}")
            self.finished.emit(what)

        return show

    # -- rates ----------------------------------------------------------------------------
    def get_rates(self, packages: dict[str, Package] | None = None) -> None:
        ids = list(packages) if packages else self._targets()
        if not ids:
            return
        service = self.desk.service
        self._start("rates", lambda t, p: service.rates(ids, t, p, packages), self._rates_done)

    def _rates_done(self, quotes: list[RateQuote]) -> None:
        self.model.set_quotes(quotes)
        self.table.resizeColumnsToContents()
        for q in quotes:
            if q.error:
                self.results.addItem(f"✖ {q.order_id}: {q.error}")
        self._show_rates()

    def _show_rates(self) -> None:
        ids = self.selected_ids()
        quote = self.model.quotes.get(ids[0]) if ids else None
        self.rates.set_quote(quote, self.model.chosen.get(ids[0], "") if ids else "")
        self.rates_table.resizeColumnsToContents()
        notes = quote.notes if quote else ()
        self.notes.setText(
            "\n".join(
                f"Not offered: {(n.carrier + ' ' + n.service).strip()} ({n.reason}). {n.action}"
                for n in notes
            )
        )

    def _choose_rate(self, index: Any) -> None:
        ids = self.selected_ids()
        if ids and self.rates.quote is not None:
            service_id = self.rates.offers[index.row()].service_id
            self.model.choose(ids[0], service_id)
            self.rates.set_quote(self.rates.quote, service_id)

    # -- buy ------------------------------------------------------------------------------
    def _format_for(self, order_id: str) -> str:
        chosen = self.print_settings()
        if chosen.label_format:
            return chosen.label_format
        info = next((p for p in self.printers if p.name == chosen.label_printer), None)
        offer = self.model.offer(order_id)
        return choose_format(offer.formats if offer else (), info)

    def buy(self, order_ids: Sequence[str] | None = None, reason: str = "") -> None:
        ids = list(order_ids) if order_ids is not None else self._targets()
        if not ids:
            return
        service = self.desk.service
        quotes = {i: self.model.quotes[i] for i in ids if i in self.model.quotes}
        services = {i: self.model.chosen[i] for i in ids if i in self.model.chosen}
        fmt = self._format_for(ids[0])
        actor = self._ctx.actor
        self._start(
            "buy",
            lambda t, p: service.buy_many(
                ids,
                t,
                p,
                quotes=quotes,
                services=services,
                label_format=fmt,
                actor=actor,
                reason=reason,
            ),
            self._bought,
        )

    def _bought(self, batch: BatchResult) -> None:
        for r in batch.results:
            self.results.addItem(("✔ " if r.ok else "✖ ") + r.message)
        if batch.cancelled:
            self.results.addItem("Stopped: the remaining orders were not bought.")
        self._ctx.events.status_message.emit(
            f"Labels: {batch.bought} bought, {batch.failed} failed"
        )
        self.to_print += [r.order_id for r in batch.results if r.ok and r.shipment is not None]
        self.refresh()
        again = [r.order_id for r in batch.results if not r.ok and "give a reason" in r.message]
        if again and self.ask_reasons:
            reason, ok = QInputDialog.getText(
                self,
                "Buy another label",
                f"{len(again)} order(s) already have a label (a reprint is free). Why buy "
                "another one? The reason is recorded in the audit log.",
            )
            if ok and reason.strip():
                self.buy(again, reason.strip())
                return
        bought, self.to_print = self.to_print, []
        if bought and self.print_after.isChecked() and self.print_settings().label_printer:
            self.print_labels(bought)

    # -- print (ui/widgets/label_actions.py) -----------------------------------------------
    def print_labels(self, order_ids: Sequence[str] | None = None, reason: str = "") -> None:
        label_actions.print_labels(self, order_ids, reason)

    def ask_reprint_reason(self) -> None:
        reason, ok = QInputDialog.getText(self, "Reprint", "Why print this label again?")
        if ok and reason.strip():
            self.print_labels(None, reason)

    # -- void (ui/widgets/label_actions.py) ------------------------------------------------
    def void_selected(self, confirm: bool = True) -> None:
        label_actions.void_selected(self, confirm)
