"""Operator roles in the window (offscreen, real store and task runner): the sign-in dialog
checks off the GUI thread and shows the lockout, no profiles -> owner at once, the window of a
shipper hides what the role lacks (the services refuse it anyway), owners manage profiles."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox

from kinxpro_desktop.core.operators import OWNER_ACCESS, Access, Operator, Role
from kinxpro_desktop.services.operators import OperatorService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.dialogs.operators import OperatorsDialog
from kinxpro_desktop.ui.dialogs.sign_in import SignInDialog, sign_in
from kinxpro_desktop.ui.main_window import MainWindow
from tests.gui.test_first_run import no_keyring, play  # noqa: F401 (fixtures)

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
    ctx = make_ctx(access=shipper, switch_operator=lambda: switched.append(True))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.refresh_all()
    qtbot.waitUntil(lambda: window.orders_tab.counts is not None, timeout=10_000)  # loads done
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


# -- the start-up of the real app (run_gui with its own event loop) -------------------------
@pytest.mark.usefixtures("no_keyring")
def test_start_with_profiles_asks_to_sign_in_then_shows_the_operators_window(  # type: ignore[no-untyped-def]
    app_paths, request
) -> None:
    drive = request.getfixturevalue("play")  # test_first_run's driver of the real loop
    from PySide6.QtWidgets import QApplication

    from kinxpro_desktop import app as app_module
    from kinxpro_desktop.services.session import PASSPHRASE, StoreLocation, open_session
    from tests.gui.test_first_run import GOOD, User

    session = open_session(
        StoreLocation.of(app_paths), prefer=PASSPHRASE, passphrase=lambda _n: GOOD
    )
    try:
        profiles(session.db)
    finally:
        session.close()

    class Shipper(User):
        def step(self) -> None:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, SignInDialog) and widget.isVisible():
                    if widget.buttons.isEnabled() and not widget.password.text():
                        self.seen.append("sign-in")
                        widget.name.setCurrentIndex(widget.name.findData("sam"))
                        widget.password.setText(SHIPPER_PW)
                        click_ok(widget)
                    return
            super().step()

    user = Shipper([])
    rc = drive(user, lambda: app_module.run_gui(app_paths, env_passphrase=GOOD))
    assert user.window_shown, user.seen
    assert rc == 0
    assert user.seen == ["sign-in"]
    assert "sam (Shipper)" in user.window_title
    again = open_session(StoreLocation.of(app_paths), prefer=PASSPHRASE, passphrase=lambda _n: GOOD)
    try:
        entries = again.db.audit.entries(limit=50)
        assert any(e.event == "sign_in" and e.actor == "shipper:sam" for e in entries)
    finally:
        again.close()
