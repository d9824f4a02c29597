"""The Labels tab's dialogs (ship-from address, package) and its void-deadline alert. Reads
and writes go to the task runner; the dialogs open on the GUI thread with what was read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox

from kinxpro_desktop.core.shipping import Package, QueueEntry, ShipmentStatus
from kinxpro_desktop.services.labels_print import PrintOutcome
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.dialogs.label_package import PackageDialog
from kinxpro_desktop.ui.dialogs.label_ship_from import ShipFromDialog

if TYPE_CHECKING:
    from kinxpro_desktop.ui.tabs.labels import LabelsTab

VOID_ALERT = timedelta(hours=6)


def void_alert(entries: Sequence[QueueEntry], now: datetime) -> str:
    """Words for labels whose void deadline passes soon ("" when none)."""
    soon = [
        e.shipment
        for e in entries
        if e.shipment is not None
        and e.shipment.status is ShipmentStatus.PURCHASED
        and e.shipment.void_deadline is not None
        and now <= e.shipment.void_deadline <= now + VOID_ALERT
    ]
    if not soon:
        return ""
    first = min(s.void_deadline for s in soon if s.void_deadline)
    return (
        f"⚠ {fmt.plural(len(soon), 'label')} can be voided only until "
        f"{fmt.local_datetime(first)} or soon after: void unused labels before then."
    )


def edit_ship_from(tab: LabelsTab) -> None:
    service = tab.desk.service

    def show(current: Any) -> None:
        dialog = ShipFromDialog(current, tab)
        if dialog.exec() != ShipFromDialog.DialogCode.Accepted:
            return
        tab._ctx.runner.submit(
            service.set_ship_from,
            dialog.address(),
            tab._ctx.actor,
            on_done=lambda _a: tab.results.addItem("✔ Ship-from address saved."),
            on_error=tab._failed("ship_from"),
        )

    tab._ctx.runner.submit(service.ship_from, on_done=show, on_error=tab._failed("ship_from"))


def edit_package(tab: LabelsTab) -> None:
    ids = tab.selected_ids()
    if not ids:
        tab.results.addItem("✖ Select the orders that go in this package.")
        return
    service = tab.desk.service

    def read() -> tuple[dict[str, Package], Package]:
        return service.packages.boxes(), service.packages.for_order(service.order(ids[0]))

    def show(found: tuple[dict[str, Package], Package]) -> None:
        boxes, current = found
        dialog = PackageDialog(boxes, current, tab)
        if dialog.exec() != PackageDialog.DialogCode.Accepted:
            return
        package = dialog.package()
        if dialog.save_as.text().strip():
            now = tab.desk.clock()
            tab._ctx.runner.submit(
                lambda: service.packages.save_box(package.preset, package, now=now),
                on_error=tab._failed("package"),
            )
        tab.get_rates({i: package for i in ids})

    tab._ctx.runner.submit(read, on_done=show, on_error=tab._failed("package"))


def void_selected(tab: LabelsTab, confirm: bool = True) -> None:
    ids = tab.selected_ids()
    if len(ids) != 1:
        tab.results.addItem("✖ Select one order to void its label.")
        return
    if confirm:
        answer = QMessageBox.question(
            tab,
            "Void label",
            f"Void the label of order {ids[0]}? Amazon refunds it if the carrier has not "
            "scanned the package; the order stays Shipped.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
    service = tab.desk.service
    actor = tab._ctx.actor
    tab._start("void", lambda t, _p: service.void(ids[0], actor, t), lambda rec: _voided(tab, rec))


def _voided(tab: LabelsTab, record: Any) -> None:
    tab.results.addItem(f"✔ Order {record.order_id}: {record.status.label}")
    tab.refresh()


def print_labels(tab: LabelsTab, order_ids: Sequence[str] | None, reason: str) -> None:
    """The bought labels of `order_ids` (or the selection) as one job on the label printer,
    packing slips after them when the settings say so."""
    ids = list(order_ids) if order_ids is not None else tab.selected_ids()
    chosen = tab.print_settings()
    if not ids:
        return
    if not chosen.label_printer:
        tab.results.addItem("✖ Choose a label printer first (Printer settings…).")
        return
    printing = tab.desk.printing
    actor = tab._ctx.actor

    def job(token: Any, progress: Any) -> PrintOutcome:
        return printing.print_labels(
            ids,
            chosen.label_printer,
            page=chosen.label_paper,
            reason=reason,
            actor=actor,
            packing_slips=chosen.slip_after_label,
            slip_printer=chosen.slip_printer,
            slip_page=chosen.slip_paper,
            cancel=token,
            progress=progress,
        )

    tab._start("print", job, lambda outcome: _printed(tab, outcome))


def _printed(tab: LabelsTab, outcome: PrintOutcome) -> None:
    tab.results.addItem(
        f"✔ Printed {len(outcome.order_ids)} label(s) ({len(outcome.jobs)} job(s))"
        + (" and packing slips" if outcome.slip_job else "")
    )
    for warning in outcome.warnings:
        tab.results.addItem(f"⚠ {warning}")
