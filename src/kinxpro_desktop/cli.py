"""Command line: the GUI by default, headless subcommands for scheduling and support."""

from __future__ import annotations

import argparse
import getpass
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from kinxpro_desktop._version import __version__
from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.instance import InstanceLock
from kinxpro_desktop.logging_setup import setup_logging
from kinxpro_desktop.paths import AppPaths, resolve_paths
from kinxpro_desktop.services.session import KEY_SOURCES, StoreLocation
from kinxpro_desktop.services.startup import Started, start

PASSPHRASE_ENV = "KINXPRO_PASSPHRASE"  # noqa: S105 (a variable name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kinxpro-desktop",
        description="Kinxpro Desktop: listings, orders, FBM labels and reports for one Amazon "
        "seller, with buyer data encrypted and deleted after the retention window.",
    )
    parser.add_argument("--version", action="version", version=f"kinxpro-desktop {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data folder (default: the platform's user data folder); logs go to DIR/logs",
    )
    parser.add_argument(
        "--key-source",
        choices=KEY_SOURCES,
        help="for a new data folder: keep the database key in the system keyring (default) "
        f"or derive it from a passphrase (read from ${PASSPHRASE_ENV} or a terminal prompt)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="try Kinxpro on a simulated Amazon (fake orders, its own data folder)",
    )
    parser.add_argument(
        "--endpoint",
        metavar="URL",
        help="send SP-API calls to a local simulator (loopback only), e.g. one started with "
        "`kinxpro-desktop sandbox`",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="check the store, keyring, PDF rendering and main window, then exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("wipe", help="apply the retention rule now and print what was deleted")
    sub.add_parser("verify", help="check disposal and the audit chain; non-zero exit on findings")
    sub.add_parser("sync", help="run one sync now (progress on stderr; non-zero exit on failure)")
    retention = sub.add_parser("retention", help="show or set the retention period in days")
    retention.add_argument("days", nargs="?", help="new period, 1 to 30 days")
    _add_sandbox(sub)
    return parser


def _add_sandbox(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    try:
        sandbox_cli = importlib.import_module("kinxpro_desktop.sandbox.cli")
    except ImportError:
        return
    configure = getattr(sandbox_cli, "configure_parser", None)
    if configure is None:
        return
    parser = sub.add_parser("sandbox", help="run the local SP-API simulator (demo and tests)")
    configure(parser)


def cli_passphrase(creating: bool) -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise UserError(
            f"This database uses passphrase mode. Set {PASSPHRASE_ENV}, or run the command "
            "in a terminal to be asked for the passphrase."
        )
    first = getpass.getpass("Database passphrase: ")
    if creating and getpass.getpass("Again: ") != first:
        raise UserError("The two passphrases differ; nothing was created.")
    return first


def _with_store(paths: AppPaths, key_source: str | None, action: Callable[[Started], int]) -> int:
    paths.ensure()
    setup_logging(paths.log_file)
    with InstanceLock(paths.lock_file):
        started = start(
            StoreLocation.of(paths), prefer=key_source, passphrase=cli_passphrase, actor="cli"
        )
        for alert in started.alerts:
            print(f"kinxpro-desktop: SECURITY ALERT: {alert}", file=sys.stderr)
        try:
            return action(started)
        finally:
            started.session.close()


def cmd_wipe(started: Started) -> int:
    # start() already applied retention; report that run's counts.
    w = started.wipe
    print(
        f"Retention {started.privacy.retention_days()} days; cutoff {w.cutoff:%Y-%m-%d %H:%M} UTC: "
        f"deleted buyer data of {w.orders_wiped} orders and {w.labels_wiped} label documents."
    )
    return 0


def cmd_verify(started: Started) -> int:
    report = started.privacy.verify("cli")
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def cmd_sync(started: Started, endpoint: str | None, creds: SpApiCredentials | None) -> int:
    from kinxpro_desktop.services.connection import NOT_CONNECTED
    from kinxpro_desktop.services.sync.headless import run_headless_sync
    from kinxpro_desktop.vault.credentials import load_credentials

    creds = creds or load_credentials(started.session.secrets)
    if creds is None:
        raise UserError(NOT_CONNECTED)
    return run_headless_sync(started.session.db, creds, endpoint=endpoint)


def cmd_retention(started: Started, value: str | None) -> int:
    if value is None:
        print(f"Retention: {started.privacy.retention_days()} days")
        return 0
    result = started.privacy.set_retention(value, "cli")
    print(
        f"Retention set to {started.privacy.retention_days()} days; deleted buyer data of "
        f"{result.orders_wiped} orders."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = demo_paths(args.data_dir) if args.demo else resolve_paths(args.data_dir)
    try:
        if args.smoke_test:
            return smoke_test()
        if args.command == "wipe":
            return _with_store(paths, args.key_source, cmd_wipe)
        if args.command == "verify":
            return _with_store(paths, args.key_source, cmd_verify)
        if args.command == "sync":
            if args.demo:
                with start_demo_simulator() as (endpoint, creds):
                    return _with_store(
                        paths, args.key_source, lambda s: cmd_sync(s, endpoint, creds)
                    )
            return _with_store(paths, args.key_source, lambda s: cmd_sync(s, args.endpoint, None))
        if args.command == "retention":
            return _with_store(paths, args.key_source, lambda s: cmd_retention(s, args.days))
        if args.command == "sandbox":
            return int(importlib.import_module("kinxpro_desktop.sandbox.cli").run(args))
    except UserError as exc:
        print(f"kinxpro-desktop: {exc.message}", file=sys.stderr)
        return exc.exit_code
    paths.ensure()
    setup_logging(paths.log_file)
    from kinxpro_desktop.app import SyncTarget, run_gui

    if args.demo:
        with start_demo_simulator() as (endpoint, creds):
            target = SyncTarget(endpoint, creds, demo=True, interval_ms=DEMO_SYNC_INTERVAL_MS)
            return run_gui(paths, prefer=args.key_source, target=target)
    return run_gui(paths, prefer=args.key_source, target=SyncTarget(endpoint=args.endpoint))


DEMO_TIME_SCALE = 30.0  # simulated Amazon runs 30x faster, so the demo feels live
DEMO_SYNC_INTERVAL_MS = 60_000


@contextmanager
def start_demo_simulator() -> Iterator[tuple[str, SpApiCredentials]]:
    """The SP-API simulator in-process on a free loopback port, with its demo credentials."""
    from kinxpro_desktop.sandbox import Simulator

    sim = Simulator(time_scale=DEMO_TIME_SCALE).start()
    try:
        c = sim.credentials
        creds = SpApiCredentials(
            lwa_client_id=c.client_id,
            lwa_client_secret=c.client_secret,
            refresh_token=c.refresh_token,
            region="NA",
            marketplaces=tuple(c.marketplace_ids),
            seller_id=c.seller_id,
        )
        yield sim.base_url, creds
    finally:
        sim.stop()


def demo_paths(data_dir: str | None) -> AppPaths:
    """Demo data never mixes with the seller's own: its own folder (and keyring entries)."""
    if data_dir is not None:
        return resolve_paths(data_dir)
    return resolve_paths(resolve_paths().data_dir / "demo")


def smoke_test() -> int:
    """Store, keyring, PDF, main window: each step timed, any failure named."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kinxpro-smoke-") as tmp:
        paths = resolve_paths(tmp)
        paths.ensure()
        handler = setup_logging(paths.log_file)
        from kinxpro_desktop.documents.smoke import render_test_page
        from kinxpro_desktop.vault.secret_store import KeyringSecretStore

        steps: list[tuple[str, float]] = []
        keyring_store = KeyringSecretStore(paths.keyring_service)
        probe = f"smoke-{os.getpid()}-{time.time_ns()}"
        keyring_store.set("smoke-probe", probe)
        ok = keyring_store.get("smoke-probe") == probe
        keyring_store.delete("smoke-probe")
        if not ok:
            raise UserError("keyring round trip returned a different value")
        steps.append((f"keyring round trip ({keyring_store.backend_name})", time.perf_counter()))

        started = start(StoreLocation.of(paths), keyring_store=lambda _s: keyring_store)
        header = paths.database.read_bytes()[:16]
        if header.startswith(b"SQLite format 3"):
            raise UserError("the database file is not encrypted")
        steps.append(("encrypted store opened, migrated, wiped", time.perf_counter()))

        from sp_api.auth import access_token_client

        from kinxpro_desktop.sandbox import Simulator
        from kinxpro_desktop.services.sync import SyncService
        from kinxpro_desktop.spapi.gateway import SpApiGateway

        with Simulator(orders=40, listings=10, time_scale=1000.0) as sim:
            demo = sim.credentials
            creds = SpApiCredentials(
                lwa_client_id=demo.client_id,
                lwa_client_secret=demo.client_secret,
                refresh_token=demo.refresh_token,
                marketplaces=tuple(demo.marketplace_ids),
                seller_id=demo.seller_id,
            )
            with SpApiGateway.from_credentials(creds, endpoint=sim.base_url) as gateway:
                report = SyncService(started.session.db, gateway).run(
                    CancelToken(), lambda _u: None
                )
            access_token_client.cache.clear()
        if started.session.db.orders.count() < 40:
            raise UserError("the demo sync stored fewer orders than the simulator holds")
        steps.append(
            (
                f"demo simulator started, one sync run ({report.api_calls} API calls)",
                time.perf_counter(),
            )
        )

        pdf = render_test_page()
        if not pdf.startswith(b"%PDF"):
            raise UserError("reportlab did not produce a PDF")
        steps.append((f"PDF rendered ({len(pdf)} bytes)", time.perf_counter()))

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
        started.session.close()
        keyring_store.delete("database-key")
        import logging

        logging.getLogger().removeHandler(handler)
        handler.close()
    last = t0
    for label, at in steps:
        print(f"ok  {label}  [{(at - last) * 1000:.0f} ms]")
        last = at
    print(f"smoke test passed in {time.perf_counter() - t0:.2f} s")
    return 0
