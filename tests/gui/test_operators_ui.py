"""Operator roles in the window (offscreen, real store and task runner): the sign-in dialog
checks off the GUI thread and shows the lockout, no profiles -> owner at once, the window of a
shipper hides what the role lacks (the services refuse it anyway), owners manage profiles."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox

from kinxpro_desktop.core.operators import OWNER_ACCESS, Access, Operator, Role
from kinxpro_desktop.services.operators import OperatorService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.dialogs.operators import OperatorsDialog
from kinxpro_desktop.ui.dialogs.sign_in import SignInDialog, sign_in
from kinxpro_desktop.ui.main_window import MainWindow

OWNER_PW, SHIPPER_PW = "owner-pass-1234", "shipper-pass-5678"


def profiles(db: Database) -> OperatorService:
    ops = OperatorService(db)
    olga = ops.create(OWNER_ACCESS, "olga", Role.OWNER, OWNER_PW)
    ops.create(Access.of(olga), "sam", Role.SHIPPER, SHIPPER_PW)
    return ops


def click_ok(dialog: SignInDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_sign_in_dialog_checks_on_the_runner_and_shows_the_lockout(qtbot, database) -> None:  # type: ignore[no-untyped-def]
    ops = profiles(database)
    runner = TaskRunner()
    try:
        dialog = SignInDialog(ops, runner, ops.profiles())
        qtbot.addWidget(dialog)
        dialog.name.setCurrentIndex(dialog.name.findData("sam"))
        for _ in range(5):
            dialog.password.setText("wrong-password")
            click_ok(dialog)
            qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=10_000)
        assert dialog.password.text() == ""  # never kept in the widget
        dialog.password.setText(SHIPPER_PW)
        click_ok(dialog)
        qtbot.waitUntil(lambda: "locked" in dialog.error.text(), timeout=10_000)
        assert database.access is OWNER_ACCESS  # nothing bound by failed attempts
        dialog.name.setCurrentIndex(dialog.name.findData("olga"))
        dialog.password.setText(OWNER_PW)
        with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as got:
            click_ok(dialog)
        assert got.args[0].actor == "owner:olga"
        assert database.access.actor == "owner:olga"
    finally:
        assert runner.shutdown(10_000)


def test_no_profiles_signs_in_as_owner_at_once(qtbot, database) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    seen: list[Access] = []
    try:
        sign_in(OperatorService(database), runner, seen.append, lambda rc: None)
        qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
        assert seen == [OWNER_ACCESS]
    finally:
        assert runner.shutdown(10_000)


def test_shipper_window_hides_what_the_role_lacks(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    ops = profiles(database)
    shipper = ops.sign_in("sam", SHIPPER_PW)
    switched: list[bool] = []
    window = MainWindow(make_ctx(access=shipper, switch_operator=lambda: switched.append(True)))
    qtbot.addWidget(window)
    assert "sam (Shipper)" in window.windowTitle()
    assert not window.connect_action.isVisible()
    actions = {a.objectName(): a for a in window.findChildren(QAction)}
    assert not actions["operatorProfilesAction"].isVisible()
    actions["switchOperatorAction"].trigger()
    assert switched == [True]
    assert window._ctx.actor == "shipper:sam"


def test_owner_manages_profiles_and_a_shipper_is_refused(qtbot, database) -> None:  # type: ignore[no-untyped-def]
    ops = profiles(database)
    runner = TaskRunner()
    try:
        owner = ops.sign_in("olga", OWNER_PW)
        dialog = OperatorsDialog(ops, runner, owner)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=10_000)
        dialog.name.setText("ana")
        dialog.role.setCurrentIndex(dialog.role.findData("analyst"))
        dialog.password.setText("analyst-pass-1")
        dialog.again.setText("analyst-pass-1")
        dialog.add_button.click()
        qtbot.waitUntil(lambda: dialog.list.count() == 3, timeout=10_000)
        assert Operator("ana", Role.ANALYST) in ops.profiles()

        shipper = ops.sign_in("sam", SHIPPER_PW)
        refused = OperatorsDialog(ops, runner, shipper)
        qtbot.addWidget(refused)
        qtbot.waitUntil(lambda: refused.list.count() == 3, timeout=10_000)
        refused.name.setText("eve")
        refused.password.setText("whatever-123")
        refused.again.setText("whatever-123")
        refused.add_button.click()
        qtbot.waitUntil(lambda: "owner role" in refused.status.text(), timeout=10_000)
        assert len(ops.profiles()) == 3
    finally:
        assert runner.shutdown(10_000)
