"""Command line: the GUI by default, headless subcommands for scheduling and support.

Options are accepted before or after the command (`--demo sync` and `sync --demo`). Start-up
stays light: only what a command uses is imported (no Alembic, httpx, sp_api, simulator or Qt
for `--version`). One top-level handler turns every failure into one line on stderr: a
`UserError`'s message (exit 2), Ctrl-C (exit 130), or an unexpected error's type and the log
file's path (exit 1; the redacted traceback goes to the log, never to the terminal).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinxpro_desktop._version import __version__
from kinxpro_desktop.cli_account import add_account_parser
from kinxpro_desktop.commands import operators as operators_command
from kinxpro_desktop.core.dbkey import KEY_SOURCES
from kinxpro_desktop.core.errors import UserError, safe_traceback
from kinxpro_desktop.core.passphrase import MIN_PASSPHRASE, PASSPHRASE_ENV, check_new_passphrase
from kinxpro_desktop.demo import DEMO_SYNC_INTERVAL_MS, demo_paths, demo_target
from kinxpro_desktop.paths import AppPaths, folder_error, resolve_paths

if TYPE_CHECKING:
    from kinxpro_desktop.core.credentials import SpApiCredentials
    from kinxpro_desktop.services.startup import Started

__all__ = ["build_parser", "demo_target", "main", "passphrase_source"]

log = logging.getLogger("kinxpro_desktop.cli")
EXIT_INTERRUPTED = 130
PROG = "kinxpro-desktop"


def _global_options(top: bool) -> argparse.ArgumentParser:
    """The options every command takes; after a command they only override when given."""
    p = argparse.ArgumentParser(add_help=False)
    d: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data folder (default: the platform's user data folder); logs go to DIR/logs",
        **d,
    )
    p.add_argument(
        "--key-source",
        choices=KEY_SOURCES,
        help="for a new data folder: keep the database key in the system keyring (default) or "
        f"derive it from a passphrase ({MIN_PASSPHRASE}+ characters, read from ${PASSPHRASE_ENV} "
        "or a terminal prompt)",
        **d,
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="try Kinxpro on a simulated Amazon (fake orders, its own data folder DIR/demo)",
        **d,
    )
    p.add_argument(
        "--endpoint",
        metavar="URL",
        help="send SP-API calls to a local simulator (loopback only), e.g. one started with "
        "`kinxpro-desktop sandbox`; with --demo, also use the demo credentials it publishes",
        **d,
    )
    operators_command.add_option(p, d)
    return p


# Commands whose parsers import their services to list choices (~0.4 s of SQLAlchemy, httpx
# and sp_api): registered only when the command line names one of them, or asks for help.
HEAVY_PARSERS = ("report", "export")


def build_parser(*, full: bool = True) -> argparse.ArgumentParser:
    common = _global_options(top=False)
    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[_global_options(top=True)],
        description="Kinxpro Desktop: listings, orders, FBM labels and reports for one Amazon "
        "seller, with buyer data encrypted and deleted after the retention window.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="check the store, keyring, PDF rendering and main window, then exit "
        "(with --key-source passphrase: no keyring needed)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wipe = sub.add_parser(
        "wipe", parents=[common], help="apply the retention rule now and print what was deleted"
    )
    wipe.add_argument("--scheduled", action="store_true", help="record the run as wipe-job's")
    sub.add_parser(
        "verify",
        parents=[common],
        help="check disposal and the audit chain; non-zero exit on findings",
    )
    sub.add_parser(
        "sync",
        parents=[common],
        help="run one sync now (progress on stderr; non-zero exit on failure)",
    )
    retention = sub.add_parser(
        "retention", parents=[common], help="show or set the retention period in days"
    )
    retention.add_argument("days", nargs="?", help="new period, 1 to 30 days")
    add_account_parser(sub, common)
    from kinxpro_desktop.commands import labels as labels_command

    labels_command.add_parser(sub, common)
    from kinxpro_desktop.commands import listings as listings_command
    from kinxpro_desktop.commands import orders as orders_command

    listings_command.add_parser(sub, common)
    orders_command.add_parser(sub, common)
    if full:
        from kinxpro_desktop.commands import reports as reports_command

        reports_command.add_parser(sub, common)
    else:
        for name in HEAVY_PARSERS:
            sub.add_parser(name, add_help=False)
    from kinxpro_desktop.commands import privacy as privacy_command

    privacy_command.add_parser(sub, common)
    operators_command.add_parser(sub, common)
    sub.add_parser(
        "sandbox",
        add_help=False,
        help="run the local SP-API simulator (demo and tests); `sandbox --help` for options",
    )
    return parser


# -- secrets from the environment, a pipe or a terminal, never from argv ----------------------
def passphrase_source(env_value: str | None) -> Callable[[bool], str]:
    """The passphrase callback for `open_session`: ${PASSPHRASE_ENV} (already taken out of
    the environment), else a terminal prompt (twice for a new database)."""

    def ask(creating: bool) -> str:
        if env_value:
            return check_new_passphrase(env_value) if creating else env_value
        if not sys.stdin.isatty():
            if creating:
                raise UserError(
                    f"A new database in passphrase mode needs a passphrase ({MIN_PASSPHRASE} "
                    f"characters or more). Set {PASSPHRASE_ENV}, or run the command in a "
                    "terminal to be asked for it; nothing was created."
                )
            raise UserError(
                f"This database uses passphrase mode. Set {PASSPHRASE_ENV}, or run the command "
                "in a terminal to be asked for the passphrase."
            )
        if creating:
            first = getpass.getpass(f"New database passphrase ({MIN_PASSPHRASE}+ characters): ")
            return check_new_passphrase(first, getpass.getpass("Again: "))
        return getpass.getpass("Database passphrase: ")

    return ask


# -- commands over the store ---------------------------------------------------------------
def _with_store(
    paths: AppPaths, args: argparse.Namespace, secret: Callable[[bool], str], action: Any
) -> int:
    from kinxpro_desktop.instance import InstanceLock
    from kinxpro_desktop.services.startup import start

    with InstanceLock(paths.lock_file):
        started = start(_location(paths), prefer=args.key_source, passphrase=secret, actor="cli")
        try:  # the operator's role is bound to the store before the command runs
            password = getattr(args, "operator_password", None)
            access = operators_command.bind(started, getattr(args, "operator", None), password)
            operators_command.gate(args.command, args, access)
        except BaseException:
            started.session.close()
            raise
        from kinxpro_desktop.services.monitoring import SecurityMonitor, check_quietly

        monitor = SecurityMonitor(started.privacy)
        for alert in (*started.alerts, *check_quietly(monitor)):
            print(f"{PROG}: SECURITY ALERT: {alert}", file=sys.stderr)
        try:
            return int(action(started))
        finally:
            for alert in check_quietly(monitor):  # events of the command itself
                print(f"{PROG}: SECURITY ALERT: {alert}", file=sys.stderr)
            started.session.close()


def _location(paths: AppPaths) -> Any:
    from kinxpro_desktop.services.session import StoreLocation

    return StoreLocation.of(paths)


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


# -- the front door --------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Parse, dispatch, and turn every failure into one line (`__main__` hardens first)."""
    # Taken out of the environment at once: no child process (relaunch, printing) inherits it.
    env_passphrase = os.environ.pop(PASSPHRASE_ENV, None) or None
    env_operator = os.environ.pop(operators_command.OPERATOR_PASSWORD_ENV, None) or None
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["--version"] or (words and words[-1] == "--version" and "--" not in words):
        # Answered before the command modules register (some import their services to list
        # choices): `--version` stays a 0.05 s start with no SQLAlchemy, Alembic, httpx or Qt.
        print(f"{PROG} {__version__}")
        return 0
    parser = build_parser(full=bool({"-h", "--help"} & set(words)))
    args, extras = parser.parse_known_args(argv)
    if args.command in HEAVY_PARSERS:  # parse again with the real sub-parser
        parser = build_parser(full=True)
        args, extras = parser.parse_known_args(argv)
    if extras and args.command != "sandbox":
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    args.operator_password = env_operator
    state: dict[str, Path] = {}
    try:
        return _dispatch(args, extras, env_passphrase, state)
    except UserError as exc:
        print(f"{PROG}: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; work already saved is kept.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        where = state.get("log")
        if where is not None:  # the file handler redacts; statement parameters are cut first
            log.critical("unexpected %s\n%s", type(exc).__name__, safe_traceback(exc))
        # Only the type: the message could carry SQL parameters or buyer data.
        print(
            f"{PROG}: unexpected error ({type(exc).__name__}). "
            + (f"Details are in the log file {where}." if where else "No log file was set up.")
            + " Please send it to support.",
            file=sys.stderr,
        )
        return 1


def _dispatch(
    args: argparse.Namespace, extras: list[str], env_passphrase: str | None, state: dict[str, Path]
) -> int:
    if args.command == "sandbox":
        from kinxpro_desktop.sandbox import cli as sandbox_cli

        sandbox = argparse.ArgumentParser(prog=f"{PROG} sandbox")
        sandbox_cli.configure_parser(sandbox)
        return int(sandbox_cli.run(sandbox.parse_args(extras)))
    if args.smoke_test:
        from kinxpro_desktop.smoke import smoke_test

        return smoke_test(args.key_source)
    secret = passphrase_source(env_passphrase)
    if args.command is None:
        return _gui(args, env_passphrase, state)
    paths = demo_paths(args.data_dir) if args.demo else resolve_paths(args.data_dir)
    paths.ensure()
    _logging(paths, state)
    if args.command == "wipe":
        from kinxpro_desktop.commands import privacy as privacy_command

        run_wipe = privacy_command.scheduled_wipe if args.scheduled else cmd_wipe
        return _with_store(paths, args, secret, run_wipe)
    if args.command in ("wipe-job", "privacy", "backup"):
        from kinxpro_desktop.commands import privacy as privacy_command

        return _with_store(paths, args, secret, lambda s: privacy_command.run(s, args))
    if args.command == "operator":
        return _with_store(
            paths, args, secret, lambda s: operators_command.run(s, args, s.session.db.access)
        )
    if args.command == "verify":
        return _with_store(paths, args, secret, cmd_verify)
    if args.command == "retention":
        return _with_store(paths, args, secret, lambda s: cmd_retention(s, args.days))
    with _target(args) as (endpoint, creds):
        if args.command == "labels":
            from kinxpro_desktop.commands import labels as labels_command

            return _with_store(
                paths, args, secret, lambda s: labels_command.run(s, args, endpoint, creds)
            )
        if args.command in ("listings", "orders"):
            from kinxpro_desktop.commands import listings as listings_command
            from kinxpro_desktop.commands import orders as orders_command

            group = listings_command if args.command == "listings" else orders_command
            return _with_store(paths, args, secret, lambda s: group.run(s, args, endpoint, creds))
        if args.command in ("report", "export"):
            from kinxpro_desktop.commands import reports as reports_command

            return _with_store(
                paths, args, secret, lambda s: reports_command.run(s, args, endpoint, creds)
            )
        if args.command == "sync":
            return _with_store(paths, args, secret, lambda s: cmd_sync(s, endpoint, creds))
        if args.command == "account":
            from kinxpro_desktop.cli_account import cmd_account

            return _with_store(paths, args, secret, lambda s: cmd_account(s, args, endpoint))
    raise AssertionError(f"unhandled command {args.command}")


@contextmanager
def _target(args: argparse.Namespace) -> Iterator[tuple[str | None, SpApiCredentials | None]]:
    if args.demo:
        with demo_target(args.endpoint, demo_paths(args.data_dir).data_dir) as (endpoint, creds):
            yield endpoint, creds
    else:
        yield args.endpoint, None


def _logging(paths: AppPaths, state: dict[str, Path]) -> None:
    from kinxpro_desktop.logging_setup import setup_logging

    try:
        setup_logging(paths.log_file)
    except OSError as exc:
        raise folder_error(paths.log_dir, exc, "log folder") from None
    state["log"] = paths.log_file


def _gui(args: argparse.Namespace, env_passphrase: str | None, state: dict[str, Path]) -> int:
    """The window. A data folder that cannot be used is shown in a dialog (exit 2)."""
    try:
        paths = demo_paths(args.data_dir) if args.demo else resolve_paths(args.data_dir)
        paths.ensure()
        _logging(paths, state)
    except UserError as exc:
        from kinxpro_desktop.app import show_startup_error

        return show_startup_error(exc)
    from kinxpro_desktop.app import SyncTarget, run_gui

    if args.demo:
        with demo_target(args.endpoint, paths.data_dir) as (endpoint, creds):
            target = SyncTarget(
                endpoint,
                creds,
                demo=True,
                interval_ms=DEMO_SYNC_INTERVAL_MS,
                own_data_dir=args.data_dir,
            )
            return run_gui(
                paths, prefer=args.key_source, target=target, env_passphrase=env_passphrase
            )
    return run_gui(
        paths,
        prefer=args.key_source,
        target=SyncTarget(endpoint=args.endpoint),
        env_passphrase=env_passphrase,
    )
