"""A simulator per test (rate limits on, time-scaled), a real SQLCipher store and the
ReportService over a gateway to that simulator."""

from __future__ import annotations

import gzip
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sp_api.auth import access_token_client

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import build_gateway
from kinxpro_desktop.services.reports import ReportService
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SCALE = 300.0


@pytest.fixture(autouse=True)
def _fresh_token_cache() -> Iterator[None]:
    access_token_client.cache.clear()
    yield
    access_token_client.cache.clear()


def creds_for(sim: Simulator) -> SpApiCredentials:
    c = sim.credentials
    return SpApiCredentials(
        lwa_client_id=c.client_id,
        lwa_client_secret=c.client_secret,
        refresh_token=c.refresh_token,
        region="NA",
        marketplaces=tuple(c.marketplace_ids),
        seller_id=c.seller_id,
    )


@pytest.fixture
def sim() -> Iterator[Simulator]:
    sim = Simulator(start=START, time_scale=SCALE, orders=600, listings=80, days=60).start()
    yield sim
    sim.stop()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(
        tmp_path / "kinxpro.db", DatabaseKey(raw=secrets.token_bytes(32), source="test")
    )
    yield database
    database.close()


@pytest.fixture
def gateway(sim: Simulator) -> Iterator[SpApiGateway]:
    with build_gateway(creds_for(sim), endpoint=sim.base_url, timeout=5) as gw:
        gw.backoff_base = 0.05
        yield gw


@pytest.fixture
def reports(db: Database, gateway: SpApiGateway, sim: Simulator) -> ReportService:
    return ReportService(db, lambda: gateway, clock=sim.now)


def served_document(sim: Simulator, document_id: str) -> tuple[bytes, str]:
    """What the simulator serves for a document: inflated bytes and its Content-Type."""
    doc = sim.state.documents[document_id]
    return gzip.decompress(doc.content), doc.content_type


def calls(sim: Simulator, operation: str) -> int:
    ops: Any = sim.stats()["operations"]
    return int(ops.get(operation, {}).get("calls", 0))


Factory = Callable[..., Simulator]
