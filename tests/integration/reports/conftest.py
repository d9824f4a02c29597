"""A simulator per test (rate limits on, time-scaled), a real SQLCipher store and the
ReportService over a gateway to that simulator."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import build_gateway
from kinxpro_desktop.services.reports import ReportService
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database
from tests.support.simulator import creds_for, db_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SCALE = 300.0


@pytest.fixture
def sim() -> Iterator[Simulator]:
    sim = Simulator(start=START, time_scale=SCALE, orders=600, listings=80, days=60).start()
    yield sim
    sim.stop()


db = db_fixture("kinxpro.db")


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
