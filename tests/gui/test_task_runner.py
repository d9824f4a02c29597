"""The task runner: one way to run a job (token, progress, handle) and no error ever unlogged."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.tasks.runner import TaskRunner


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:  # type: ignore[no-untyped-def]
    r = TaskRunner()
    yield r
    assert r.shutdown(10_000)


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("background task failed")]


def test_unexpected_errors_are_logged_even_when_handled(qtbot, runner, caplog) -> None:  # type: ignore[no-untyped-def]
    seen: list[BaseException] = []

    def broken() -> None:
        raise OSError("disk full")

    with caplog.at_level(logging.ERROR, logger="kinxpro_desktop.tasks.runner"):
        runner.submit(broken, on_error=seen.append)
        qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert isinstance(seen[0], OSError)
    logged = failures(caplog)
    assert len(logged) == 1
    assert "OSError" in logged[0].getMessage() and "broken" in logged[0].getMessage()
    # with its traceback (the redaction filter, when installed, turns it into redacted text)
    assert logged[0].exc_info is not None or "OSError" in (logged[0].exc_text or "")


def test_user_errors_and_cancellation_are_not_logged_as_failures(qtbot, runner, caplog) -> None:  # type: ignore[no-untyped-def]
    seen: list[BaseException] = []

    def refused() -> None:
        raise UserError("Reconnect the account in Account ▸ Connect.")

    def cancelled() -> None:
        raise Cancelled()

    with caplog.at_level(logging.ERROR):
        runner.submit(refused, on_error=seen.append)
        runner.submit(cancelled, on_error=seen.append)
        runner.submit(cancelled)  # no handler: still quiet
        qtbot.waitUntil(lambda: len(seen) == 2 and runner.pending() == 0, timeout=5000)
    assert failures(caplog) == []


def test_a_job_reports_progress_on_the_gui_thread_and_returns_its_result(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    job_threads: list[threading.Thread] = []
    progress_threads: list[threading.Thread] = []
    updates: list[ProgressUpdate] = []
    results: list[int] = []

    def job(token: CancelToken, progress: ProgressFn) -> int:
        job_threads.append(threading.current_thread())
        for page in range(3):
            token.check()
            progress(ProgressUpdate("Pages", page + 1, 3))
        return 42

    def on_progress(update: ProgressUpdate) -> None:
        progress_threads.append(threading.current_thread())
        updates.append(update)

    handle = runner.submit_job(job, on_done=results.append, on_progress=on_progress)
    qtbot.waitUntil(lambda: results == [42], timeout=5000)
    assert handle.finished and not handle.cancelled
    assert job_threads[0] is not threading.main_thread()
    assert [u.done for u in updates] == [1, 2, 3]
    assert set(progress_threads) == {threading.main_thread()}


def test_cancel_through_the_handle_stops_the_job_between_pages(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    started = threading.Event()
    pages: list[int] = []
    errors: list[BaseException] = []

    def job(token: CancelToken, progress: ProgressFn) -> None:
        started.set()
        for page in range(1000):
            if token.wait(0.01):
                token.check()
            pages.append(page)
            progress(ProgressUpdate("Pages", page + 1, 1000))

    handle = runner.submit_job(job, on_error=errors.append)
    assert started.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], Cancelled)
    assert len(pages) < 1000


def test_shutdown_cancels_running_jobs(qtbot) -> None:  # type: ignore[no-untyped-def]
    r = TaskRunner()
    started = threading.Event()
    stopped: list[bool] = []

    def job(token: CancelToken, _progress: ProgressFn) -> None:
        started.set()
        stopped.append(token.wait(30))

    r.submit_job(job)
    outside = r.cancellable()
    assert started.wait(5)
    assert r.shutdown(10_000)
    assert stopped == [True] and outside.cancelled


def test_a_result_for_a_widget_deleted_meanwhile_is_dropped(qtbot, runner, caplog) -> None:  # type: ignore[no-untyped-def]
    """A dialog closed (and deleted) while its job runs: the result, error or progress is
    not delivered to the dead widget ("Internal C++ object already deleted"); other
    receivers still get theirs."""
    import shiboken6
    from PySide6.QtWidgets import QLabel

    release = threading.Event()
    delivered: list[str] = []

    def slow(token: CancelToken, progress: ProgressFn) -> str:
        release.wait(5)
        progress(ProgressUpdate("Rows", 1, 1))
        return "done"

    def failing() -> None:
        release.wait(5)
        raise UserError("no such report")

    label = QLabel()
    runner.submit_job(
        slow,
        on_done=lambda text: (label.setText(text), delivered.append("done")),
        on_progress=lambda _u: label.setText("progress"),
    )
    runner.submit(failing, on_error=lambda exc: label.setText(str(exc)))
    runner.submit(failing, on_error=lambda _exc: delivered.append("error for a live receiver"))
    shiboken6.delete(label)  # the widget goes while the jobs run
    release.set()
    qtbot.waitUntil(lambda: runner.pending() == 0, timeout=5000)
    qtbot.wait(50)
    assert delivered == ["error for a live receiver"]
    assert failures(caplog) == []
