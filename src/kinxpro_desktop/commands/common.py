"""What the command groups share: a group's ACTION subparsers, the Connection for a headless
command."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from kinxpro_desktop.core.credentials import SpApiCredentials
    from kinxpro_desktop.services.connection import Connection
    from kinxpro_desktop.services.startup import Started

    #: what ``add_parser(sub, common)`` of each command module receives
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def command_group(
    sub: Subparsers, common: argparse.ArgumentParser, name: str, help: str, dest: str
) -> Subparsers:
    """The `name` command (with the common options) and its required ACTION subparsers,
    the chosen one in ``args.<dest>``."""
    group = sub.add_parser(name, parents=[common], help=help)
    return group.add_subparsers(dest=dest, metavar="ACTION", required=True)


def connection_for(
    started: Started, endpoint: str | None, creds: SpApiCredentials | None
) -> Connection:
    """The account's Connection: the saved credentials (or the demo's), refusals audited."""
    from kinxpro_desktop.core.vocabulary import Actor
    from kinxpro_desktop.services.connection import Connection, audit_into

    session = started.session
    return Connection(
        session.secrets,
        endpoint=endpoint,
        fixed_credentials=creds,
        audit=audit_into(session.db, Actor.CLI),
    )
