"""A table model over a SQL query: the ordered id list, plus a lazy row cache.

Filtering and sorting happen in SQL and return only ids (Anki's browser table does the
same); rows are read a page at a time on the task runner when the view asks for them.

With a ``head`` query, a new filter or sort paints in two steps: the match count and the first
page (a few milliseconds whatever the store's size), then the whole id list, read on the
database thread while the first rows already show; a superseded id list is interrupted.

A refresh after a job (``refresh(changed)``) does not reset the model: rows that left are
removed, new ones inserted, moved ones re-laid out, and cached rows that may have changed are
marked stale, keep showing their last value and are re-read; only rows whose values differ
get ``dataChanged``. Selection and persistent indexes survive. While the model is inactive
(its tab hidden) refreshes are remembered and run when it becomes active again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn
from kinxpro_desktop.tasks.runner import JobHandle, TaskRunner

PAGE = 200
CACHE_ROWS = 20 * PAGE  # rows kept in memory; the oldest loaded are dropped first
Index = QModelIndex | QPersistentModelIndex
Ids = frozenset[Any] | None  # None: any row may have changed
PLACEHOLDER = "…"
CHIP_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # status chip kind, for the chip delegate
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 2


class _Unknown:
    """The id of a row past the first page while the whole id list is still being read."""

    def __repr__(self) -> str:
        return "<not yet read>"


UNKNOWN = _Unknown()
#: the whole id list is read right after the first page paints, so that its reading (Python
#: work on the database thread, which holds the GIL) does not slow that paint; without a
#: view asking for rows it starts after this many milliseconds
FULL_LIST_FALLBACK_MS = 100
#: rows read with the count for a new filter's first paint: more than a tall window shows
HEAD_ROWS = 100
#: a new filter's first paint: (match count, the first rows in display order)
Head = Callable[[str, bool, int], tuple[int, list[Any]]]


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str | None
    text: Callable[[Any], str]
    align_right: bool = False
    chip: Callable[[Any], str] | None = None  # "ok", "warn", "late", "muted", "bad"
    tooltip: Callable[[Any], str] | None = None
    width_sample: str | Callable[[], str] = ""  # widest typical text (initial column width)


class PagedTableModel(QAbstractTableModel):
    loaded = Signal(int)  # total rows after a (re)load or refresh
    failed = Signal(str)

    def __init__(
        self,
        runner: TaskRunner,
        columns: Sequence[Column],
        keys: Callable[..., list[Any]],
        rows: Callable[[Sequence[Any]], dict[Any, Any]],
        default_sort: tuple[str, bool],
        change_id: Callable[[Any], Hashable] | None = None,
        parent: Any = None,
        head: Head | None = None,
        interruptible_keys: bool = False,
    ) -> None:
        """``head``: rows are objects with a ``key``; ``interruptible_keys``: ``keys`` takes
        a third argument, a ``should_stop()`` callable it polls while reading."""
        super().__init__(parent)
        self._runner = runner
        self._columns = list(columns)
        self._keys_fn = keys
        self._rows_fn = rows
        self._change_id = change_id
        self._sort, self._desc = default_sort
        self._keys: list[Any] = []
        self._pos: dict[Any, int] = {}
        self._cache: dict[Any, Any] = {}
        self._stale: set[Any] = set()
        self._fetching: set[Any] = set()
        self._wanted: set[int] = set()
        self._generation = 0  # bumped by filter/sort changes (a reset)
        self._epoch = 0  # bumped whenever cached rows are marked stale
        self._loaded_once = False
        self._keys_job: JobHandle | None = None
        self._head = head
        self._interruptible = interruptible_keys
        self._partial = False  # the first page shows; the whole id list is being read
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(0)
        self._reload_timer.timeout.connect(self._start_reload)
        self._after_paint: list[Any] | None = None  # the first page, until the id list read
        self._full_timer = QTimer(self)
        self._full_timer.setSingleShot(True)
        self._full_timer.timeout.connect(self._read_full_list)
        self.active = True
        self._deferred: Ids | bool = False  # False: nothing deferred
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(0)
        self._flush.timeout.connect(self._fetch_wanted)

    # -- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        """A new filter or sort order: re-read the ids and reset the model. Reloads asked
        for in one pass of the event loop (a tab restoring its filter, sort and columns)
        collapse into one read."""
        self._generation += 1
        if self._keys_job is not None:
            self._keys_job.cancel()
        self._after_paint = None  # a first page of the old order: its id list is not wanted
        self._full_timer.stop()
        self._reload_timer.start()

    def _start_reload(self) -> None:
        if self._head is not None:
            self._submit_head()
        else:
            self._submit_keys(reset=True, changed=None)

    def _submit_head(self) -> None:
        generation = self._generation
        head, sort, desc = self._head, self._sort, self._desc
        assert head is not None

        def job(token: CancelToken, _progress: ProgressFn) -> tuple[int, list[Any]]:
            token.check()
            return head(sort, desc, HEAD_ROWS)

        self._keys_job = self._runner.submit_job(
            job,
            on_done=lambda result: self._head_loaded(generation, result),
            on_error=self._failed,
        )

    def _head_loaded(self, generation: int, result: tuple[int, list[Any]]) -> None:
        if generation != self._generation:
            return
        total, rows = result
        first = [r.key for r in rows]
        total = max(total, len(first))
        self.beginResetModel()
        self._keys = first + [UNKNOWN] * (total - len(first))
        self._pos = {k: i for i, k in enumerate(first)}
        self._cache = {r.key: r for r in rows}
        self._stale = set()
        self._fetching.clear()
        self._epoch += 1
        self._partial = total > len(first)
        self.endResetModel()
        self._loaded_once = True
        self.loaded.emit(total)
        if self._partial:  # the id list is read once the first page has painted
            self._after_paint = first
            self._full_timer.start(FULL_LIST_FALLBACK_MS)

    def _read_full_list(self) -> None:
        self._full_timer.setInterval(FULL_LIST_FALLBACK_MS)
        first, self._after_paint = self._after_paint, None
        if first is not None and self._partial:
            self._submit_keys(reset=True, changed=None, after_head=first)

    def _full_loaded(self, first: list[Any], keys: list[Any], pos: dict[Any, int]) -> None:
        """The whole id list after the first page: fill in the unknown rows; anything that
        changed meanwhile (a sync between the two reads) resets to the new list."""
        self._partial = False
        if len(keys) == len(self._keys) and keys[: len(first)] == first:
            self._keys, self._pos = keys, pos
            if len(keys) > len(first):  # placeholders the view showed: it asks again
                self.dataChanged.emit(
                    self.index(len(first), 0), self.index(len(keys) - 1, len(self._columns) - 1)
                )
        else:
            self.beginResetModel()
            self._keys, self._pos = keys, pos
            self._cache = {k: v for k, v in self._cache.items() if k in pos}
            self._stale = set(self._cache)
            self._epoch += 1
            self.endResetModel()
        self.loaded.emit(len(self._keys))
        if self.active and self._deferred is not False:
            self.set_active(True)  # a refresh that waited for the id list

    def refresh(self, changed: Ids = None) -> None:
        """Data changed (a job finished): update in place, keep selection. ``changed`` names
        the rows by change id, or is None when any row may have changed."""
        if not self._loaded_once:
            self.reload()
            return
        if not self.active or self._partial:
            self._defer(changed)
            return
        self._submit_keys(reset=False, changed=changed)

    def _defer(self, changed: Ids) -> None:
        previous = self._deferred
        if previous is False:
            self._deferred = changed
        elif previous is None or changed is None:
            self._deferred = None
        elif isinstance(previous, frozenset):
            self._deferred = previous | changed

    def set_active(self, active: bool) -> None:
        """Inactive models (hidden tabs) defer refreshes until shown again."""
        self.active = active
        if active and self._deferred is not False:
            changed = self._deferred
            self._deferred = False
            self.refresh(changed if isinstance(changed, frozenset) else None)

    @property
    def deferred(self) -> bool:
        return self._deferred is not False

    def _submit_keys(self, reset: bool, changed: Ids, after_head: list[Any] | None = None) -> None:
        generation = self._generation
        keys_fn, sort, desc = self._keys_fn, self._sort, self._desc
        interruptible = self._interruptible
        if reset and self._keys_job is not None:
            self._keys_job.cancel()  # superseded (typing in the search box): skip or stop it

        def job(token: CancelToken, _progress: ProgressFn) -> tuple[list[Any], dict[Any, int]]:
            token.check()
            keys = (
                keys_fn(sort, desc, lambda: token.cancelled)
                if interruptible
                else keys_fn(sort, desc)
            )
            token.check()
            return keys, {k: i for i, k in enumerate(keys)}  # built here, not on the GUI thread

        def done(result: tuple[list[Any], dict[Any, int]]) -> None:
            if generation != self._generation:
                return  # a newer filter or sort superseded this load
            if after_head is not None:
                self._full_loaded(after_head, *result)
            else:
                self._keys_loaded(reset, changed, *result)

        self._keys_job = self._runner.submit_job(job, on_done=done, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            return
        self.failed.emit(f"{type(exc).__name__}: could not load rows (details in the log)")

    def _keys_loaded(self, reset: bool, changed: Ids, keys: list[Any], pos: dict[Any, int]) -> None:
        if reset or not self._loaded_once:
            self.beginResetModel()
            self._keys = keys
            self._pos = pos
            self._cache = {k: v for k, v in self._cache.items() if k in self._pos}
            self._stale = set(self._cache)
            self._epoch += 1
            self.endResetModel()
            self._loaded_once = True
        else:
            self._apply_keys(list(keys))
            self._mark_stale(changed)
        self.loaded.emit(len(self._keys))

    def _apply_keys(self, new: list[Any]) -> None:
        """Turn the current id list into ``new`` with row removals, a re-layout and inserts."""
        new_set = set(new)
        # 1. removals, bottom up, in contiguous runs
        gone = [i for i, k in enumerate(self._keys) if k not in new_set]
        while gone:
            last = gone.pop()
            first = last
            while gone and gone[-1] == first - 1:
                first = gone.pop()
            self.beginRemoveRows(QModelIndex(), first, last)
            for k in self._keys[first : last + 1]:
                self._cache.pop(k, None)
                self._stale.discard(k)
            del self._keys[first : last + 1]
            self.endRemoveRows()
        # 2. survivors that moved relative to each other
        old_set = set(self._keys)
        order = [k for k in new if k in old_set]
        if order != self._keys:
            self.layoutAboutToBeChanged.emit()
            before = self.persistentIndexList()
            keys_before = [
                self._keys[p.row()] if p.row() < len(self._keys) else None for p in before
            ]
            self._keys = order
            pos = {k: i for i, k in enumerate(order)}
            after = [
                self.index(pos[k], p.column()) if k in pos else QModelIndex()
                for p, k in zip(before, keys_before, strict=True)
            ]
            self.changePersistentIndexList(before, after)
            self.layoutChanged.emit()
        # 3. insertions, top down, in contiguous runs
        i = 0
        while i < len(new):
            if new[i] in old_set:
                i += 1
                continue
            j = i
            while j < len(new) and new[j] not in old_set:
                j += 1
            self.beginInsertRows(QModelIndex(), i, j - 1)
            self._keys[i:i] = new[i:j]
            self.endInsertRows()
            i = j
        self._pos = {k: i for i, k in enumerate(self._keys)}

    def _mark_stale(self, changed: Ids) -> None:
        self._epoch += 1
        if changed is None or self._change_id is None:
            self._stale.update(self._cache)
        else:
            ids = changed
            self._stale.update(k for k, row in self._cache.items() if self._change_id(row) in ids)
        # re-read the stale rows the view shows (it asks for them again on dataChanged)
        if self._keys and self._stale:
            rows = sorted(self._pos[k] for k in self._stale if k in self._pos)
            if rows:
                self.dataChanged.emit(
                    self.index(rows[0], 0), self.index(rows[-1], len(self._columns) - 1)
                )

    def _want(self, row: int) -> None:
        self._wanted.add(row)
        if not self._flush.isActive():
            self._flush.start()

    def _fetch_wanted(self) -> None:
        pages = {row // PAGE for row in self._wanted}
        self._wanted.clear()
        want: list[Any] = []
        for page in sorted(pages):
            for k in self._keys[page * PAGE : (page + 1) * PAGE]:
                if k is UNKNOWN:
                    continue  # the id list is still being read; its arrival repaints
                if (k not in self._cache or k in self._stale) and k not in self._fetching:
                    want.append(k)
        if not want:
            return
        self._fetching.update(want)
        epoch = self._epoch
        self._runner.submit(
            self._rows_fn,
            want,
            on_done=lambda rows: self._rows_loaded(epoch, want, rows),
            on_error=lambda exc: self._rows_failed(want, exc),
        )

    def _rows_failed(self, want: list[Any], exc: BaseException) -> None:
        self._fetching.difference_update(want)
        self._failed(exc)

    def _rows_loaded(self, epoch: int, want: list[Any], rows: dict[Any, Any]) -> None:
        self._fetching.difference_update(want)
        changed_rows: list[int] = []
        for k in want:
            row = rows.get(k)
            if row is None:
                continue  # deleted meanwhile; the next refresh removes the id
            if epoch == self._epoch:
                self._stale.discard(k)
            old = self._cache.pop(k, None)
            self._cache[k] = row  # (re)inserted last: the newest survive trimming
            if old != row and k in self._pos:
                changed_rows.append(self._pos[k])
        self._trim_cache()
        for first, last in _runs(sorted(changed_rows)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._columns) - 1))
        if epoch != self._epoch:  # read before the latest change: read those rows again
            for k in want:
                if k in self._stale and k in self._pos:
                    self._want(self._pos[k])

    def _trim_cache(self) -> None:
        """Scrolling through 100,000 rows must not keep them all: drop the oldest loaded."""
        excess = len(self._cache) - CACHE_ROWS
        if excess <= 0:
            return
        for k in list(itertools.islice(self._cache, excess)):
            del self._cache[k]
            self._stale.discard(k)

    @property
    def reading_ids(self) -> bool:
        """The first page shows and the rest of the id list is still being read."""
        return self._partial

    @property
    def cached_rows(self) -> int:
        return len(self._cache)

    # -- lookups --------------------------------------------------------------------------
    def row_object(self, row: int) -> Any | None:
        if not (0 <= row < len(self._keys)):
            return None
        key = self._keys[row]
        if key is UNKNOWN:
            return None
        obj = self._cache.get(key)
        if obj is None or key in self._stale:
            self._want(row)
        return obj

    def key_at(self, row: int) -> Any | None:
        key = self._keys[row] if 0 <= row < len(self._keys) else None
        return None if key is UNKNOWN else key

    def row_of(self, key: Any) -> int | None:
        return self._pos.get(key)

    def column(self, section: int) -> Column:
        return self._columns[section]

    @property
    def sort_order(self) -> tuple[str, bool]:
        return self._sort, self._desc

    # -- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._columns):
            return self._columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._keys)):
            return None
        if not (0 <= index.column() < len(self._columns)):
            return None
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.align_right:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, CHIP_ROLE):
            return None
        obj = self.row_object(index.row())
        if obj is None:
            return PLACEHOLDER if role == Qt.ItemDataRole.DisplayRole else None
        if self._after_paint is not None and self._full_timer.interval() != 0:
            self._full_timer.start(0)  # the view paints real rows: read the ids right after
        if role == CHIP_ROLE:
            return column.chip(obj) if column.chip else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(obj) if column.tooltip else None
        return column.text(obj)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(self._columns)):
            return
        key = self._columns[column].sort_key
        if key is None:
            return
        desc = order == Qt.SortOrder.DescendingOrder
        if (key, desc) == (self._sort, self._desc) and self._loaded_once:
            return
        self._sort, self._desc = key, desc
        self.reload()


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        elif not out or r != out[-1][1]:
            out.append((r, r))
    return out
