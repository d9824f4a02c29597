"""A simulator on loopback (rate limits on, time-scaled), a real SQLCipher store holding some
of the simulator's listings (as a sync would have stored them), the Connection over the
simulator, and the ListingEdits service. `calls` records every SP-API request the simulator
answered (operation, mode), so a test can show that a bad value sent nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.models import Listing, Money
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.sandbox.catalog import MARKETS
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.listing_edits import ListingEdits
from kinxpro_desktop.store.database import Database
from tests.support.simulator import creds_for, sim_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"


sim = sim_fixture(start=START, orders=200, listings=120, time_scale=300.0)


@pytest.fixture
def calls(sim: Simulator) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    def record(operation: str, req: Any, _res: Any) -> None:
        seen.append((operation, str(req.first("mode") or "")))

    sim.state.recorder = record
    return seen


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kinxpro.db"


@pytest.fixture
def db_key() -> DatabaseKey:
    return DatabaseKey(raw=secrets.token_bytes(32), source="test")


def store_listings(db: Database, sim: Simulator) -> None:
    """The simulator's listings as the listings report would have put them in the store."""
    by_market: dict[str, list[Listing]] = {}
    for li in sim.state.world.listings:
        currency = MARKETS[li.marketplace_id].currency
        by_market.setdefault(li.marketplace_id, []).append(
            Listing(
                sku=li.sku,
                marketplace_id=li.marketplace_id,
                asin=li.asin,
                title=li.title,
                price=Money(Decimal(li.price_cents) / 100, currency),
                quantity=li.quantity,
                status="Active",
                fulfillment_channel=li.channel,
            )
        )
    for market, batch in by_market.items():
        db.listings.replace_marketplace(market, batch, now=sim.now())


@pytest.fixture
def db(db_path: Path, db_key: DatabaseKey, sim: Simulator) -> Iterator[Database]:
    database = Database.open(db_path, db_key)
    store_listings(database, sim)
    yield database
    database.close()


@pytest.fixture
def connection(sim: Simulator) -> Iterator[Connection]:
    conn = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim), timeout=5)
    yield conn
    conn.close()


@pytest.fixture
def make_edits(db: Database, connection: Connection, sim: Simulator) -> Callable[..., ListingEdits]:
    def factory(**kwargs: Any) -> ListingEdits:
        edits = ListingEdits(db, connection, clock=sim.now, **kwargs)
        connection.gateway().backoff_base = 0.02
        return edits

    return factory


@pytest.fixture
def edits(make_edits: Callable[..., ListingEdits]) -> ListingEdits:
    return make_edits()


def pick(sim: Simulator, *, channel: str = "MFN", market: str = US, n: int = 1) -> list[str]:
    """SKUs of active listings of `channel` in `market`."""
    found = [
        li.sku
        for li in sim.state.world.listings
        if li.channel == channel and li.marketplace_id == market and li.status and not li.deleted
    ]
    assert len(found) >= n, f"the simulator has only {len(found)} {channel} listings in {market}"
    return found[:n]


def amazon_price(sim: Simulator, sku: str) -> Decimal:
    return Decimal(sim.state.world.by_sku[sku].price_cents) / 100


def amazon_quantity(sim: Simulator, sku: str) -> int:
    return sim.state.world.by_sku[sku].quantity
