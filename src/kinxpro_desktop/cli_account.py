"""`kinxpro-desktop account connect|show|disconnect`: the command line side (parsing, reading
the secrets from standard input, a terminal prompt or JSON; never from argv). The work is
done by `services.account`, the same service Account ▸ Connect uses."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.paths import shown

if TYPE_CHECKING:
    from kinxpro_desktop.services.startup import Started

PROG = "kinxpro-desktop"


def add_account_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    account = sub.add_parser(
        "account", parents=[common], help="connect, show (masked) or disconnect the Amazon account"
    )
    actions = account.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    connect = actions.add_parser(
        "connect",
        parents=[common],
        help="test and save the account; the client id, secret and refresh token are read "
        "from standard input (one per line), a terminal prompt, or --from-json",
    )
    connect.add_argument("--seller-id", help="merchant token (Seller Central ▸ Account Info)")
    connect.add_argument("--region", choices=("NA", "EU", "FE"), help="SP-API region (NA)")
    connect.add_argument(
        "--marketplace",
        action="append",
        metavar="ID",
        help="marketplace id or country code (repeatable; default: the region's first)",
    )
    connect.add_argument(
        "--from-json",
        metavar="FILE",
        help="read a JSON object with lwa_client_id, lwa_client_secret, refresh_token, "
        "seller_id, region, marketplaces from FILE (- for standard input)",
    )
    actions.add_parser("show", parents=[common], help="print the account with secrets masked")
    actions.add_parser("disconnect", parents=[common], help="remove the saved credentials")


def read_account_fields(args: argparse.Namespace, stdin: TextIO) -> dict[str, object]:
    fields: dict[str, object] = {}
    if args.from_json:
        try:
            if args.from_json == "-":
                raw = stdin.read(1_000_000)
            else:
                raw = Path(args.from_json).read_text(encoding="utf-8")[:1_000_000]
            data = json.loads(raw)
        except OSError as exc:
            raise UserError(f"Cannot read {shown(args.from_json)}: {exc.strerror}.") from None
        except ValueError:
            raise UserError(
                "--from-json: the input is not a JSON object (keys lwa_client_id, "
                "lwa_client_secret, refresh_token, seller_id, region, marketplaces)."
            ) from None
        if not isinstance(data, dict):
            raise UserError("--from-json: the input must be one JSON object.")
        fields.update(data)
    elif stdin.isatty():
        fields["lwa_client_id"] = input("LWA client id: ")
        fields["lwa_client_secret"] = getpass.getpass("LWA client secret: ")
        fields["refresh_token"] = getpass.getpass("Refresh token: ")
    else:
        lines = [line.strip() for line in stdin.read(100_000).splitlines() if line.strip()]
        if len(lines) < 3:
            raise UserError(
                "account connect reads three lines from standard input: the LWA client id, "
                "the client secret and the refresh token (or use --from-json -). "
                "Nothing was saved."
            )
        keys = ("lwa_client_id", "lwa_client_secret", "refresh_token")
        fields.update(zip(keys, lines[:3], strict=True))
    if args.seller_id:
        fields["seller_id"] = args.seller_id
    if args.region:
        fields["region"] = args.region
    if args.marketplace:
        fields["marketplaces"] = list(args.marketplace)
    return fields


def cmd_account(started: Started, args: argparse.Namespace, endpoint: str | None) -> int:
    from kinxpro_desktop.services import account

    session = started.session
    if args.account_command == "show":
        for line in account.show_account(session.secrets, session.db, "cli").lines():
            print(line)
        return 0
    if args.account_command == "disconnect":
        had = account.disconnect_account(session.secrets, session.db, "cli")
        print("Amazon account disconnected." if had else "No Amazon account was connected.")
        return 0
    fields = read_account_fields(args, sys.stdin)
    account.credentials_from(fields)  # shape errors first, before anything goes to Amazon
    print(f"{PROG}: testing the connection with Amazon…", file=sys.stderr)
    creds, _info = account.connect_account(
        session.secrets, session.db, fields, "cli", endpoint=endpoint
    )
    from kinxpro_desktop.core.marketplaces import label

    markets = ", ".join(label(m) for m in creds.marketplaces)
    print(
        f"Connected seller {creds.seller_id} ({creds.region}: {markets}); credentials kept in "
        f"{session.secrets.backend_name}."
    )
    return 0
