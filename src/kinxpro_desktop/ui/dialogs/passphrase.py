"""Ask for the database passphrase (twice when creating a new database)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from kinxpro_desktop.core.passphrase import MIN_PASSPHRASE, new_passphrase_problem

__all__ = ["MIN_PASSPHRASE", "PassphraseDialog"]


class PassphraseDialog(QDialog):
    def __init__(self, creating: bool, message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kinxpro Desktop: passphrase")
        self._creating = creating
        self.message = message
        form = QFormLayout(self)
        intro = (
            f"Choose a passphrase for the new encrypted database ({MIN_PASSPHRASE} characters "
            "or more). "
            "Kinxpro cannot recover it if it is lost."
            if creating
            else "Type the passphrase that protects this database."
        )
        label = QLabel(message + ("\n\n" if message else "") + intro)
        label.setWordWrap(True)
        form.addRow(label)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Passphrase:", self.first)
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        if creating:
            form.addRow("Again:", self.second)
        self.error = QLabel("")
        self.error.setStyleSheet("color:#b00020")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        text = self.first.text()
        if self._creating:
            problem = new_passphrase_problem(text, self.second.text())
            if problem:
                self.error.setText(problem)
                return
        elif not text:
            self.error.setText("Type the passphrase.")
            return
        self.accept()

    def passphrase(self) -> str:
        return self.first.text()
