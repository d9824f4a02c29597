"""One-click export for any table: a button with a CSV / Excel / PDF menu.

Give it the table kind ("orders", "listings", "report-rows", "sales", "profit", "audit") and a
callable returning the tab's current filter (an ExportScope); it asks where to save, runs the
export on the task runner with progress and Cancel, and says where the file went. For orders the
menu has "Include buyer data", unchecked by default; choosing it asks once more and the
export is audited and flagged as outside Kinxpro's retention.

    button = ExportButton(ctx, "orders", lambda: ExportScope(search=self.search.text()))
    toolbar_layout.addWidget(button)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QProgressDialog, QToolButton, QWidget

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.services.exports import ExportResult, ExportScope
from kinxpro_desktop.tasks.runner import JobHandle

FORMATS = (
    ("csv", "CSV…", "CSV files (*.csv)"),
    ("xlsx", "Excel (XLSX)…", "Excel (*.xlsx)"),
    ("pdf", "PDF…", "PDF documents (*.pdf)"),
)
BUYER_DATA_QUESTION = (
    "The file will contain buyer names, e-mail addresses, phone numbers and addresses. It is "
    "outside Kinxpro's retention: Kinxpro will not delete it, and the export is recorded in "
    "the audit log. Include buyer data?"
)

ChoosePath = Callable[[str, str], str | None]  # (suggested name, filter) -> path or None
Confirm = Callable[[str], bool]


class ExportButton(QToolButton):
    exported = Signal(object)  # ExportResult
    failed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        kind: str,
        scope: Callable[[], ExportScope] = ExportScope,
        *,
        run_id: Callable[[], int | None] = lambda: None,
        choose_path: ChoosePath | None = None,
        confirm: Confirm | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.kind = kind
        self._scope = scope
        self._run_id = run_id
        self._choose = choose_path or self._dialog_path
        self._confirm = confirm or self._dialog_confirm
        self._job: JobHandle | None = None
        self._dialog: QProgressDialog | None = None
        self.setObjectName(f"export_{kind.replace('-', '_')}")
        self.setText("Export")
        self.setToolTip("Export this table to CSV, Excel or PDF")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        self.format_actions: dict[str, QAction] = {}
        for fmt, label, _filter in FORMATS:
            action = menu.addAction(label)
            action.triggered.connect(lambda _=False, f=fmt: self.start(f))
            self.format_actions[fmt] = action
        self.buyer_data = QAction("Include buyer data", self)
        self.buyer_data.setCheckable(True)
        if kind == "orders":
            menu.addSeparator()
            menu.addAction(self.buyer_data)
        self.setMenu(menu)

    @property
    def busy(self) -> bool:
        return self._job is not None and not self._job.finished

    def start(self, fmt: str, path: str | None = None) -> JobHandle | None:
        """Ask for a file (unless `path` is given) and export in the background."""
        if self.busy:
            return None
        name_filter = next(f for k, _l, f in FORMATS if k == fmt)
        chosen = path or self._choose(f"{self.kind}.{fmt}", name_filter)
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        include = self.kind == "orders" and self.buyer_data.isChecked()
        if include and not self._confirm(BUYER_DATA_QUESTION):
            return None
        self.buyer_data.setChecked(False)  # an explicit choice each time
        scope, run_id, exporter, actor = (
            self._scope(),
            self._run_id(),
            self._ctx.exports,
            self._ctx.actor,
        )
        kind = self.kind

        def job(token: CancelToken, progress: ProgressFn) -> ExportResult:
            return exporter.export(
                kind,
                fmt,
                target,
                scope,
                include_buyer_data=include,
                run_id=run_id,
                actor=actor,
                cancel=token,
                progress=progress,
            )

        self._dialog = QProgressDialog(f"Exporting {kind} to {target.name}…", "Cancel", 0, 0, self)
        self._dialog.setWindowModality(Qt.WindowModality.NonModal)
        self._dialog.setMinimumDuration(400)
        self._job = self._ctx.runner.submit_job(
            job, on_done=self._done, on_error=self._error, on_progress=self._progress
        )
        self._dialog.canceled.connect(self._job.cancel)
        return self._job

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _progress(self, update: ProgressUpdate) -> None:
        if self._dialog is not None and update.total:
            self._dialog.setMaximum(update.total)
            self._dialog.setValue(min(update.done, update.total))

    def _close_dialog(self) -> None:
        if self._dialog is not None:
            self._dialog.canceled.disconnect()
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None

    def _done(self, result: ExportResult) -> None:
        self._close_dialog()
        text = f"Exported {result.rows} rows to {result.path}"
        self._ctx.events.status_message.emit(text)
        self._ctx.events.audit_changed.emit()
        self.exported.emit(result)

    def _error(self, exc: BaseException) -> None:
        self._close_dialog()
        if isinstance(exc, Cancelled):
            message = "Export cancelled; no file was written."
        elif isinstance(exc, UserError):
            message = exc.message
        elif isinstance(exc, OSError):
            message = f"The export could not be written ({exc.strerror}); no file was written."
        else:
            message = f"The export failed ({type(exc).__name__}); no file was written."
        self._ctx.events.status_message.emit(message)
        self.failed.emit(message)

    def _dialog_path(self, suggested: str, name_filter: str) -> str | None:
        folder = Path.home() / "Documents"
        start = str((folder if folder.is_dir() else Path.home()) / suggested)
        path, _ = QFileDialog.getSaveFileName(self, "Export", start, name_filter)
        return path or None

    def _dialog_confirm(self, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Include buyer data?",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
