"""Sign in as an operator profile (at start when profiles exist, and Account ▸ Switch operator…).

The password check (scrypt) runs on the task runner; the dialog stays responsive and shows the
service's message (wrong password, locked for N minutes). `signed_in` carries the bound Access.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import OWNER_ACCESS, Access, Operator
from kinxpro_desktop.services.operators import OperatorService
from kinxpro_desktop.tasks.runner import TaskRunner


class SignInDialog(QDialog):
    signed_in = Signal(object)  # Access

    def __init__(
        self,
        operators: OperatorService,
        runner: TaskRunner,
        profiles: list[Operator],
        *,
        switching_from: Access | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kinxpro Desktop: switch operator" if switching_from else
                            "Kinxpro Desktop: sign in")  # fmt: skip
        self._ops = operators
        self._runner = runner
        self._from = switching_from
        self.access: Access | None = None
        form = QFormLayout(self)
        intro = QLabel(
            "Operator profiles are set up for this store: sign in to continue. What you may do "
            "depends on your role (owner, shipper or analyst)."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.name = QComboBox()
        for p in profiles:
            self.name.addItem(f"{p.name} ({p.role.label})", p.name)
        form.addRow("Operator:", self.name)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Password:", self.password)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020")
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def _check(self) -> None:
        password = self.password.text()
        if not password:
            self.error.setText("Type the operator's password.")
            return
        name = str(self.name.currentData())
        self.buttons.setEnabled(False)
        self.error.setText("Checking…")
        ops, switching = self._ops, self._from
        self._runner.submit(
            lambda: ops.sign_in(name, password, switching_from=switching),
            on_done=self._done,
            on_error=self._failed,
        )

    def _done(self, access: Access) -> None:
        self.access = access
        self.password.clear()
        self.signed_in.emit(access)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.password.clear()
        if isinstance(exc, UserError):
            self.error.setText(exc.message)
        else:
            self.error.setText(f"Could not sign in ({type(exc).__name__}); see the log file.")


_LIVE: set[QDialog] = set()  # parentless dialogs kept alive until they finish


def _keep(dialog: QDialog) -> None:
    _LIVE.add(dialog)
    dialog.finished.connect(lambda _rc: _LIVE.discard(dialog))


def sign_in(
    operators: OperatorService,
    runner: TaskRunner,
    on_access: Callable[[Access], None],
    on_cancel: Callable[[int], None],
) -> None:
    """At start: with no profiles the owner (as before profiles existed) at once; with
    profiles, the sign-in dialog (Cancel quits). The profiles are read on the task runner."""

    def loaded(profiles: list[Operator]) -> None:
        if not profiles:
            on_access(operators.bind(OWNER_ACCESS))
            return
        dialog = SignInDialog(operators, runner, profiles)
        _keep(dialog)
        dialog.signed_in.connect(on_access)
        dialog.rejected.connect(lambda: on_cancel(0))
        dialog.open()

    def failed(exc: BaseException) -> None:
        QMessageBox.critical(None, "Kinxpro Desktop", f"Could not read the operator profiles "
                             f"({type(exc).__name__}); see the log file.")  # fmt: skip
        on_cancel(1)

    runner.submit(operators.profiles, on_done=loaded, on_error=failed)


def switch_operator(
    operators: OperatorService,
    runner: TaskRunner,
    current: Access,
    parent: QWidget,
    on_access: Callable[[Access], None],
) -> None:
    """Account ▸ Switch operator…: sign in as another profile (audited as a switch); the
    current operator stays bound until a sign-in succeeds."""

    def loaded(profiles: list[Operator]) -> None:
        if not profiles:
            QMessageBox.information(
                parent,
                "Switch operator",
                "No operator profiles are set up: whoever unlocks the store acts as owner. "
                "An owner can add profiles in Privacy ▸ Operator profiles….",
            )
            return
        dialog = SignInDialog(operators, runner, profiles, switching_from=current, parent=parent)
        dialog.signed_in.connect(on_access)
        dialog.open()

    runner.submit(operators.profiles, on_done=loaded)
