"""Opening the app: unlock off the GUI thread, passphrase prompts, refusals that say what to do."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from kinxpro_desktop import app as app_module
from kinxpro_desktop.instance import InstanceLock
from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.services.session import PASSPHRASE
from kinxpro_desktop.services.startup import Started
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.dialogs.passphrase import PassphraseDialog


class Answers:
    """Scripted answers for the modal dialogs, recording what the user was shown."""

    def __init__(self, passphrases: list[str], question: QMessageBox.StandardButton) -> None:
        self.passphrases = passphrases
        self.prompts: list[tuple[bool, str]] = []
        self.question = question
        self.questions: list[str] = []
        self.errors: list[tuple[str, str]] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        answers = self

        class ScriptedDialog(PassphraseDialog):
            def exec(self) -> int:  # type: ignore[override]
                answers.prompts.append((self._creating, self.message))
                if not answers.passphrases:
                    return PassphraseDialog.DialogCode.Rejected
                self.first.setText(answers.passphrases.pop(0))
                return PassphraseDialog.DialogCode.Accepted

        monkeypatch.setattr(app_module, "PassphraseDialog", ScriptedDialog)
        monkeypatch.setattr(
            QMessageBox,
            "question",
            lambda _p, _t, text, *a: self.questions.append(text) or self.question,
        )
        monkeypatch.setattr(
            QMessageBox, "critical", lambda _p, title, text, *a: self.errors.append((title, text))
        )
        monkeypatch.setattr(
            QMessageBox, "warning", lambda _p, title, text, *a: self.errors.append((title, text))
        )


@pytest.fixture
def runner(qtbot):  # type: ignore[no-untyped-def]
    r = TaskRunner()
    yield r
    r.shutdown()


def run_startup(qtbot, app_paths: AppPaths, runner: TaskRunner, prefer: str | None):  # type: ignore[no-untyped-def]
    outcome: dict[str, object] = {}
    startup = app_module.GuiStartup(
        app_paths,
        runner,
        prefer,
        lambda s: outcome.setdefault("ready", s),
        lambda rc: outcome.setdefault("abort", rc),
    )
    startup.begin()
    qtbot.waitUntil(lambda: bool(outcome), timeout=15_000)
    ready = outcome.get("ready")
    if isinstance(ready, Started):
        ready.session.close()
    return outcome


def test_no_keyring_offers_passphrase_mode_then_unlocks(  # type: ignore[no-untyped-def]
    qtbot, app_paths, runner, monkeypatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    answers = Answers(["a long enough passphrase"], QMessageBox.StandardButton.Yes)
    answers.install(monkeypatch)
    outcome = run_startup(qtbot, app_paths, runner, None)
    assert "No secure system keyring" in answers.questions[0]
    assert answers.prompts == [(True, "")]
    started = outcome["ready"]
    assert isinstance(started, Started)
    assert started.session.key_mode == PASSPHRASE
    assert app_paths.key_mode_file.read_text().strip() == PASSPHRASE


def test_wrong_passphrase_asks_again_then_unlocks(qtbot, app_paths, runner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    answers = Answers(["first passphrase ok"], QMessageBox.StandardButton.No)
    answers.install(monkeypatch)
    assert "ready" in run_startup(qtbot, app_paths, runner, PASSPHRASE)
    answers.passphrases = ["wrong one", "first passphrase ok"]
    answers.prompts.clear()
    outcome = run_startup(qtbot, app_paths, runner, None)
    assert "ready" in outcome
    # Existing database: one field, not two; the second prompt says why it asks again.
    assert answers.prompts == [(False, ""), (False, "That passphrase did not unlock the database.")]


def test_cancelled_passphrase_quits_without_creating_anything(  # type: ignore[no-untyped-def]
    qtbot, app_paths, runner, monkeypatch
) -> None:
    Answers([], QMessageBox.StandardButton.No).install(monkeypatch)
    outcome = run_startup(qtbot, app_paths, runner, PASSPHRASE)
    assert outcome == {"abort": 1}
    assert not app_paths.database.exists()


def test_damaged_database_is_reported_and_left_alone(  # type: ignore[no-untyped-def]
    qtbot, app_paths, runner, monkeypatch
) -> None:
    answers = Answers(["irrelevant passphrase"], QMessageBox.StandardButton.No)
    answers.install(monkeypatch)
    app_paths.database.write_bytes(b"")
    outcome = run_startup(qtbot, app_paths, runner, PASSPHRASE)
    assert outcome == {"abort": 2}
    assert answers.errors[0][0] == "Database damaged"
    assert "empty" in answers.errors[0][1]
    assert app_paths.database.read_bytes() == b""


def test_second_window_on_the_same_folder_says_so(qtbot, app_paths, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    answers = Answers([], QMessageBox.StandardButton.No)
    answers.install(monkeypatch)
    with InstanceLock(app_paths.lock_file):
        rc = app_module.run_gui(app_paths)
    assert rc == 2
    assert answers.errors[0][0] == "Already running"
    assert str(app_paths.data_dir) in answers.errors[0][1]
    assert not app_paths.database.exists()


def test_unhandled_errors_are_logged_without_statement_parameters(  # type: ignore[no-untyped-def]
    qtbot, app_paths, monkeypatch
) -> None:
    import sys
    import threading

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import create_engine, text

    from kinxpro_desktop.logging_setup import setup_logging, teardown_logging

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    handler = setup_logging(app_paths.log_file)
    engine = create_engine(f"sqlite:///{app_paths.data_dir / 'plain.db'}")
    row = {"n": " ".join(("Jane", "Q.", "Buyer"))}  # never spelled out in a traceback line
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE pii (name TEXT UNIQUE)"))
        conn.execute(text("INSERT INTO pii VALUES (:n)"), row)

    def fail() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO pii VALUES (:n)"), row)

    try:
        app_module.install_excepthook(app_paths.log_file)
        worker = threading.Thread(target=fail, name="worker")
        worker.start()
        worker.join()
        # The GUI-thread hook also shows the crash dialog: close it when it appears.
        shown: list[str] = []

        def close_box() -> None:
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                shown.append(box.text())
                box.accept()

        timer = QTimer()
        timer.timeout.connect(close_box)
        timer.start(20)
        try:
            fail()
        except Exception as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        timer.stop()
    finally:
        teardown_logging(handler)
        engine.dispose()
    logged = app_paths.log_file.read_text()
    assert logged.count("IntegrityError") >= 2
    assert "Jane Q. Buyer" not in logged
    assert "[parameters: not logged]" in logged
    assert shown and "IntegrityError" in shown[0] and "Jane" not in shown[0]
