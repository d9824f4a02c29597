"""The Pending changes panel: staged price and quantity edits (old -> new), discard, Submit
(Amazon's validation preview first) with progress and cancel, the result of each SKU, and a
change held because Amazon's value changed shown side by side for the seller to decide.

Wiring (for the Listings tab): ``panel = PendingChangesPanel(ctx)``; put it in a dock or under
the table; call ``panel.refresh()`` after staging (BulkEditDialog.staged, inline edits);
``panel.submitted`` carries the SubmitReport; ``panel.changed`` fires when the list changed.
Everything that reads the store or talks to Amazon runs on ``ctx.runner``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.core.changes import Changes
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.listing_edits import ChangeStatus, StagedChange
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.progress import Cancelled, ProgressUpdate
from kinxpro_desktop.ui.models.rows import RowsModel

Index = QModelIndex | QPersistentModelIndex
ROW_ID = Qt.ItemDataRole.UserRole + 1


class _RowsModel(RowsModel):
    """A flat table of `_rows` under the headers `COLUMNS` (the two models below)."""

    _rows: Sequence[Any]

    def row_count(self) -> int:
        return len(self._rows)


class PendingChangesModel(_RowsModel):
    COLUMNS = ("SKU", "Marketplace", "Field", "Now", "New", "Amazon now", "Status", "Issues")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StagedChange] = []

    def set_changes(self, changes: Sequence[StagedChange]) -> None:
        self.beginResetModel()
        self._rows = list(changes)
        self.endResetModel()

    def change(self, row: int) -> StagedChange:
        return self._rows[row]

    def changes(self) -> list[StagedChange]:
        return list(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        c = self._rows[index.row()]
        if role == ROW_ID:
            return c.change_id
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 7:
            return c.issue_text() or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        values = (
            c.sku,
            market_label(c.marketplace_id),
            c.field.capitalize(),
            c.old_value or "–",
            c.new_value,
            c.amazon_value or "",
            c.status.label,
            c.issue_text(),
        )
        return values[index.column()] if 0 <= index.column() < len(values) else None


class ResultsModel(_RowsModel):
    """One row per SKU of the last Submit (or preview)."""

    COLUMNS = ("SKU", "Marketplace", "Changed", "Result", "Amazon says")
    WORDS: ClassVar[dict[str, str]] = {
        "valid": "Valid (preview)",
        "invalid": "Invalid (preview)",
        ChangeStatus.ACCEPTED.value: "Accepted",
        ChangeStatus.REJECTED.value: "Rejected",
        ChangeStatus.CONFLICT.value: "Held: changed on Amazon",
        ChangeStatus.UNKNOWN.value: "Answer lost: being checked",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_results(self, results: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(results)
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        r = self._rows[index.row()]
        values = (
            r.sku,
            market_label(r.marketplace_id),
            ", ".join(r.fields),
            self.WORDS.get(str(r.status), str(r.status)),
            "; ".join(r.issues),
        )
        return values[index.column()] if 0 <= index.column() < len(values) else None


class PendingChangesPanel(QWidget):
    changed = Signal()
    submitted = Signal(object)  # SubmitReport

    def __init__(self, ctx: Any, edits: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.edits = edits if edits is not None else ctx.listing_edits
        self._job: Any = None
        self.model = PendingChangesModel(self)
        self.results = ResultsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.discard_button = QPushButton("Discard", self)
        self.preview_button = QPushButton("Check with Amazon", self)
        self.submit_button = QPushButton("Submit", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.discard_button.clicked.connect(self.discard_selected)
        self.preview_button.clicked.connect(lambda: self.submit(preview_only=True))
        self.submit_button.clicked.connect(lambda: self.submit(preview_only=False))
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        # a held change, side by side
        self.conflict_box = QGroupBox("Changed on Amazon since you staged this", self)
        self.mine_label = QLabel("", self.conflict_box)
        self.amazon_label = QLabel("", self.conflict_box)
        self.keep_button = QPushButton("Keep mine", self.conflict_box)
        self.take_button = QPushButton("Take Amazon's", self.conflict_box)
        self.keep_button.clicked.connect(lambda: self.resolve(keep_mine=True))
        self.take_button.clicked.connect(lambda: self.resolve(keep_mine=False))
        side = QHBoxLayout(self.conflict_box)
        side.addWidget(self.mine_label, 1)
        side.addWidget(self.amazon_label, 1)
        side.addWidget(self.keep_button)
        side.addWidget(self.take_button)
        self.results_view = QTableView(self)
        self.results_view.setModel(self.results)
        self.results_view.verticalHeader().hide()
        self.results_view.horizontalHeader().setStretchLastSection(True)
        buttons = QHBoxLayout()
        for b in (self.discard_button, self.preview_button, self.submit_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.progress, 2)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Pending changes (not sent to Amazon until you submit)", self))
        layout.addWidget(self.table, 3)
        layout.addWidget(self.conflict_box)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.results_view, 2)
        self._set_busy(False)
        self.conflict_box.hide()
        #: a Submit that could not reach Amazon: sent again after the next successful sync
        self.waiting_for_connection = False
        sync = getattr(ctx, "sync", None)
        if sync is not None and hasattr(sync, "finished"):
            sync.finished.connect(self._connection_back)

    # ------------------------------------------------------------------ state
    @property
    def busy(self) -> bool:
        return self._job is not None

    def _set_busy(self, busy: bool, job: Any = None) -> None:
        self._job = job if busy else None
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        for b in (self.discard_button, self.preview_button, self.submit_button):
            b.setEnabled(not busy)
        if busy:
            self.progress.setRange(0, 0)

    def _selected(self) -> list[StagedChange]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.change(r) for r in rows]

    def _selection_changed(self, *_args: object) -> None:
        chosen = self._selected()
        held = chosen[0] if len(chosen) == 1 else None
        if held is None or held.status is not ChangeStatus.CONFLICT:
            self.conflict_box.hide()
            return
        self.mine_label.setText(f"Yours: {held.field} {held.new_value}")
        self.amazon_label.setText(
            f"Amazon now: {held.amazon_value or '–'} (was {held.old_value or '–'})"
        )
        self.conflict_box.show()

    # ------------------------------------------------------------------ actions
    def refresh(self, *, announce: bool = True) -> None:
        """Re-read the open changes; `announce=False` keeps the status line (a result)."""
        self.ctx.runner.submit(
            self.edits.pending,
            on_done=lambda changes: self._show(changes, announce),
            on_error=self._failed,
        )

    def _show(self, changes: list[StagedChange], announce: bool = True) -> None:
        self.model.set_changes(changes)
        self._selection_changed()
        held = sum(1 for c in changes if c.status is ChangeStatus.CONFLICT)
        if announce and not self.busy:
            self.status.setText(
                f"{len(changes)} pending change(s)"
                + (f", {held} waiting for your decision" if held else "")
                + "."
            )
        self.changed.emit()

    def discard_selected(self) -> None:
        ids = [c.change_id for c in self._selected()]
        if not ids:
            self.status.setText("Select the changes to discard first.")
            return
        self.ctx.runner.submit(
            lambda: self.edits.discard(ids, actor=self.ctx.actor),
            on_done=lambda _n: self.refresh(),
            on_error=self._failed,
        )

    def resolve(self, *, keep_mine: bool) -> None:
        chosen = self._selected()
        if len(chosen) != 1:
            return
        change_id = chosen[0].change_id
        self.ctx.runner.submit(
            lambda: self.edits.resolve_conflict(
                change_id, keep_mine=keep_mine, actor=self.ctx.actor
            ),
            on_done=lambda _c: self.refresh(),
            on_error=self._failed,
        )

    def submit(self, *, preview_only: bool = False) -> None:
        if self.busy:
            return
        self.waiting_for_connection = False
        self.status.setText(
            "Checking the changes with Amazon…" if preview_only else "Submitting to Amazon…"
        )
        actor = self.ctx.actor

        def job(token: Any, progress: Any) -> Any:
            return self.edits.submit(token, progress, preview_only=preview_only, actor=actor)

        handle = self.ctx.runner.submit_job(
            job,
            on_done=self._submitted,
            on_error=self._submit_failed,
            on_progress=self._progress,
            kind=self.ctx.runner.NET,
        )
        self._set_busy(True, handle)

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.status.setText("Cancelling after the current listing…")

    def _progress(self, update: ProgressUpdate) -> None:
        if update.total:
            self.progress.setRange(0, update.total)
            self.progress.setValue(update.done)
        where = f" ({update.done} of {update.total})" if update.total else ""
        self.status.setText(f"{update.phase}{where}")

    def _submitted(self, report: Any) -> None:
        self._set_busy(False)
        self.results.set_results(report.results)
        accepted = report.count(ChangeStatus.ACCEPTED)
        if report.preview_only:
            bad = report.count("invalid")
            text = f"Amazon checked {len(report.results)} listing(s): {bad} with errors."
        else:
            text = (
                f"{accepted} accepted, {len(report.rejected)} rejected, "
                f"{len(report.conflicts)} held"
                + (f" (sent by {report.via})" if report.via else "")
                + "."
            )
        self.status.setText(text)
        self.submitted.emit(report)
        keys = frozenset(f"{r.marketplace_id}/{r.sku}" for r in report.results)
        if keys and not report.preview_only:
            self.ctx.events.data_changed.emit(Changes(listings=keys))
        self.refresh(announce=False)

    def _submit_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, Cancelled):
            self.status.setText("Cancelled: the changes not yet sent stay staged.")
        elif _offline(exc):
            self._failed(exc)
            self.waiting_for_connection = True
            self.status.setText(
                self.status.text()
                + " The changes stay staged and are sent when Kinxpro reaches Amazon again."
            )
        else:
            self._failed(exc)
        self.refresh(announce=False)

    def _connection_back(self, *_args: object) -> None:
        """A sync went through: Amazon is reachable again; send what was waiting."""
        if self.waiting_for_connection and not self.busy:
            self.waiting_for_connection = False
            self.submit()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.status.setText(exc.message)
        else:
            self.status.setText(f"Something went wrong ({type(exc).__name__}); see the log.")


def _offline(exc: BaseException) -> bool:
    """No account yet, or Amazon out of reach (a retryable SP-API error): worth sending later."""
    from kinxpro_desktop.services.connection import NOT_CONNECTED

    return bool(getattr(exc, "retryable", False)) or str(exc) == NOT_CONNECTED
