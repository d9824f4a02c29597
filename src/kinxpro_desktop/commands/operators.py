"""``--operator NAME`` on every store command, and ``operator list|add|remove``.

The rule on the command line:
- no operator profiles defined: every command runs as owner, as before (``--operator`` is
  refused: there is nobody to sign in as);
- profiles defined and ``--operator NAME`` given: the password is read from
  ${OPERATOR_PASSWORD_ENV} (taken out of the environment at start), else one line from a pipe,
  else a terminal prompt; never from argv. Five wrong passwords lock the profile for 15
  minutes. The command then runs with that operator's role, and its audit entries name them;
- profiles defined and no ``--operator``: the command runs as an analyst (least privilege:
  listings, reports and exports without buyer data, ``wipe`` and ``verify``); anything more
  is refused with a message that says to add ``--operator NAME``.

The services refuse what a role lacks (they check the store's bound access); `gate` refuses a
whole command up front where the command itself is the privilege (sync, account, privacy,
backups, the wipe job, setting the retention period, labels and order actions).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, TextIO

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import Access, Permission, Role

if TYPE_CHECKING:
    from kinxpro_desktop.services.startup import Started

OPERATOR_PASSWORD_ENV = "KINXPRO_OPERATOR_PASSWORD"  # noqa: S105 (a variable name)
NEW_PASSWORD_ENV = "KINXPRO_NEW_OPERATOR_PASSWORD"  # noqa: S105 (a variable name)

#: commands that need more than viewing, whatever their sub-action
COMMAND_NEEDS: dict[str, Permission] = {
    "sync": Permission.SYNC,
    "account": Permission.CHANGE_CREDENTIALS,
    "privacy": Permission.CHANGE_PRIVACY,
    "backup": Permission.CHANGE_PRIVACY,
    "wipe-job": Permission.CHANGE_PRIVACY,
    "labels": Permission.SHIP_ORDERS,
    "orders": Permission.SHIP_ORDERS,
}


def add_option(parser: argparse.ArgumentParser, defaults: dict[str, object]) -> None:
    parser.add_argument(
        "--operator",
        metavar="NAME",
        help="act as this operator profile (password from "
        f"${OPERATOR_PASSWORD_ENV}, a pipe or a prompt); without it, when profiles exist, "
        "commands run as an analyst",
        **defaults,  # type: ignore[arg-type]
    )


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    op = sub.add_parser("operator", parents=[common], help="list, add or remove operator profiles")
    actions = op.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[common], help="the profiles and their roles")
    add = actions.add_parser(
        "add",
        parents=[common],
        help=f"add a profile (its password from ${NEW_PASSWORD_ENV}, a pipe or a prompt)",
    )
    add.add_argument("name")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    remove = actions.add_parser("remove", parents=[common], help="remove a profile")
    remove.add_argument("name")


def _read_password(env_value: str | None, prompt: str, stdin: TextIO) -> str:
    if env_value:
        return env_value
    if not stdin.isatty():
        line = stdin.readline().rstrip("\r\n")
        if line:
            return line
        raise UserError(
            f"No operator password given: set {OPERATOR_PASSWORD_ENV} or pipe it on stdin, or "
            "run the command in a terminal to be asked."
        )
    return getpass.getpass(prompt)


def bind(
    started: Started, name: str | None, env_password: str | None, stdin: TextIO = sys.stdin
) -> Access:
    """Sign in (or not) as the rule in the module docstring says; the access is bound to the
    store, so every service of this command checks it."""
    from kinxpro_desktop.services.operators import OperatorService

    service = OperatorService(started.session.db)
    if not service.enabled():
        if name:
            raise UserError(
                "No operator profiles are defined, so there is nobody to sign in as: run the "
                "command without --operator (it acts as owner), or add profiles first with "
                "`operator add NAME --role owner`."
            )
        return service.bind(service.unsigned())
    if not name:
        return service.bind(service.unsigned())
    password = _read_password(env_password, f"Password for operator {name}: ", stdin)
    return service.sign_in(name, password)


def gate(command: str, args: argparse.Namespace, access: Access) -> None:
    need = COMMAND_NEEDS.get(command)
    if command == "retention" and getattr(args, "days", None) is not None:
        need = Permission.CHANGE_PRIVACY
    if command == "operator" and args.operator_command != "list":
        need = Permission.MANAGE_OPERATORS  # with no profiles yet the access is owner
    if need is not None and not access.can(need):
        if access.operator is None:
            raise UserError(
                f"Operator profiles are set up: `{command}` needs a signed-in operator. Add "
                f"--operator NAME (password from {OPERATOR_PASSWORD_ENV}, a pipe or a prompt)."
            )
        access.require(need)


def run(
    started: Started, args: argparse.Namespace, access: Access, stdin: TextIO = sys.stdin
) -> int:
    from kinxpro_desktop.services.operators import OperatorService

    service = OperatorService(started.session.db)
    if args.operator_command == "list":
        profiles = service.profiles()
        if not profiles:
            print("No operator profiles: whoever unlocks the store acts as owner.")
        for p in profiles:
            print(f"{p.name}\t{p.role.value}")
        return 0
    if args.operator_command == "add":
        import os

        new = os.environ.pop(NEW_PASSWORD_ENV, None)
        if not new and stdin.isatty():
            new = getpass.getpass(f"New password for {args.name}: ")
            if getpass.getpass("Again: ") != new:
                raise UserError("The two passwords differ; nothing was changed.")
        password = new or _read_password(None, "", stdin)
        made = service.create(access, args.name, args.role, password)
        print(f"Operator {made.name} added as {made.role.value}.")
        return 0
    service.remove(access, args.name)
    print(f"Operator {args.name} removed.")
    return 0
