"""Helpers for pointing python-amazon-sp-api clients at a simulator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sp_api.auth import AccessTokenClient
from sp_api.base import Client, Marketplaces

from kinxpro_desktop.sandbox import Simulator

C = TypeVar("C", bound=Client)
US = "ATVPDKIKX0DER"


def credentials(sim: Simulator) -> dict[str, str]:
    c = sim.credentials
    return {
        "refresh_token": c.refresh_token,
        "lwa_app_id": c.client_id,
        "lwa_client_secret": c.client_secret,
    }


def lwa_class(sim: Simulator) -> type[AccessTokenClient]:
    class LocalLWA(AccessTokenClient):  # type: ignore[misc]
        scheme = "http://"
        host = sim.host
        path = "/auth/o2/token"

    return LocalLWA


@contextmanager
def sp_client(sim: Simulator, cls: type[C], **kwargs: Any) -> Iterator[C]:
    """A library client whose token client and endpoint point at ``sim``; closed on exit."""
    client = cls(
        credentials=credentials(sim),
        auth_token_client_class=lwa_class(sim),
        marketplace=Marketplaces.US,
        **kwargs,
    )
    client.endpoint = sim.base_url
    try:
        yield client
    finally:
        client.close()
        client._auth._transport.close()
