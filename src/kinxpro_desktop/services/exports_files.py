"""Writing an export file: atomically (a temp file in the target's folder, fsync, os.replace;
a failed or cancelled export leaves neither the target nor the temp file), as CSV, XLSX
(openpyxl write-only) or PDF. Writers take typed cells (str, int, Decimal)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.documents.table_pdf import PdfTable, write_table_pdf

PART_SUFFIX = ".kinxpro-part"
Cell = str | int | Decimal
_XLSX_LOCK = threading.Lock()


class ExportFailed(UserError):
    title = "Export failed"


def _part_prefix(target: Path) -> str:
    return f".{target.name}."


def remove_stale_parts(target: Path) -> int:
    """Temp files left by an export to `target` that was killed (power loss, kill -9)."""
    removed = 0
    for stale in target.parent.glob(f"{_part_prefix(target)}*{PART_SUFFIX}"):
        with contextlib.suppress(OSError):
            stale.unlink()
            removed += 1
    return removed


@contextmanager
def atomic_file(target: Path) -> Iterator[tuple[IO[bytes], Path]]:
    """(binary file, its temp path) in the target's folder; replaces `target` only when the
    block ends without an exception, after an fsync."""
    folder = target.parent
    if not folder.is_dir():
        raise ExportFailed(
            f"The folder {folder} does not exist. Choose an existing folder; nothing was written."
        )
    if target.is_dir():
        raise ExportFailed(f"{target} is a folder. Choose a file name; nothing was written.")
    remove_stale_parts(target)
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=_part_prefix(target), suffix=PART_SUFFIX)
    except OSError as exc:
        raise ExportFailed(
            f"Cannot write in {folder} ({exc.strerror}). Choose a folder you can write to; "
            "nothing was written."
        ) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f, tmp
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _text(cell: Cell) -> str:
    return cell if isinstance(cell, str) else str(cell)


def write_csv(
    out: IO[bytes],
    columns: Sequence[str],
    pages: Iterable[Sequence[Sequence[Cell]]],
    totals: Callable[[], Sequence[Sequence[Cell]]],
) -> None:
    """UTF-8 with a BOM (Excel then reads accents right); totals rows at the end."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(text)
    writer.writerow(columns)
    for page in pages:
        writer.writerows(page)
    writer.writerows(totals())
    text.flush()
    text.detach()


def write_xlsx(
    out: IO[bytes],
    tmp: Path,
    title: str,
    columns: Sequence[str],
    pages: Iterable[Sequence[Sequence[Cell]]],
    totals: Callable[[], Sequence[Sequence[Cell]]],
    numeric: frozenset[int] = frozenset(),
) -> None:
    """openpyxl write-only; the `numeric` columns are written as numbers. openpyxl buffers
    each sheet in a temp file: ours goes next to the export's own temp file, never to the
    system temp folder, so an export with buyer data leaves no copy elsewhere, even when
    killed."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.worksheet import _writer

    def local_temp(suffix: str = "") -> str:
        fd, name = tempfile.mkstemp(
            dir=tmp.parent, prefix=tmp.name.removesuffix(PART_SUFFIX) + ".", suffix=PART_SUFFIX
        )
        os.close(fd)
        _writer.ALL_TEMP_FILES.append(name)  # openpyxl removes it from this list when done
        return name

    with _XLSX_LOCK:
        original: Any = _writer.create_temporary_file
        _writer.create_temporary_file = local_temp
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title[:31] or "Export")
        try:
            bold = Font(bold=True)
            header = []
            for name in columns:
                cell = WriteOnlyCell(ws, value=name)
                cell.font = bold
                header.append(cell)
            ws.append(header)
            for page in pages:
                for row in page:
                    ws.append(_numbers(row, numeric))
            for row in totals():
                cells = []
                for value in _numbers(row, numeric):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.font = bold
                    cells.append(cell)
                ws.append(cells)
            wb.save(out)
        except BaseException:
            # close the sheet's row writer now (a suspended one writes into a closed file
            # when it is collected later); its temp file is removed below
            if not ws.closed:
                with contextlib.suppress(Exception):
                    ws.close()
            raise
        finally:
            _writer.create_temporary_file = original
            for leftover in tmp.parent.glob(tmp.name.removesuffix(PART_SUFFIX) + ".*"):
                if leftover != tmp:
                    with contextlib.suppress(OSError):
                        leftover.unlink()
                    with contextlib.suppress(ValueError):
                        _writer.ALL_TEMP_FILES.remove(str(leftover))


def _numbers(row: Sequence[Cell], numeric: frozenset[int]) -> list[Cell]:
    out = list(row)
    for i in numeric:
        value = out[i] if i < len(out) else None
        if isinstance(value, str) and value:
            with contextlib.suppress(ArithmeticError):
                out[i] = int(value) if value.lstrip("-").isdigit() else Decimal(value)
    return out


def write_pdf(
    out: IO[bytes],
    table: PdfTable,
    count: int,
    pages: Iterable[Sequence[Sequence[Cell]]],
    totals: Callable[[], Sequence[Sequence[Cell]]],
    totals_rows: int,
) -> None:
    def rows() -> Iterator[list[str]]:
        for page in pages:
            for row in page:
                yield [_text(c) for c in row]

    write_table_pdf(
        out,
        table,
        count,
        rows(),
        lambda: [[_text(c) for c in row] for row in totals()],
        totals_rows=totals_rows,
    )
