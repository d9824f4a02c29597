"""``listings set|pending|discard|resolve|submit``: stage and submit price and quantity edits.

``listings submit`` prints one line per SKU and exits 1 if Amazon rejected any change (or, with
``--preview-only``, found an error), 3 if a change is held (Amazon's value changed, or an answer
was lost and is being checked), 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kinxpro_desktop.core.credentials import SpApiCredentials
    from kinxpro_desktop.services.listing_edits import ListingEdits
    from kinxpro_desktop.services.startup import Started

EXIT_REJECTED = 1
EXIT_HELD = 3


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    from kinxpro_desktop.commands.common import command_group

    actions = command_group(
        sub,
        common,
        "listings",
        "stage, review and submit price and quantity changes",
        "listings_command",
    )
    stage = actions.add_parser(
        "set", parents=[common], help="stage a new price and/or quantity for one SKU"
    )
    stage.add_argument("sku")
    stage.add_argument("--price", help="new price in the marketplace's currency, e.g. 12.99")
    stage.add_argument("--quantity", help="new quantity (merchant-fulfilled listings only)")
    stage.add_argument(
        "--marketplace", metavar="ID", help="marketplace id or country code (default: US)"
    )
    stage.add_argument(
        "--decimal-comma", action="store_true", help="the price is written 12,99 (not 12.99)"
    )
    actions.add_parser("pending", parents=[common], help="list the open changes, old -> new")
    discard = actions.add_parser("discard", parents=[common], help="drop staged changes by id")
    discard.add_argument("ids", nargs="+", type=int, metavar="ID")
    resolve = actions.add_parser(
        "resolve", parents=[common], help="decide a change held because Amazon's value changed"
    )
    resolve.add_argument("id", type=int, metavar="ID")
    choice = resolve.add_mutually_exclusive_group(required=True)
    choice.add_argument("--keep-mine", action="store_true", help="send my value after all")
    choice.add_argument("--take-amazon", action="store_true", help="drop my change")
    submit = actions.add_parser(
        "submit", parents=[common], help="check with Amazon, then send the staged changes"
    )
    submit.add_argument(
        "--preview-only",
        action="store_true",
        help="only run Amazon's validation preview and print its issues; send nothing",
    )


def _marketplace(value: str | None) -> str:
    from kinxpro_desktop.core.errors import UserError
    from kinxpro_desktop.core.marketplaces import DEFAULT_MARKETPLACE_ID, MARKETPLACES, by_id

    if not value:
        return DEFAULT_MARKETPLACE_ID
    if by_id(value) is not None:
        return value
    for market in MARKETPLACES:
        if market.country_code.lower() == value.strip().lower():
            return market.marketplace_id
    raise UserError(
        f"Unknown marketplace {value!r}: give a marketplace id (ATVPDKIKX0DER) or a country "
        "code (US, DE, JP)."
    )


def run(
    started: Started,
    args: argparse.Namespace,
    endpoint: str | None,
    creds: SpApiCredentials | None,
) -> int:
    from kinxpro_desktop.commands.common import connection_for
    from kinxpro_desktop.core.marketplaces import label
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.listing_edits import EditValue, ListingEdits

    connection = connection_for(started, endpoint, creds)
    edits = ListingEdits(started.session.db, connection)
    try:
        action = args.listings_command
        if action == "set":
            market = _marketplace(args.marketplace)
            staged = edits.stage(
                args.sku,
                market,
                EditValue(price=args.price, quantity=args.quantity),
                decimal_point="," if args.decimal_comma else ".",
                actor=Actor.CLI,
            )
            for change in staged:
                print(
                    f"staged #{change.change_id} {change.sku} ({label(market)}) {change.field}: "
                    f"{change.old_value or '-'} -> {change.new_value}"
                )
            print("Run `kinxpro-desktop listings submit` to send it to Amazon.", file=sys.stderr)
            return 0
        if action == "pending":
            return _pending(edits)
        if action == "discard":
            gone = edits.discard(args.ids, actor=Actor.CLI)
            print(f"Discarded {gone} change(s).")
            return 0
        if action == "resolve":
            after = edits.resolve_conflict(args.id, keep_mine=args.keep_mine, actor=Actor.CLI)
            print(
                f"#{args.id}: staged again against Amazon's value; submit to send it."
                if after is not None
                else f"#{args.id}: dropped; Amazon's value stays."
            )
            return 0
        return _submit(edits, args.preview_only)
    finally:
        connection.close()


def _pending(edits: ListingEdits) -> int:
    from kinxpro_desktop.core.marketplaces import label

    changes = edits.pending()
    if not changes:
        print("No pending changes.")
        return 0
    for c in changes:
        line = (
            f"#{c.change_id} {c.sku} ({label(c.marketplace_id)}) {c.field}: "
            f"{c.old_value or '-'} -> {c.new_value}  [{c.status.label}]"
        )
        if c.amazon_value is not None:
            line += f"  Amazon now: {c.amazon_value}"
        if c.issues:
            line += f"  {c.issue_text()}"
        print(line)
    return 0


def _submit(edits: ListingEdits, preview_only: bool) -> int:
    from kinxpro_desktop.core.listing_edits import ChangeStatus
    from kinxpro_desktop.core.marketplaces import label
    from kinxpro_desktop.core.progress import ProgressUpdate
    from kinxpro_desktop.core.vocabulary import Actor

    last: dict[str, object] = {}

    def progress(update: ProgressUpdate) -> None:
        """A line when the phase changes and at every tenth of the way, not per SKU."""
        step = max(1, (update.total or 1) // 10)
        if update.phase == last.get("phase") and update.done % step and update.done != update.total:
            return
        if (update.phase, update.done) == (last.get("phase"), last.get("done")):
            return
        last.update(phase=update.phase, done=update.done)
        where = f" {update.done}/{update.total}" if update.total else ""
        print(f"{update.phase}{where}", file=sys.stderr)

    report = edits.submit(progress=progress, preview_only=preview_only, actor=Actor.CLI)
    if not report.results:
        print("Nothing to submit.")
        return 0
    for r in report.results:
        words = {
            "valid": "valid",
            "invalid": "INVALID",
            ChangeStatus.ACCEPTED: "accepted",
            ChangeStatus.REJECTED: "REJECTED",
            ChangeStatus.CONFLICT: "held: Amazon's value changed",
            ChangeStatus.UNKNOWN: "answer lost: checked before anything is resent",
        }.get(r.status, r.status)
        detail = f": {'; '.join(r.issues)}" if r.issues else ""
        print(f"{r.sku} ({label(r.marketplace_id)}) {'/'.join(r.fields)} {words}{detail}")
    if report.via:
        print(f"Sent by {report.via}.", file=sys.stderr)
    if report.rejected:
        return EXIT_REJECTED
    held = report.conflicts or [r for r in report.results if r.status == ChangeStatus.UNKNOWN]
    return EXIT_HELD if held else 0
