"""A table model over a SQL query, loaded a page at a time on the task runner.

The view asks for rows; missing pages are fetched in the background and announced with
dataChanged. Sorting and filtering reset the model and are done in SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from kinxpro_desktop.tasks.runner import TaskRunner

PAGE = 200
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str | None
    text: Callable[[Any], str]
    align_right: bool = False


class PagedTableModel(QAbstractTableModel):
    loaded = Signal(int)  # total rows after a (re)count
    failed = Signal(str)

    def __init__(
        self,
        runner: TaskRunner,
        columns: Sequence[Column],
        count: Callable[[], int],
        page: Callable[[str, bool, int, int], list[Any]],
        default_sort: tuple[str, bool],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._columns = list(columns)
        self._count_fn = count
        self._page_fn = page
        self._sort, self._desc = default_sort
        self._total = 0
        self._pages: dict[int, list[Any]] = {}
        self._pending: set[int] = set()
        self._generation = 0

    # -- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        """Recount and drop cached pages (after a sync, a filter change or a sort)."""
        self._generation += 1
        generation = self._generation
        count_fn = self._count_fn
        self._runner.submit(
            count_fn,
            on_done=lambda total: self._counted(generation, total),
            on_error=lambda exc: self.failed.emit(f"{type(exc).__name__}: could not load rows"),
        )

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._total = total
        self._pages.clear()
        self._pending.clear()
        self.endResetModel()
        self.loaded.emit(total)

    def _want(self, page_no: int) -> None:
        if page_no in self._pending or page_no in self._pages:
            return
        self._pending.add(page_no)
        generation = self._generation
        page_fn, sort, desc = self._page_fn, self._sort, self._desc
        self._runner.submit(
            page_fn,
            sort,
            desc,
            page_no * PAGE,
            PAGE,
            on_done=lambda rows: self._page_loaded(generation, page_no, rows),
            on_error=lambda exc: self.failed.emit(f"{type(exc).__name__}: could not load rows"),
        )

    def _page_loaded(self, generation: int, page_no: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page_no)
        self._pages[page_no] = rows
        first = page_no * PAGE
        last = min(self._total, first + PAGE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._columns) - 1))

    def row_object(self, row: int) -> Any | None:
        page = self._pages.get(row // PAGE)
        if page is None:
            self._want(row // PAGE)
            return None
        offset = row % PAGE
        return page[offset] if offset < len(page) else None

    # -- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._columns):
            return self._columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < self._total):
            return None
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        obj = self.row_object(index.row())
        if obj is None:
            return "…"
        return column.text(obj)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(self._columns)):
            return
        key = self._columns[column].sort_key
        if key is None:
            return
        self._sort = key
        self._desc = order == Qt.SortOrder.DescendingOrder
        self.reload()
