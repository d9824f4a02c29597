"""Per-test simulator on a free loopback port (Amazon's rate limits on, time-scaled), a real
SQLCipher store, and the gateway/service under test."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.sync import SyncService
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database
from tests.support.simulator import creds_for
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SCALE = 300.0


@pytest.fixture
def make_sim() -> Iterator[Callable[..., Simulator]]:
    sims: list[Simulator] = []

    def factory(**kwargs: Any) -> Simulator:
        kwargs.setdefault("start", START)
        kwargs.setdefault("time_scale", SCALE)
        kwargs.setdefault("orders", 1200)
        kwargs.setdefault("listings", 120)
        sim = Simulator(**kwargs).start()
        sims.append(sim)
        return sim

    yield factory
    for sim in sims:
        sim.stop()


@pytest.fixture
def sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim()


@pytest.fixture
def db_key() -> DatabaseKey:
    return DatabaseKey(raw=secrets.token_bytes(32), source="test")


@pytest.fixture
def db(tmp_path: Path, db_key: DatabaseKey) -> Iterator[Database]:
    database = Database.open(tmp_path / "kinxpro.db", db_key)
    yield database
    database.close()


@pytest.fixture
def gateway(sim: Simulator) -> Iterator[SpApiGateway]:
    with SpApiGateway.from_credentials(creds_for(sim), endpoint=sim.base_url, timeout=5) as gw:
        gw.backoff_base = 0.05
        yield gw


@pytest.fixture
def service(db: Database, gateway: SpApiGateway, sim: Simulator) -> SyncService:
    return SyncService(db, gateway, clock=sim.now)
