"""Headless reports and exports:

    kinxpro-desktop report request TYPE [--from DATE --to DATE] [--marketplace ID]
    kinxpro-desktop report list
    kinxpro-desktop report settlements
    kinxpro-desktop report schedule [TYPE --every daily|4h|off]
    kinxpro-desktop report run-due
    kinxpro-desktop export KIND --format csv|xlsx|pdf --out FILE [--from DATE --to DATE]
                           [--marketplace ID] [--run N] [--include-buyer-data]

Progress on stderr; results on stdout (never buyer data); non-zero exit on failure.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kinxpro_desktop.core.errors import UserError

if TYPE_CHECKING:
    from kinxpro_desktop.core.credentials import SpApiCredentials
    from kinxpro_desktop.core.progress import ProgressFn, ProgressUpdate
    from kinxpro_desktop.services.report_schedule import ScheduleEntry
    from kinxpro_desktop.services.reports import ReportService
    from kinxpro_desktop.services.startup import Started
    from kinxpro_desktop.spapi.gateway import SpApiGateway

EXIT_FAILED = 1


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    from kinxpro_desktop.commands.common import command_group
    from kinxpro_desktop.services.exports import EXPORT_KINDS, FORMATS
    from kinxpro_desktop.services.reports import KINDS

    actions = command_group(
        sub,
        common,
        "report",
        "request Amazon reports, list runs, find settlements",
        "report_command",
    )
    request = actions.add_parser(
        "request",
        parents=[common],
        help="request one report and store its rows (types: " + ", ".join(KINDS) + ")",
    )
    request.add_argument("report_type", metavar="TYPE")
    _dates(request)
    request.add_argument("--marketplace", metavar="ID", help="default: the account's first")
    actions.add_parser("list", parents=[common], help="report runs: status, time, rows")
    actions.add_parser(
        "settlements", parents=[common], help="find settlement reports (getReports) and store them"
    )
    schedule = actions.add_parser(
        "schedule",
        parents=[common],
        help="show the scheduled refresh of each type (on/off, interval, last and next run), "
        "or set one type's: TYPE --every daily|4h|off",
    )
    schedule.add_argument("report_type", metavar="TYPE", nargs="?")
    schedule.add_argument(
        "--every", metavar="INTERVAL", help="daily, off, or whole hours such as 4h"
    )
    actions.add_parser(
        "run-due",
        parents=[common],
        help="request every scheduled type that is due now; non-zero exit if any failed",
    )

    export = sub.add_parser(
        "export",
        parents=[common],
        help="export a table to CSV, XLSX or PDF (buyer data only with --include-buyer-data)",
    )
    export.add_argument(
        "kind",
        metavar="KIND",
        choices=EXPORT_KINDS,
        help=" | ".join(EXPORT_KINDS) + " (profit: fees, refunds and net proceeds per SKU and "
        "currency from settlements, --from/--to as each marketplace's own days)",
    )
    export.add_argument("--format", dest="fmt", choices=FORMATS, required=True)
    export.add_argument("--out", required=True, metavar="FILE")
    _dates(export)
    export.add_argument("--marketplace", metavar="ID")
    export.add_argument("--run", type=int, metavar="N", help="report-rows: the run number")
    export.add_argument(
        "--include-buyer-data",
        action="store_true",
        help="orders only: add buyer names and addresses (audited; the file is outside "
        "Kinxpro's retention)",
    )


def _dates(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY-MM-DD (UTC)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY-MM-DD, inclusive")


def parse_day(value: str | None, flag: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise UserError(f"{flag} {value!r} is not a date; write it as YYYY-MM-DD.") from None


def date_range(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    start = parse_day(args.date_from, "--from")
    to = parse_day(args.date_to, "--to")
    end = to + timedelta(days=1) if to is not None else None
    if start is not None and end is not None and start >= end:
        raise UserError("--from is after --to; swap them.")
    return start, end


def _progress(prefix: str) -> ProgressFn:
    last = [""]

    def show(update: ProgressUpdate) -> None:
        line = f"{prefix}: {update.phase}"
        if update.total:
            line += f" {update.done}/{update.total}"
        if line != last[0]:
            last[0] = line
            print(line, file=sys.stderr, flush=True)

    return show


def run(
    started: Started,
    args: argparse.Namespace,
    endpoint: str | None,
    creds: SpApiCredentials | None,
) -> int:
    if args.command == "export":
        return _export(started, args)
    return _report(started, args, endpoint, creds)


def _export(started: Started, args: argparse.Namespace) -> int:
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.exports import Exporter, ExportScope

    start, end = date_range(args)
    exporter = Exporter(started.session.db, retention_days=started.privacy.retention_days)
    result = exporter.export(
        args.kind,
        args.fmt,
        Path(args.out),
        ExportScope(start=start, end=end, marketplace_id=args.marketplace),
        include_buyer_data=args.include_buyer_data,
        run_id=args.run,
        actor=Actor.CLI,
        progress=_progress("export"),
    )
    print(f"Exported {result.rows} rows to {result.path}")
    for line in result.totals:
        print(f"  {line}")
    if result.warning:
        print(f"WARNING: {result.warning}", file=sys.stderr)
    return 0


def _report(
    started: Started, args: argparse.Namespace, endpoint: str | None, creds: SpApiCredentials | None
) -> int:
    from kinxpro_desktop.commands.common import connection_for
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.reports import KINDS, ReportService

    db = started.session.db
    offline = ReportService(db, _no_gateway)  # reads and the schedule need no connection
    if args.report_command == "schedule":
        return _schedule(offline, args)
    if args.report_command == "run-due" and not offline.schedule.due_now():
        return _nothing_due(offline)
    if args.report_command == "list":
        runs = offline.runs()
        if not runs:
            print("No report runs yet. Request one: report request TYPE")
        for r in runs:
            kind = KINDS.get(r.report_type)
            when = f"{r.requested_at:%Y-%m-%d %H:%M}"
            line = f"{r.run_id:>5}  {when}  {r.status:<10} {r.row_count:>7} rows  "
            line += f"{kind.label if kind else r.report_type} ({r.marketplace_id})"
            if r.error:
                line += f": {r.error}"
            print(line)
        return 0
    connection = connection_for(started, endpoint, creds)
    try:
        service = ReportService(db, connection.gateway)
        if args.report_command == "run-due":
            return _run_due(service)
        if args.report_command == "settlements":
            found = service.find_settlements(actor=Actor.CLI, progress=_progress("report"))
            print(f"{len(found)} new settlement reports stored.")
            for o in found:
                print(f"  run {o.run.run_id}: {o.run.row_count} rows")
            return 0
        start, end = date_range(args)
        outcome = service.request(
            args.report_type,
            marketplace_id=args.marketplace,
            start=start,
            end=end,
            actor=Actor.CLI,
            progress=_progress("report"),
        )
    finally:
        connection.close()
    stream = sys.stdout if outcome.ok else sys.stderr
    print(f"run {outcome.run.run_id}: {outcome.run.status}. {outcome.message}", file=stream)
    return 0 if outcome.ok else EXIT_FAILED


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z") if moment else "never"


def _schedule_line(entry: ScheduleEntry) -> str:
    from kinxpro_desktop.services.report_schedule import describe

    state = "on " if entry.enabled else "off"
    every = describe(entry.every) if entry.enabled else "-"
    line = f"{entry.report_type:<52} {state} {every:<14} "
    line += f"last {_when(entry.last_run)}"
    if entry.last_status:
        line += f" ({entry.last_status})"
    if entry.enabled:
        line += f"  next {_when(entry.next_due)}"
    return line


def _schedule(service: ReportService, args: argparse.Namespace) -> int:
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.report_schedule import ScheduleRefused, describe

    if args.report_type is None:
        if args.every is not None:
            raise ScheduleRefused(
                "Say which report type: report schedule TYPE --every daily|4h|off "
                "(report schedule lists the types)."
            )
        for entry in service.schedule.entries():
            print(_schedule_line(entry))
        return 0
    if args.every is None:
        print(_schedule_line(service.schedule.entry(args.report_type)))
        return 0
    entry = service.schedule.set_every(args.report_type, args.every, actor=Actor.CLI)
    if entry.enabled:
        print(
            f"{entry.report_type}: refreshed {describe(entry.every)}; next run "
            f"{_when(entry.next_due)} (by the open window, or `report run-due`)."
        )
    else:
        print(f"{entry.report_type}: scheduled refresh off.")
    return 0


def _nothing_due(service: ReportService) -> int:
    from kinxpro_desktop.services.report_schedule import next_due

    upcoming = next_due(service.schedule.entries())
    if upcoming is None:
        print("Nothing is scheduled. Pick a type: report schedule TYPE --every daily")
    else:
        print(f"Nothing is due now; next: {upcoming.report_type} at {_when(upcoming.next_due)}.")
    return 0


def _run_due(service: ReportService) -> int:
    from kinxpro_desktop.core.marketplaces import label as market_label
    from kinxpro_desktop.core.vocabulary import Actor

    results = service.schedule.run_due(actor=Actor.CLI, progress=_progress("report"))
    for r in results:
        # one line per marketplace (settlements, or a type that failed before any: one line)
        parts = [
            (m.ok, m.run_id, m.status, f"{market_label(m.marketplace_id)}: {m.message}")
            for m in r.markets
        ] or [(r.ok, r.run_id, r.status, r.message)]
        for ok, run_id, status, message in parts:
            run = f"run {run_id}" if run_id is not None else "no run"
            print(
                f"{r.report_type}: {run}: {status}. {message}",
                file=sys.stdout if ok else sys.stderr,
            )
    failed = sum(1 for r in results if not r.ok)
    if failed:
        print(f"{failed} of {len(results)} scheduled reports failed.", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _no_gateway() -> SpApiGateway:
    raise UserError("This command needs no Amazon connection.")  # never called
