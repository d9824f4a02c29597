"""The first run ends in the main window, every time: no keyring, real dialogs, real store.

`run_gui` runs its own event loop here, as it does for `make run`. A driver timer plays the
user: it answers whichever real dialog is on screen, and closes the main window once it has
been shown. If Qt quits when a dialog (the last visible window) closes, `run_gui` returns
without the main window ever showing: that is the defect these tests catch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from kinxpro_desktop import app as app_module
from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.services.session import PASSPHRASE, StoreLocation, open_session
from kinxpro_desktop.ui.dialogs.passphrase import PassphraseDialog
from kinxpro_desktop.ui.main_window import MainWindow

NO_KEYRING = "keyring.backends.fail.Keyring"
GUARD_MS = 120_000  # a hung start-up fails the test after this long
GOOD = "a long enough passphrase"


@dataclass
class User:
    """Answers real dialogs as they appear; records what it saw."""

    passphrases: list[str]
    question: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes
    seen: list[str] = field(default_factory=list)
    window_shown: bool = False
    window_title: str = ""
    started: float = field(default_factory=time.monotonic)
    shown_after: float = -1.0

    def step(self) -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, PassphraseDialog):
            self.seen.append(f"passphrase:{modal.message}")
            text = self.passphrases.pop(0) if self.passphrases else ""
            if not text:
                modal.reject()
                return
            modal.first.setText(text)
            modal.second.setText(text)
            modal._check()
            if modal.isVisible():  # refused by the dialog's own rule: give up
                self.seen.append(f"refused:{modal.error.text()}")
                modal.reject()
            return
        if isinstance(modal, QMessageBox):
            self.seen.append(f"box:{modal.text()}")
            button = modal.button(self.question) or modal.defaultButton() or modal.buttons()[0]
            button.click()
            return
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                self.window_shown = True
                self.window_title = widget.windowTitle()
                self.shown_after = time.monotonic() - self.started
                widget.close()
                return


@pytest.fixture
def play(qapp: QApplication) -> Iterator[Callable[[User, Callable[[], int]], int]]:
    timers: list[QTimer] = []

    def run(user: User, fn: Callable[[], int]) -> int:
        timer = QTimer()
        timer.setInterval(30)
        timer.timeout.connect(user.step)
        timer.start()
        timers.append(timer)
        # A hung start-up must fail the test, not the suite. The guard is stopped as soon as
        # `fn` returns: fired later, outside run_gui's loop, QApplication.exit() would make
        # every later event loop (pytest-qt's waits) return at once.
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(lambda: qapp.exit(99))
        guard.start(GUARD_MS)
        timers.append(guard)
        try:
            return fn()
        finally:
            guard.stop()

    yield run
    for timer in timers:
        timer.stop()
    qapp.setQuitOnLastWindowClosed(True)
    for widget in QApplication.topLevelWidgets():
        widget.close()
        if isinstance(widget, QWidget) and not isinstance(widget, MainWindow):
            widget.deleteLater()


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)


def test_first_run_without_keyring_ends_in_the_main_window(
    app_paths: AppPaths, play, no_keyring
) -> None:  # type: ignore[no-untyped-def]
    user = User([GOOD])
    rc = play(user, lambda: app_module.run_gui(app_paths))
    assert user.window_shown, f"the app quit before its window showed; saw {user.seen}"
    assert rc == 0
    assert "No secure system keyring" in user.seen[0]
    assert "--key-source passphrase" in user.seen[0]
    assert user.seen[1] == "passphrase:"
    assert app_paths.key_mode_file.read_text().strip() == PASSPHRASE
    assert app_paths.database.exists()


def test_make_run_without_keyring_ends_in_the_demo_window(tmp_path: Path, play, no_keyring) -> None:  # type: ignore[no-untyped-def]
    """`make run` is `kinxpro-desktop --demo`: the whole front door, simulator included."""
    from kinxpro_desktop import cli

    user = User([GOOD])
    rc = play(user, lambda: cli.main(["--data-dir", str(tmp_path / "data"), "--demo"]))
    assert user.window_shown, f"the app quit before its window showed; saw {user.seen}"
    assert rc == 0, f"window shown after {user.shown_after:.1f} s, then no quit before the guard"
    assert "Demo" in user.window_title
    assert (tmp_path / "data" / "demo" / "kinxpro.db").exists()
    assert not (tmp_path / "data" / "kinxpro.db").exists()


def test_closing_the_window_at_once_quits_even_on_a_slow_machine(  # type: ignore[no-untyped-def]
    app_paths: AppPaths, play, no_keyring, monkeypatch
) -> None:
    """The window is closed before the start-up code that follows show() has finished (a
    loaded machine): the app must still quit, not sit with no window until killed."""
    original = MainWindow.refresh_all

    def slow_refresh(self: MainWindow) -> None:
        time.sleep(0.15)  # longer than the user's 30 ms reaction
        original(self)

    monkeypatch.setattr(MainWindow, "refresh_all", slow_refresh)
    user = User([GOOD])
    rc = play(user, lambda: app_module.run_gui(app_paths))
    assert user.window_shown, user.seen
    assert rc == 0, f"no quit after the window closed (shown at {user.shown_after:.1f} s)"


def test_wrong_then_right_passphrase_ends_in_the_main_window(
    app_paths: AppPaths, play, no_keyring
) -> None:  # type: ignore[no-untyped-def]
    open_session(StoreLocation.of(app_paths), prefer=PASSPHRASE, passphrase=lambda _n: GOOD).close()
    user = User(["not the passphrase", GOOD])
    rc = play(user, lambda: app_module.run_gui(app_paths))
    assert user.window_shown, f"the app quit before its window showed; saw {user.seen}"
    assert rc == 0
    assert user.seen == [
        "passphrase:",
        "passphrase:That passphrase did not unlock the database.",
    ]


def test_short_passphrase_is_refused_by_the_one_rule(app_paths: AppPaths, play, no_keyring) -> None:  # type: ignore[no-untyped-def]
    user = User(["x"])
    rc = play(user, lambda: app_module.run_gui(app_paths))
    assert not user.window_shown
    assert rc == 1
    assert any(s.startswith("refused:") and "12 characters" in s for s in user.seen), user.seen
    assert not app_paths.database.exists()


def test_gui_takes_the_passphrase_from_the_environment(
    app_paths: AppPaths, play, no_keyring
) -> None:  # type: ignore[no-untyped-def]
    open_session(StoreLocation.of(app_paths), prefer=PASSPHRASE, passphrase=lambda _n: GOOD).close()
    user = User([])
    rc = play(user, lambda: app_module.run_gui(app_paths, env_passphrase=GOOD))
    assert user.window_shown, user.seen
    assert rc == 0
    assert user.seen == []  # no dialog at all


def test_window_takes_kinxpro_passphrase_and_removes_it_from_the_environment(  # type: ignore[no-untyped-def]
    app_paths: AppPaths, play, no_keyring, monkeypatch
) -> None:
    import os

    from kinxpro_desktop import cli

    open_session(StoreLocation.of(app_paths), prefer=PASSPHRASE, passphrase=lambda _n: GOOD).close()
    monkeypatch.setenv("KINXPRO_PASSPHRASE", GOOD)
    user = User([])
    rc = play(user, lambda: cli.main(["--data-dir", str(app_paths.data_dir)]))
    assert user.window_shown, user.seen
    assert rc == 0 and user.seen == []
    assert "KINXPRO_PASSPHRASE" not in os.environ


def test_bad_data_folder_shows_a_dialog_and_exits_2(tmp_path: Path, play) -> None:  # type: ignore[no-untyped-def]
    from kinxpro_desktop import cli

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    user = User([])
    rc = play(user, lambda: cli.main(["--data-dir", str(not_a_folder)]))
    assert rc == 2
    assert not user.window_shown
    assert len(user.seen) == 1 and user.seen[0].startswith("box:"), user.seen
    assert "is a file" in user.seen[0] and str(not_a_folder) in user.seen[0]


def test_use_my_own_account_relaunches_on_the_own_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    argv = app_module.own_account_argv(str(data), frozen=False)
    assert argv == ["-m", "kinxpro_desktop", "--data-dir", str(data)]
    assert app_module.own_account_argv(None, frozen=True) == []


# -- Account ▸ Connect on a first run ----------------------------------------------------------
@pytest.fixture
def connect_dialog(app_paths: AppPaths, database, qtbot):  # type: ignore[no-untyped-def]
    from kinxpro_desktop.app import build_context
    from kinxpro_desktop.context import AccountActions
    from kinxpro_desktop.services.privacy import PrivacyService
    from kinxpro_desktop.tasks.runner import TaskRunner
    from kinxpro_desktop.ui.dialogs.connect import ConnectDialog

    calls: list[object] = []

    def refuse(fields: object) -> object:
        calls.append(fields)
        raise RuntimeError("must not be called")

    runner = TaskRunner()
    ctx = build_context(
        app_paths,
        PrivacyService(database),
        runner,
        PASSPHRASE,
        accounts=AccountActions(test=refuse, save=lambda *_a: None),  # type: ignore[arg-type]
    )
    dialog = ConnectDialog(ctx)
    qtbot.addWidget(dialog)
    yield dialog, calls
    runner.shutdown(10_000)


def test_connect_dialog_says_where_passphrase_mode_keeps_credentials(connect_dialog) -> None:  # type: ignore[no-untyped-def]
    dialog, _calls = connect_dialog
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.result_label)))
    assert "system keyring" not in texts
    assert "encrypted database" in texts


def test_connect_dialog_checks_the_client_id_shape_then_clears_the_error(connect_dialog) -> None:  # type: ignore[no-untyped-def]
    dialog, calls = connect_dialog
    dialog.client_id.setText("amzn1.oa2-cs.v1.this-is-the-secret")
    dialog.client_secret.setText("amzn1.oa2-cs.v1.secret")
    dialog.refresh_token.setText("Atzr|token")
    dialog.test_button.click()
    assert dialog.result_label.text().startswith("✘")
    assert "not the LWA client id" in dialog.result_label.text()
    assert calls == []  # refused before anything went to Amazon
    dialog.client_id.setText("amzn1.application-oa2-client.0123456789abcdef")
    assert dialog.result_label.text() == ""  # the stale error is gone once the field is fixed
    assert not dialog.save_button.isEnabled()


def test_connect_dialog_lists_every_marketplace_of_the_region(connect_dialog) -> None:  # type: ignore[no-untyped-def]
    dialog, _calls = connect_dialog
    dialog.region.setCurrentIndex(dialog.region.findData("FE"))
    assert sorted(b.text() for b in dialog.market_boxes) == ["AU", "JP", "SG"]
    dialog.region.setCurrentIndex(dialog.region.findData("EU"))
    assert {"DE", "GB", "IE", "PL"} <= {b.text() for b in dialog.market_boxes}
