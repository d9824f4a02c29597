"""The Labels tab's one entry point: the label service and label printing over the same store,
Connection and Printer (built in app.py). Every call may block: the UI runs them on the task
runner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from kinxpro_desktop.core.printing import Printer, PrinterInfo
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.services.labels import Json, LabelService
from kinxpro_desktop.services.labels_print import LabelPrinting
from kinxpro_desktop.store.database import Database

if TYPE_CHECKING:
    from kinxpro_desktop.services.connection import Connection


class LabelDesk:
    def __init__(
        self,
        db: Database,
        connection: Connection,
        printer: Printer,
        *,
        clock: Callable[[], datetime] = utcnow,
        ship_from_default: Json | None = None,
    ) -> None:
        self.service = LabelService(
            db, connection, clock=clock, ship_from_default=ship_from_default
        )
        self.printing = LabelPrinting(db, self.service, printer, clock=clock)
        self.clock = clock

    def printers(self) -> list[PrinterInfo]:
        return self.printing.printer.printers()
