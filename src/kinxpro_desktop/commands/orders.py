"""``orders confirm-shipment|packing-slip|pick-list``: the headless twin of the Orders tab's
actions. Packing slips hold the buyer's address: saving one prints a warning that the file is
outside Kinxpro's retention (and the save is audited)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kinxpro_desktop.core.credentials import SpApiCredentials
    from kinxpro_desktop.services.startup import Started

SIZES = ("letter", "a4", "4x6")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    from kinxpro_desktop.commands.common import command_group

    actions = command_group(
        sub,
        common,
        "orders",
        "confirm a shipment, save packing slips or a pick list",
        "orders_command",
    )
    confirm = actions.add_parser(
        "confirm-shipment",
        parents=[common],
        help="tell Amazon an order shipped outside Kinxpro (carrier, tracking, ship date)",
    )
    confirm.add_argument("order_id", metavar="ORDER_ID")
    confirm.add_argument("--carrier", required=True, help="Amazon's carrier code, e.g. UPS")
    confirm.add_argument("--tracking", required=True, help="the tracking number")
    confirm.add_argument("--ship-date", help="YYYY-MM-DD (default: now)")
    confirm.add_argument("--carrier-name", default="", help="with --carrier Other")
    for name, what in (("packing-slip", "packing slips"), ("pick-list", "a pick list")):
        doc = actions.add_parser(name, parents=[common], help=f"save {what} as a PDF")
        doc.add_argument("order_ids", nargs="+", metavar="ORDER_ID")
        doc.add_argument("--out", required=True, metavar="FILE", help="the PDF to write")
        doc.add_argument("--size", choices=SIZES, default="letter", help="paper (letter)")


def run(
    started: Started,
    args: argparse.Namespace,
    endpoint: str | None,
    creds: SpApiCredentials | None,
) -> int:
    from kinxpro_desktop.core.printing import PageSize
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.order_documents import DocumentKind, OrderDocuments

    db = started.session.db
    if args.orders_command == "confirm-shipment":
        from kinxpro_desktop.commands.common import connection_for
        from kinxpro_desktop.services.shipments import ShipmentService

        connection = connection_for(started, endpoint, creds)
        try:
            done = ShipmentService(db, connection).confirm(
                args.order_id,
                args.carrier,
                args.tracking,
                args.ship_date,
                carrier_name=args.carrier_name,
                actor=Actor.CLI,
            )
        finally:
            connection.close()
        how = " (Amazon already had it; nothing was sent twice)" if done.reconciled else ""
        print(
            f"Order {done.order_id} confirmed shipped with {done.carrier} {done.tracking} on "
            f"{done.ship_date:%Y-%m-%d}{how}; status {done.status}."
        )
        return 0
    kind = (
        DocumentKind.PACKING_SLIP
        if args.orders_command == "packing-slip"
        else (DocumentKind.PICK_LIST)
    )
    saved = OrderDocuments(db).save(
        kind,
        args.order_ids,
        Path(args.out),
        PageSize.parse(args.size),
        actor=Actor.CLI,
        retention_days=started.privacy.retention_days(),
    )
    print(f"Saved the {kind.label} of {len(set(args.order_ids))} order(s) to {saved.path}.")
    if saved.warning:
        print(f"Warning: {saved.warning}", file=sys.stderr)
    return 0
