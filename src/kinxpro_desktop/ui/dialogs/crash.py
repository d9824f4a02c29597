"""The crash dialog: what happened in one line, and where the (redacted) log is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget


def crash_text(exc_type: type[BaseException], log_file: Path) -> str:
    # Only the exception type: its message could carry data we must not show or copy.
    return (
        f"Kinxpro Desktop hit an unexpected error ({exc_type.__name__}).\n\n"
        "Your data is safe: every change is saved in its own transaction. The details are in "
        f"the log file:\n{log_file}\n\nPlease send that file to support. You can keep working; "
        "restart the app if something looks wrong."
    )


def show_crash_dialog(
    exc_type: type[BaseException], log_file: Path, parent: QWidget | None = None
) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Kinxpro Desktop: unexpected error")
    box.setText(crash_text(exc_type, log_file))
    box.exec()
