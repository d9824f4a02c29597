"""``labels list|rates|buy|print|void|ship-from``: the headless twin of the Labels tab.

Same services as the window (services.labels, services.labels_print). Output names orders,
services, prices, tracking ids and deadlines only, never buyer data. A failure prints what to
do on stderr and exits non-zero (1: Amazon or the printer refused; 2: a UserError).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kinxpro_desktop.core.credentials import SpApiCredentials
    from kinxpro_desktop.core.printing import Printer
    from kinxpro_desktop.core.shipping import Package
    from kinxpro_desktop.services.labels import LabelService
    from kinxpro_desktop.services.startup import Started

PROG = "kinxpro-desktop"
EXIT_FAILED = 1


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    from kinxpro_desktop.commands.common import command_group

    actions = command_group(
        sub, common, "labels", "shipping labels: list, rates, buy, print, void", "labels_command"
    )
    actions.add_parser("list", parents=[common], help="orders to ship (ship-by first) and labels")
    rates = actions.add_parser("rates", parents=[common], help="Amazon's services for an order")
    rates.add_argument("order_id", metavar="ORDER_ID")
    _package_options(rates)
    buy = actions.add_parser("buy", parents=[common], help="buy a label (never twice)")
    buy.add_argument("order_id", metavar="ORDER_ID")
    buy.add_argument("--service", metavar="ID", help="ShippingServiceId (default: the rule's)")
    buy.add_argument(
        "--format", metavar="F", default="", help="PDF, PNG, ZPL203, ZPL300 (default: by printer)"
    )
    buy.add_argument("--printer", metavar="NAME", help="print the label right after buying")
    buy.add_argument("--reason", default="", help="why a second label (required if one exists)")
    _package_options(buy)
    print_ = actions.add_parser("print", parents=[common], help="print bought labels")
    print_.add_argument("order_ids", nargs="+", metavar="ORDER_ID")
    print_.add_argument("--printer", metavar="NAME", required=True)
    print_.add_argument("--reason", default="", help="why a reprint (required for a reprint)")
    print_.add_argument("--paper", default="4x6", help="4x6 (default), letter or a4")
    print_.add_argument("--packing-slip", action="store_true", help="also print packing slips")
    void = actions.add_parser("void", parents=[common], help="void (cancel) an order's label")
    void.add_argument("order_id", metavar="ORDER_ID")
    ship_from = actions.add_parser(
        "ship-from", parents=[common], help="show or set your ship-from address"
    )
    for name in ("name", "line1", "line2", "city", "state", "postal-code", "country", "email"):
        ship_from.add_argument(f"--{name}", default=None)
    ship_from.add_argument("--phone", default=None)


def _package_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dims", metavar="LxWxH", help="box size in inches, e.g. 10x8x4")
    parser.add_argument("--weight", metavar="OZ", type=float, help="weight in ounces")


def run(
    started: Started,
    args: argparse.Namespace,
    endpoint: str | None,
    creds: SpApiCredentials | None,
) -> int:
    from kinxpro_desktop.commands.common import connection_for
    from kinxpro_desktop.services.labels import DEMO_SHIP_FROM, LabelService

    connection = connection_for(started, endpoint, creds)
    service = LabelService(
        started.session.db,
        connection,
        ship_from_default=DEMO_SHIP_FROM if getattr(args, "demo", False) else None,
    )
    try:
        return _run(service, args)
    finally:
        connection.close()


def _run(service: LabelService, args: argparse.Namespace) -> int:
    from kinxpro_desktop.core.vocabulary import Actor

    command = args.labels_command
    if command == "list":
        return _list(service)
    if command == "ship-from":
        return _ship_from(service, args)
    if command == "rates":
        return _rates(service, args)
    if command == "void":
        record = service.void(args.order_id, Actor.CLI)
        print(f"Order {args.order_id}: label {record.tracking_id} voided ({record.status.label}).")
        return 0
    if command == "print":
        return _print(service, args.order_ids, args.printer, args)
    result = _buy(service, args)
    if result != 0 or not args.printer:
        return result
    return _print(service, [args.order_id], args.printer, args)


def _list(service: LabelService) -> int:
    entries = service.queue()
    if not entries:
        print("No merchant-fulfilled orders to ship (sync first if that is wrong).")
        return 0
    for e in entries:
        mark = "LATE " if e.late else ("TODAY" if e.due_today else "     ")
        ship_by = f"{e.ship_by:%Y-%m-%d %H:%M}" if e.ship_by else "-"
        label = e.shipment.describe() if e.shipment else "no label"
        deadline = e.shipment.void_deadline if e.shipment else None
        void = f"; void by {deadline:%Y-%m-%d %H:%M} UTC" if deadline else ""
        print(f"{mark} {e.order_id}  ship by {ship_by}  {e.item_count} item(s)  {label}{void}")
    return 0


def _package(service: LabelService, args: argparse.Namespace, order_id: str) -> Package | None:
    from dataclasses import replace

    from kinxpro_desktop.core.errors import UserError

    if not args.dims and args.weight is None:
        return None
    order = service.db.orders.get(order_id)
    if order is None:
        raise UserError(f"Order {order_id} is not in Kinxpro's store; sync first.")
    base = service.packages.for_order(order)
    if args.dims:
        try:
            length, width, height = (float(x) for x in args.dims.lower().split("x"))
        except ValueError:
            raise UserError("--dims takes LxWxH in inches, for example 10x8x4.") from None
        base = replace(base, length=length, width=width, height=height, preset="")
    if args.weight is not None:
        base = replace(base, weight_oz=args.weight, preset="")
    base.check()
    return base


def _rates(service: LabelService, args: argparse.Namespace) -> int:
    quote = service.quote(args.order_id, _package(service, args, args.order_id))
    print(f"Order {quote.order_id}: package {quote.package.describe()}")
    for o in quote.offers:
        star = "*" if o.service_id == quote.default_service_id else " "
        window = f"{o.latest:%Y-%m-%d}" if o.latest else "?"
        protected = "protected" if o.protected else "not protected"
        late = "" if o.arrives_in_time else ", after deliver-by"
        print(
            f"{star} {o.service_id:<16} {o.carrier} {o.name}: {o.price} by {window} "
            f"({protected}{late}; formats {', '.join(o.formats) or '-'})"
        )
    for n in quote.notes:
        what = f"{n.carrier} {n.service}".strip()
        print(f"  not offered: {what}: {n.reason}. {n.action}")
    if quote.error:
        print(f"{PROG}: {quote.error}", file=sys.stderr)
        return EXIT_FAILED
    print("* the default (cheapest protected service arriving by the deliver-by date)")
    return 0


def _printer() -> Printer:
    """The system printer; a QGuiApplication (offscreen: no display needed) must exist."""
    from PySide6.QtGui import QGuiApplication

    from kinxpro_desktop.printing.system import SystemPrinter

    if QGuiApplication.instance() is None:
        QGuiApplication([PROG, "-platform", "offscreen"])
    return SystemPrinter()


def _buy(service: LabelService, args: argparse.Namespace) -> int:
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.labels_rates import choose_format

    fmt = args.format
    package = _package(service, args, args.order_id)
    quote = None
    if package is not None or (not fmt and args.printer):
        quote = service.quote(args.order_id, package)
    if not fmt and args.printer and quote is not None:
        info = next((p for p in _printer().printers() if p.name == args.printer), None)
        offer = quote.offer(args.service) if args.service else quote.default
        fmt = choose_format(offer.formats if offer else (), info)
    result = service.buy(
        args.order_id,
        service_id=args.service,
        label_format=fmt,
        quote=quote,
        reason=args.reason,
        actor=Actor.CLI,
    )
    if not result.ok:
        print(f"{PROG}: {result.message}", file=sys.stderr)
        return EXIT_FAILED
    print(result.message)
    if result.shipment is not None and result.shipment.void_deadline is not None:
        print(f"Void deadline: {result.shipment.void_deadline:%Y-%m-%d %H:%M} UTC.")
    return 0


def _print(
    service: LabelService, order_ids: list[str], printer: str, args: argparse.Namespace
) -> int:
    from kinxpro_desktop.core.printing import PageSize
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.labels_print import LabelPrinting

    printing = LabelPrinting(service.db, service, _printer())
    outcome = printing.print_labels(
        order_ids,
        printer,
        page=PageSize.parse(getattr(args, "paper", "4x6") or "4x6"),
        reason=args.reason,
        actor=Actor.CLI,
        packing_slips=getattr(args, "packing_slip", False),
    )
    for warning in outcome.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    jobs = ", ".join(j.job_id for j in outcome.jobs)
    print(
        f"Printed {len(outcome.order_ids)} label(s) on {printer} (job {jobs}, "
        f"{outcome.bytes_sent} bytes)."
    )
    return 0


def _ship_from(service: LabelService, args: argparse.Namespace) -> int:
    from kinxpro_desktop.core.vocabulary import Actor

    given = {
        "Name": args.name,
        "AddressLine1": args.line1,
        "AddressLine2": args.line2,
        "City": args.city,
        "StateOrProvinceCode": args.state,
        "PostalCode": args.postal_code,
        "CountryCode": args.country,
        "Email": args.email,
        "Phone": args.phone,
    }
    if any(v is not None for v in given.values()):
        current = service.ship_from() or {}
        merged = {**current, **{k: v for k, v in given.items() if v is not None}}
        service.set_ship_from(merged, Actor.CLI)
    address = service.ship_from()
    if not address:
        print("No ship-from address yet: set one with `labels ship-from --name … --line1 …`.")
        return 0
    print("Ship-from: " + ", ".join(str(v) for v in address.values() if v))
    return 0
