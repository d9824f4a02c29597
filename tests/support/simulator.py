"""Shared pieces of the tests that run against the simulator: its credentials as the client
sees them, the demo ship-from address, the token-cache reset, and fixture factories for a
time-scaled simulator and an encrypted store (each test module keeps its own parameters)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sp_api.auth import access_token_client

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import simulator_credentials
from kinxpro_desktop.store.database import Database

#: the simulator's demo warehouse, a valid MFN ship-from address
SHIP_FROM = {
    "Name": "Kinxpro Demo Warehouse",
    "AddressLine1": "400 Pine St",
    "Email": "shipping@kinxpro.example",
    "City": "Seattle",
    "StateOrProvinceCode": "WA",
    "PostalCode": "98101",
    "CountryCode": "US",
    "Phone": "2065550100",
}


def creds_for(sim: Simulator) -> SpApiCredentials:
    """The SP-API credentials of the simulator's published demo account (region NA)."""
    return simulator_credentials(sim.credentials)


@pytest.fixture(autouse=True)
def fresh_token_cache() -> Iterator[None]:
    """Import under any name into a conftest or test module: python-amazon-sp-api caches
    access tokens per process, so each test starts and ends without one."""
    access_token_client.cache.clear()
    yield
    access_token_client.cache.clear()


def random_key() -> DatabaseKey:
    return DatabaseKey(raw=secrets.token_bytes(32), source="test")


def sim_fixture(**kwargs: Any) -> Callable[..., Iterator[Simulator]]:
    """A `sim` fixture: ``sim = sim_fixture(start=START, orders=300, time_scale=300.0)``."""

    @pytest.fixture
    def sim() -> Iterator[Simulator]:
        with Simulator(**kwargs) as simulator:
            yield simulator

    return sim


def db_fixture(filename: str = "kinxpro.db") -> Callable[..., Iterator[Database]]:
    """A `db` fixture: a real SQLCipher store under tmp_path with a random key."""

    @pytest.fixture
    def db(tmp_path: Path) -> Iterator[Database]:
        database = Database.open(tmp_path / filename, random_key())
        yield database
        database.close()

    return db
