"""What the command groups share: the Connection for a headless command."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kinxpro_desktop.core.credentials import SpApiCredentials
    from kinxpro_desktop.services.connection import Connection
    from kinxpro_desktop.services.startup import Started


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
