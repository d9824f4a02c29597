"""Every simulator fault kind: the sync recovers or fails with a clear message, loses
nothing, and the next run works."""

from __future__ import annotations

import httpx
import pytest
from sp_api.auth import access_token_client

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.sync import SyncService
from kinxpro_desktop.spapi.errors import INVALID_CLIENT, INVALID_GRANT, AuthRejected
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database

from .conftest import creds_for
from .support import assert_matches_simulator

# fault spec -> must the first run still succeed (recovered by retries)?
FAULTS = {
    "searchOrders:429x3": True,
    "searchOrders:500x2": True,
    "searchOrders:503x2": True,
    "searchOrders:drop": True,
    "searchOrders:malformed": True,
    "searchOrders:expired-token": True,
    "searchOrders:slow@3": True,
    "getOrder2026:503x2": True,
    "getOrder2026:malformed": True,
    "createReport:429": True,
    "getReport:drop": True,
    "getReportDocument:gzip-truncated": True,
    "getReportDocument:gzip-corrupt": True,
    "getInventorySummaries:500": True,
    "searchListingsItems:malformed": True,
    "lwa:503": True,
    "lwa:drop": True,
    "createReport:fatal": False,
    "searchOrders:500x*": False,
    "*:503x*": False,
}


@pytest.mark.parametrize("spec", sorted(FAULTS))
def test_fault_then_next_run(
    spec: str, sim: Simulator, db: Database, gateway: SpApiGateway, service: SyncService
) -> None:
    gateway.max_attempts = 4
    gateway.discover_account()  # the simulator's rate headers tell the gateway its time scale
    if "slow" in spec:
        gateway._http.timeout = httpx.Timeout(1.0)  # the slow answer (3 s) times out
    if spec.startswith("lwa:"):
        access_token_client.cache.clear()  # make the sync ask for a token
    sim.set_faults(spec)
    if FAULTS[spec]:
        report = service.run(CancelToken(), lambda _: None)
        assert report.orders_upserted > 0
    else:
        with pytest.raises(UserError) as caught:
            service.run(CancelToken(), lambda _: None)
        message = caught.value.message
        assert "next sync" in message or "retry" in message
        assert "Traceback" not in message
    injected = sim.state.faults.injected
    assert injected, f"{spec} was never injected"
    sim.clear_faults()
    service.run(CancelToken(), lambda _: None)
    assert_matches_simulator(db, sim)
    service.run(CancelToken(), lambda _: None)  # and the one after
    assert_matches_simulator(db, sim)


@pytest.mark.parametrize(
    ("kind", "message"), [("invalid-grant", INVALID_GRANT), ("invalid-client", INVALID_CLIENT)]
)
def test_rejected_credentials_say_what_to_do(
    kind: str, message: str, sim: Simulator, db: Database, service: SyncService
) -> None:
    sim.set_faults(f"lwa:{kind}")
    with pytest.raises(AuthRejected) as caught:
        service.run(CancelToken(), lambda _: None)
    assert caught.value.message == message
    assert db.orders.count() == 0
    service.run(CancelToken(), lambda _: None)
    assert_matches_simulator(db, sim)


def test_test_connection_reports_invalid_grant(make_sim: object) -> None:
    from kinxpro_desktop.services.account import test_connection

    sim = make_sim()  # type: ignore[operator]
    info = test_connection(creds_for(sim), sim.base_url)
    assert info.seller_id == sim.credentials.seller_id
    assert {m[0] for m in info.marketplaces} == set(sim.credentials.marketplace_ids)
    sim.set_faults("lwa:invalid-grant")
    access_token_client.cache.clear()
    with pytest.raises(AuthRejected, match="reconnect the account in Account ▸ Connect"):
        test_connection(creds_for(sim), sim.base_url)
