"""Privacy ▸ Operator profiles…: list, add and remove profiles (owners only; the service refuses
anyone else, this dialog only shows the refusal). Work runs on the task runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import Access, Operator, Permission, Role
from kinxpro_desktop.services.operators import MIN_PASSWORD, OperatorService
from kinxpro_desktop.tasks.runner import TaskRunner

if TYPE_CHECKING:
    from kinxpro_desktop.context import AppContext

ROLE_HELP = {
    Role.OWNER: "everything",
    Role.SHIPPER: "orders, labels and buyer data; no price, credential or buyer-data export",
    Role.ANALYST: "listings, reports and exports without buyer data; never buyer data",
}


class OperatorsDialog(QDialog):
    def __init__(
        self,
        operators: OperatorService,
        runner: TaskRunner,
        access: Access,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Operator profiles")
        self._ops, self._runner, self._access = operators, runner, access
        layout = QVBoxLayout(self)
        intro = QLabel(
            "With no profiles, whoever unlocks the store acts as owner. With profiles, each "
            "person signs in and may do what their role allows; every audit entry names them. "
            "The first profile must be an owner."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        layout.addWidget(self.list)
        self.remove_button = QPushButton("Remove selected")
        self.remove_button.clicked.connect(self._remove)
        layout.addWidget(self.remove_button)
        form = QFormLayout()
        self.name = QLineEdit()
        form.addRow("Name:", self.name)
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(f"{role.label}: {ROLE_HELP[role]}", role.value)
        form.addRow("Role:", self.role)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(f"Password ({MIN_PASSWORD}+):", self.password)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Again:", self.again)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add profile")
        self.add_button.clicked.connect(self._add)
        row.addWidget(self.add_button)
        form.addRow(row)
        layout.addLayout(form)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.reload()

    def reload(self) -> None:
        self._run(self._ops.profiles, self._show)

    def _show(self, profiles: list[Operator]) -> None:
        self.list.clear()
        for p in profiles:
            item = QListWidgetItem(f"{p.name} — {p.role.label}")
            item.setData(256, p.name)
            self.list.addItem(item)

    def _add(self) -> None:
        if self.password.text() != self.again.text():
            self.status.setText("The two passwords differ; nothing was changed.")
            return
        ops, access = self._ops, self._access
        name, role, password = self.name.text(), str(self.role.currentData()), self.password.text()
        self.password.clear()
        self.again.clear()

        def added(made: Operator) -> None:
            self.name.clear()
            self.status.setText(f"Added {made.name} as {made.role.value}.")
            self.reload()

        self._run(lambda: ops.create(access, name, role, password), added)

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.status.setText("Select a profile first.")
            return
        name = str(item.data(256))
        ops, access = self._ops, self._access

        def removed(_: object) -> None:
            self.status.setText(f"Removed {name}.")
            self.reload()

        self._run(lambda: ops.remove(access, name), removed)

    def _run(self, fn: Callable[[], object], done: Callable[..., None]) -> None:
        self.add_button.setEnabled(False)
        self.remove_button.setEnabled(False)

        def finish(result: object) -> None:
            self._enable()
            done(result)

        self._runner.submit(fn, on_done=finish, on_error=self._failed)

    def _enable(self) -> None:
        self.add_button.setEnabled(True)
        self.remove_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self._enable()
        self.status.setText(
            exc.message if isinstance(exc, UserError) else f"Failed ({type(exc).__name__})."
        )


def add_operator_actions(window: QWidget, menu: QMenu) -> None:
    """Account ▸ Switch operator… and Operator profiles… (owners only), and the operator in
    the window title. The window hides what the role lacks; the services refuse it anyway."""
    ctx: AppContext = window._ctx  # type: ignore[attr-defined]
    access = ctx.access
    menu.addSeparator()
    switch = QAction("Switch &operator…", window)
    switch.setObjectName("switchOperatorAction")
    switch.setEnabled(ctx.switch_operator is not None)
    if ctx.switch_operator is not None:
        switch.triggered.connect(ctx.switch_operator)
    menu.addAction(switch)
    manage = QAction("Operator &profiles…", window)
    manage.setObjectName("operatorProfilesAction")
    manage.setVisible(ctx.operators is not None and access.can(Permission.MANAGE_OPERATORS))
    if ctx.operators is not None:
        ops = ctx.operators
        manage.triggered.connect(lambda: OperatorsDialog(ops, ctx.runner, access, window).open())
    menu.addAction(manage)
    connect = getattr(window, "connect_action", None)
    if isinstance(connect, QAction):
        connect.setVisible(access.can(Permission.CHANGE_CREDENTIALS))
    if access.operator is not None:
        op = access.operator
        window.setWindowTitle(f"{window.windowTitle()} — {op.name} ({op.role.label})")
