"""`--smoke-test`: store, keyring (or passphrase), demo sync, PDF, main window; each step timed.

With `--key-source passphrase` no keyring is needed: a passphrase is generated in memory for
a throw-away store in a temporary folder.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import time
from typing import TYPE_CHECKING

from kinxpro_desktop.core.dbkey import PASSPHRASE
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.paths import AppPaths, resolve_paths

if TYPE_CHECKING:
    from kinxpro_desktop.services.startup import Started


def smoke_test(key_source: str | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    t0 = time.perf_counter()
    steps: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="kinxpro-smoke-") as tmp:
        paths = resolve_paths(tmp)
        paths.ensure()
        from kinxpro_desktop.logging_setup import setup_logging, teardown_logging

        handler = setup_logging(paths.log_file)
        try:
            _steps(paths, key_source, steps)
        finally:
            teardown_logging(handler)
    last = t0
    for label, at in steps:
        print(f"ok  {label}  [{(at - last) * 1000:.0f} ms]")
        last = at
    print(f"smoke test passed in {time.perf_counter() - t0:.2f} s")
    return 0


def _steps(paths: AppPaths, key_source: str | None, steps: list[tuple[str, float]]) -> None:
    from kinxpro_desktop.services.session import StoreLocation
    from kinxpro_desktop.services.startup import start

    loc = StoreLocation.of(paths)
    keyring_store = None
    if key_source == PASSPHRASE:
        generated = secrets.token_urlsafe(24)
        started = start(loc, prefer=PASSPHRASE, passphrase=lambda _new: generated)
        mode = "passphrase mode: a passphrase generated in memory, no keyring"
    else:
        from kinxpro_desktop.vault.secret_store import KeyringSecretStore

        keyring_store = KeyringSecretStore(loc.keyring_service)
        probe = f"smoke-{os.getpid()}-{time.time_ns()}"
        keyring_store.set("smoke-probe", probe)
        ok = keyring_store.get("smoke-probe") == probe
        keyring_store.delete("smoke-probe")
        if not ok:
            raise UserError("keyring round trip returned a different value")
        steps.append((f"keyring round trip ({keyring_store.backend_name})", time.perf_counter()))
        store = keyring_store
        started = start(loc, keyring_store=lambda _s: store)
        mode = "keyring mode"
    try:
        if loc.database.read_bytes()[:16].startswith(b"SQLite format 3"):
            raise UserError("the database file is not encrypted")
        steps.append((f"encrypted store opened, migrated, wiped ({mode})", time.perf_counter()))
        _demo_sync(started, steps)
        from kinxpro_desktop.documents.smoke import render_test_page

        pdf = render_test_page()
        if not pdf.startswith(b"%PDF"):
            raise UserError("reportlab did not produce a PDF")
        steps.append((f"PDF rendered ({len(pdf)} bytes)", time.perf_counter()))
        _main_window(paths, started, steps)
    finally:
        started.session.close()
        if keyring_store is not None:
            keyring_store.delete("database-key")


def _demo_sync(started: Started, steps: list[tuple[str, float]]) -> None:
    from sp_api.auth import access_token_client

    from kinxpro_desktop.core.progress import CancelToken
    from kinxpro_desktop.sandbox import Simulator
    from kinxpro_desktop.services.connection import build_gateway, simulator_credentials
    from kinxpro_desktop.services.sync import SyncService

    db = started.session.db
    with Simulator(orders=40, listings=10, time_scale=1000.0) as sim:
        creds = simulator_credentials(sim.credentials)
        with build_gateway(creds, endpoint=sim.base_url) as gateway:
            report = SyncService(db, gateway).run(CancelToken(), lambda _u: None)
        access_token_client.cache.clear()
    if db.orders.count() < 40:
        raise UserError("the demo sync stored fewer orders than the simulator holds")
    steps.append(
        (
            f"demo simulator started, one sync run ({report.api_calls} API calls)",
            time.perf_counter(),
        )
    )


def _main_window(paths: AppPaths, started: Started, steps: list[tuple[str, float]]) -> None:
    from PySide6.QtWidgets import QApplication

    from kinxpro_desktop.app import build_context, install_qt_message_handler
    from kinxpro_desktop.tasks.runner import TaskRunner
    from kinxpro_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    install_qt_message_handler()
    runner = TaskRunner()
    ctx = build_context(paths, started.privacy, runner, started.session.key_mode)
    window = MainWindow(ctx)
    window.show()
    app.processEvents()
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.close()
    runner.shutdown()
    steps.append((f"main window built offscreen ({', '.join(tabs)})", time.perf_counter()))
    logging.getLogger(__name__).info("smoke test: main window ok")
