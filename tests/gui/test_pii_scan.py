"""After a session that stores, shows and wipes buyer data, no seeded PII string is in any
file the app wrote: logs, QSettings, markers, the database folder."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from kinxpro_desktop.app import build_context, install_excepthook
from kinxpro_desktop.logging_setup import setup_logging, teardown_logging
from kinxpro_desktop.paths import AppPaths
from kinxpro_desktop.services.session import PASSPHRASE, StoreLocation
from kinxpro_desktop.services.startup import start
from kinxpro_desktop.tasks.runner import TaskRunner
from kinxpro_desktop.ui.dialogs.crash import crash_text
from kinxpro_desktop.ui.main_window import MainWindow
from tests.gui.test_privacy_tab import confirm
from tests.support.seed import MARKER, make_orders, pii_strings, store_seeded


def all_written_bytes(paths: AppPaths) -> dict[Path, bytes]:
    out = {}
    for folder in {paths.data_dir, paths.config_dir, paths.log_dir}:
        for f in folder.rglob("*"):
            if f.is_file():
                out[f] = f.read_bytes()
    return out


def test_no_seeded_pii_in_any_file_after_a_session(qtbot, app_paths: AppPaths, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handler = setup_logging(app_paths.log_file)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook(app_paths.log_file)
    seeded = make_orders(datetime.now(UTC), count=80, days=60)
    started = start(
        StoreLocation.of(app_paths), prefer=PASSPHRASE, passphrase=lambda _n: "a long passphrase"
    )
    runner = TaskRunner()
    try:
        store_seeded(started.session.db, seeded)
        ctx = build_context(app_paths, started.privacy, runner, PASSPHRASE)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        tab = window.privacy_tab
        tab.retention_spin.setValue(7)
        tab.apply_button.click()
        confirm(qtbot, tab)
        qtbot.waitUntil(lambda: "Retention saved" in tab.disposal_result.text(), timeout=10_000)
        tab.verify_disposal_button.click()
        qtbot.waitUntil(lambda: tab.disposal_result.text().startswith("✔"), timeout=10_000)

        # A failure whose message carries buyer data the way an SP-API error body would.
        leaked = seeded.pii[-1]
        body = json.dumps({"AddressLine1": leaked.address_line1, "Name": leaked.buyer_name})

        def failing() -> None:
            raise RuntimeError(f"unexpected response {body}")

        runner.submit(failing)
        qtbot.waitUntil(lambda: runner.pending() == 0, timeout=5000)
        try:
            raise ValueError(f"buyer_email={leaked.buyer_email} phone={leaked.buyer_phone}")
        except ValueError:
            exc_type = sys.exc_info()[0]
            logging.getLogger("kinxpro.test").exception("while shipping")
        assert exc_type is not None
        assert str(app_paths.log_file) in crash_text(exc_type, app_paths.log_file)
        assert leaked.buyer_email not in crash_text(exc_type, app_paths.log_file)
        window.close()
    finally:
        assert runner.shutdown(10_000)
        started.session.close()
        handler.flush()
        teardown_logging(handler)

    files = all_written_bytes(app_paths)
    assert app_paths.log_file in files and app_paths.ui_state_file in files
    log_text = files[app_paths.log_file]
    assert b"while shipping" in log_text
    assert b"background task failed: RuntimeError" in log_text
    assert log_text.count(b"[redacted]") >= 4
    needles = {v.encode() for p in seeded.pii for v in pii_strings(p)} | {MARKER.encode()}
    for path, data in files.items():
        for needle in needles:
            assert needle not in data, f"buyer data found in {path.name}"
