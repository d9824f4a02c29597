"""Headless privacy center:

    kinxpro-desktop privacy compliance-report --out FILE
    kinxpro-desktop privacy incident-report --from DATE --to DATE --out FILE
    kinxpro-desktop privacy receipts --from DATE --to DATE --out FILE
    kinxpro-desktop wipe-job install|remove|status
    kinxpro-desktop wipe --scheduled            (what the job runs)

Results on stdout (never buyer data); refusals as one line on stderr.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kinxpro_desktop.services.startup import Started

GROUPS = ("privacy", "wipe-job")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    privacy = sub.add_parser(
        "privacy", parents=[common], help="compliance and incident reports, disposal receipts"
    )
    reports = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    compliance = reports.add_parser(
        "compliance-report",
        parents=[common],
        help="one PDF with each data-protection control and its live state (no buyer data)",
    )
    compliance.add_argument("--out", required=True, metavar="FILE")
    incident = reports.add_parser(
        "incident-report",
        parents=[common],
        help="what happened in a period of the audit log, affected order ids, and a notice to "
        "Amazon's security team (due within 24 hours)",
    )
    _period(incident)
    receipts = reports.add_parser(
        "receipts", parents=[common], help="the disposal receipts of a period as a PDF"
    )
    _period(receipts)

    from kinxpro_desktop.commands import backup as backup_command

    backup_command.add_parser(sub, common)

    job = sub.add_parser(
        "wipe-job",
        parents=[common],
        help="a daily operating-system job that wipes buyer data while Kinxpro is closed",
    )
    actions = job.add_subparsers(dest="job_command", metavar="ACTION", required=True)
    actions.add_parser("install", parents=[common], help="write and register the daily job")
    actions.add_parser("remove", parents=[common], help="unregister and delete the job")
    actions.add_parser("status", parents=[common], help="whether it is set up, and its last run")


def _period(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", metavar="DATE", required=True, help="YYYY-MM-DD")
    p.add_argument(
        "--to", dest="date_to", metavar="DATE", required=True, help="YYYY-MM-DD, inclusive"
    )
    p.add_argument("--out", required=True, metavar="FILE")


def run(started: Started, args: argparse.Namespace) -> int:
    if args.command == "wipe-job":
        return _wipe_job(started, args.job_command)
    if args.command == "privacy":
        return _privacy(started, args)
    if args.command == "backup":
        from kinxpro_desktop.commands import backup as backup_command

        return backup_command.run(started, args)
    raise AssertionError(f"unhandled command {args.command}")


def scheduled_wipe(started: Started) -> int:
    """`wipe --scheduled`: start-up already applied retention; record it as the job's run."""
    from kinxpro_desktop.services.wipe_job import record_run

    record_run(started.session.db, started.wipe)
    w = started.wipe
    print(
        f"Scheduled wipe: deleted buyer data of {w.orders_wiped} orders and {w.labels_wiped} "
        f"label documents (cutoff {w.cutoff:%Y-%m-%d %H:%M} UTC)."
    )
    return 0


def _wipe_job(started: Started, action: str) -> int:
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.wipe_job import (
        WipeJob,
        last_run,
        record_change,
        refuse_passphrase_mode,
    )

    db = started.session.db
    job = WipeJob(db.path.parent)
    if action in ("install", "remove"):
        from kinxpro_desktop.core.operators import Permission

        db.access.require(Permission.CHANGE_PRIVACY)
    if action == "install":
        refuse_passphrase_mode(started.session.key_mode)
        outcome = job.install()
        record_change(db, "install", outcome, Actor.CLI)
    elif action == "remove":
        outcome = job.remove()
        record_change(db, "remove", outcome, Actor.CLI)
    else:
        outcome = job.status()
    print(outcome.message)
    for path in outcome.files:
        print(f"  {path}")
    if action == "status":
        last = last_run(db)
        print(
            "Last run: never"
            if last is None
            else f"Last run: {last.at:%Y-%m-%d %H:%M} UTC, buyer data of {last.orders} orders "
            f"and {last.labels} label documents deleted"
        )
    return 0


def _privacy(started: Started, args: argparse.Namespace) -> int:
    from pathlib import Path

    from kinxpro_desktop.core.vocabulary import Actor

    out = Path(args.out).expanduser().absolute()
    if args.privacy_command == "compliance-report":
        from kinxpro_desktop.services.compliance import ComplianceService

        ComplianceService(started.privacy).write_pdf(out, Actor.CLI)
        print(f"Compliance report written to {out}")
        return 0
    from kinxpro_desktop.commands.reports import date_range

    start, end = date_range(args)
    assert start is not None and end is not None  # both required by the parser
    if args.privacy_command == "incident-report":
        from kinxpro_desktop.services.incident import IncidentService

        found = IncidentService(started.session.db).write_pdf(start, end, out, Actor.CLI)
        print(f"Incident report written to {out}")
        print(
            f"Detected {found.detected:%Y-%m-%d %H:%M} UTC; {len(found.order_ids)} orders "
            f"affected; notify security@amazon.com by {found.deadline:%Y-%m-%d %H:%M} UTC."
        )
        return 0
    if args.privacy_command == "receipts":
        from kinxpro_desktop.services.receipts import ReceiptService

        count = ReceiptService(started.session.db).write_pdf(start, end, out, Actor.CLI)
        print(f"{count} disposal receipts written to {out}")
        return 0
    raise AssertionError(f"unhandled privacy command {args.privacy_command}")
