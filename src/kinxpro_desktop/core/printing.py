"""What the app asks of a local printer: the Printer protocol, its values and its errors.

``printing/`` implements it (Qt painting, CUPS, the Windows spooler); services receive it by
injection, so a print and its audit entry happen in one service call. Every method may be
called from a worker thread and never opens a dialog.

Job titles end up in the spooler's job history and page log: callers pass order ids or
tracking ids only, never a buyer's name or address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kinxpro_desktop.core.errors import UserError

POINTS_PER_INCH = 72.0
MM_PER_INCH = 25.4


class PageSize(StrEnum):
    """The paper a document is printed on."""

    LABEL_4X6 = "4x6"
    LETTER = "letter"
    A4 = "a4"

    @property
    def points(self) -> tuple[float, float]:
        """(width, height) in PostScript points, portrait."""
        return _POINTS[self]

    @property
    def millimetres(self) -> tuple[float, float]:
        w, h = self.points
        return (w / POINTS_PER_INCH * MM_PER_INCH, h / POINTS_PER_INCH * MM_PER_INCH)

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, value: str) -> PageSize:
        """From a setting or a command-line value ("4x6", "Letter", "A4", "100x150mm")."""
        key = value.strip().lower().replace(" ", "")
        key = _ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            choices = ", ".join(p.value for p in cls)
            raise UserError(f"Unknown paper size {value!r}: choose one of {choices}.") from None


_POINTS = {
    PageSize.LABEL_4X6: (288.0, 432.0),
    PageSize.LETTER: (612.0, 792.0),
    PageSize.A4: (595.28, 841.89),
}
_LABELS = {
    PageSize.LABEL_4X6: "4 × 6 in label",
    PageSize.LETTER: "US Letter",
    PageSize.A4: "A4",
}
_ALIASES = {"4x6in": "4x6", "100x150mm": "4x6", "6x4": "4x6", "usletter": "letter"}


@dataclass(frozen=True)
class PrinterInfo:
    name: str
    is_default: bool = False
    dpi: int | None = None  # the printer's resolution when the driver says
    raw_capable: bool = False  # accepts raw bytes (ZPL) as they are
    thermal: bool = False  # a label printer (Zebra-like), so ZPL is its own language
    model: str = ""
    accepting: bool = True  # False: the queue is stopped or rejects jobs

    @property
    def zpl_format(self) -> str:
        """The Amazon label format matching this printer's resolution (ZPL203 or ZPL300)."""
        return "ZPL300" if self.dpi is not None and self.dpi >= 290 else "ZPL203"


@dataclass(frozen=True)
class PrintJob:
    """What the spooler took. ``bytes_sent`` is what the app handed over (for Qt-rendered
    jobs on CUPS, the size the spooler counted, in whole KiB)."""

    job_id: str
    queue: str
    bytes_sent: int
    pages: int
    completed: bool = False  # the spooler reported the job done
    purged: bool = False  # the job's files were removed from the spool


class PrintFailed(UserError):
    title = "Printing failed"

    @classmethod
    def no_such_printer(cls, name: str, available: Sequence[str]) -> PrintFailed:
        known = ", ".join(available) if available else "none"
        return cls(
            f"There is no printer named {name!r} (printers found: {known}). "
            "Choose one in the print settings, or add it in the system's printer settings."
        )

    @classmethod
    def queue_stopped(cls, name: str, reason: str = "") -> PrintFailed:
        why = f" ({reason})" if reason else ""
        return cls(
            f"The printer {name!r} is stopped or not accepting jobs{why}. Resume it in the "
            "system's printer settings (CUPS: cupsenable and cupsaccept), then print again."
        )

    @classmethod
    def spooler_down(cls, detail: str = "") -> PrintFailed:
        why = f" ({detail})" if detail else ""
        return cls(
            f"The print service (CUPS) is not running{why}. Start it (for example "
            "'sudo systemctl start cups'), then print again. Nothing was printed."
        )

    @classmethod
    def not_raw_capable(cls, name: str) -> PrintFailed:
        return cls(
            f"The printer {name!r} does not take raw ZPL. Choose a thermal (Zebra-like) "
            "printer for ZPL labels, or buy the label as PDF."
        )


class Printer(Protocol):
    """Local printers. Each call is synchronous and may run on a worker thread."""

    def printers(self) -> list[PrinterInfo]:
        """Printers the system knows, the default one flagged."""
        ...

    def print_pdf(
        self, printer: str, documents: Sequence[bytes], page_size: PageSize, *, title: str
    ) -> PrintJob:
        """Every page of every PDF, in order, as one job: full page, no scaling."""
        ...

    def print_png(
        self, printer: str, images: Sequence[bytes], page_size: PageSize, *, title: str
    ) -> PrintJob:
        """One page per PNG, in order, as one job: at the image's own resolution when it
        says (a 203 dpi 4x6 label fills a 4x6 page), otherwise fitted without distortion."""
        ...

    def send_raw(self, printer: str, data: bytes, *, title: str) -> PrintJob:
        """Bytes (ZPL) to the printer unchanged."""
        ...

    def keeps_printed_documents(self, printer: str) -> bool:
        """True where the platform keeps copies of printed jobs the app cannot purge
        (Windows "Keep printed documents"): the caller warns the seller once."""
        ...

    def purge_finished(self) -> int:
        """Purge the app's jobs that were still pending when their print call returned and
        have finished since (call it before printing and at shutdown); returns how many."""
        ...
