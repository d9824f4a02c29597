"""Headless backups without buyer data:

kinxpro-desktop backup create --out FILE      (prints the recovery code once)
kinxpro-desktop backup restore FILE           (the code from stdin or a prompt, never argv)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kinxpro_desktop.core.errors import UserError

if TYPE_CHECKING:
    from kinxpro_desktop.services.startup import Started


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    from kinxpro_desktop.commands.common import command_group

    actions = command_group(
        sub,
        common,
        "backup",
        "encrypted backup without buyer data or labels, under a new recovery code",
        "backup_command",
    )
    create = actions.add_parser("create", parents=[common], help="write a backup file")
    create.add_argument("--out", required=True, metavar="FILE")
    restore = actions.add_parser(
        "restore",
        parents=[common],
        help="fill an empty data folder from a backup (recovery code from stdin or a prompt)",
    )
    restore.add_argument("file", metavar="FILE")


def read_code() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Recovery code: ")
    line = sys.stdin.readline().strip()
    if not line:
        raise UserError(
            "No recovery code: pipe it on stdin or run the command in a terminal to be asked; "
            "nothing was changed."
        )
    return line


def run(started: Started, args: argparse.Namespace) -> int:
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.backup import BackupService

    service = BackupService(started.session.db)
    if args.backup_command == "create":
        out = Path(args.out).expanduser().absolute()
        made = service.create(out, Actor.CLI)
        print(
            f"Backup written to {out}: {made.stats.tables.get('orders', 0)} orders, "
            f"{made.stats.tables.get('listings', 0)} listings, no buyer data, no labels."
        )
        print("Keep this code apart from the file; it is shown only now.")
        print(f"Recovery code: {made.recovery_code}")
        return 0
    stats = service.restore(Path(args.file).expanduser().absolute(), read_code(), Actor.CLI)
    print(
        f"Restored {stats.tables.get('orders', 0)} orders and {stats.tables.get('listings', 0)} "
        "listings (without buyer data; the next sync fetches it again for open orders). "
        "Backups carry no credentials: connect this folder with `account connect` if it "
        "is not connected yet."
    )
    return 0
