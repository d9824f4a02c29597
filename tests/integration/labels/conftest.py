"""A simulator (Amazon's rate limits on, time-scaled), a real SQLCipher store synced from it,
and the label service over the Connection, as the app wires them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from kinxpro_desktop.core.progress import CancelToken, no_progress
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.labels import LabelService
from kinxpro_desktop.services.sync import SyncService
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database
from tests.integration.printing.conftest import cups, private_cups  # noqa: F401 (fixtures)
from tests.support.simulator import SHIP_FROM, creds_for, db_fixture, sim_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SCALE = 300.0
US = "ATVPDKIKX0DER"


def stats(sim: Simulator, operation: str) -> dict[str, Any]:
    """What /_sandbox/stats says about one operation (over HTTP, as a tool would)."""
    body = httpx.get(f"{sim.base_url}/_sandbox/stats", timeout=5).json()
    return dict(body["operations"].get(operation) or {})


sim = sim_fixture(start=START, orders=600, days=4, listings=20, time_scale=SCALE)


db = db_fixture("kinxpro.db")


def sync_store(db: Database, sim: Simulator) -> None:
    with SpApiGateway.from_credentials(creds_for(sim), endpoint=sim.base_url, timeout=10) as gw:
        gw.backoff_base = 0.02
        SyncService(db, gw, clock=sim.now).run(CancelToken(), no_progress)


@pytest.fixture
def connection(sim: Simulator) -> Iterator[Connection]:
    conn = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim), timeout=3)
    yield conn
    conn.close()


@pytest.fixture
def make_labels(
    db: Database, sim: Simulator, connection: Connection
) -> Callable[..., LabelService]:
    def factory(**kwargs: Any) -> LabelService:
        kwargs.setdefault("ship_from_default", SHIP_FROM)
        service = LabelService(db, connection, clock=sim.now, **kwargs)
        connection.gateway().backoff_base = 0.02
        return service

    sync_store(db, sim)
    return factory


@pytest.fixture
def labels(make_labels: Callable[..., LabelService]) -> LabelService:
    return make_labels()


def to_ship(labels: LabelService, count: int = 1, market: str | None = None) -> list[str]:
    """Orders awaiting shipment (in `market`), ship-by first."""
    ids = [
        e.order_id
        for e in labels.queue()
        if market in (None, e.marketplace_id) and e.shipment is None and e.status == "Unshipped"
    ]
    assert len(ids) >= count, f"only {len(ids)} orders to ship"
    return ids[:count]
