"""The Connection service against the simulator over real HTTP: one gateway per account,
rebuilt when the credentials change; refusals audited once; environment proxies never apply;
errors a seller reads name the operation in words."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import NOT_CONNECTED, AccountSync, Connection
from kinxpro_desktop.spapi.errors import EgressRefused, RequestRejected
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.vault.credentials import save_credentials
from kinxpro_desktop.vault.secret_store import MemorySecretStore
from tests.support.simulator import creds_for, db_fixture, sim_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
US = "ATVPDKIKX0DER"
PROXY_VARIABLES = ("ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY")


sim = sim_fixture(start=START, orders=200, listings=30, time_scale=300.0)


db = db_fixture("kinxpro.db")


def test_one_gateway_per_account_rebuilt_when_the_credentials_change(sim: Simulator) -> None:
    store = MemorySecretStore()
    connection = Connection(store, endpoint=sim.base_url)
    try:
        with pytest.raises(UserError) as caught:
            connection.gateway()
        assert caught.value.message == NOT_CONNECTED
        assert connection.current() is None and connection.rate_limits() == []
        save_credentials(store, creds_for(sim))
        first = connection.gateway()
        assert connection.gateway() is first
        assert first.discover_account().seller_id == sim.credentials.seller_id
        assert connection.rate_limits()  # the GUI reads these without touching the vault
        save_credentials(store, dataclasses.replace(creds_for(sim), marketplaces=(US,)))
        second = connection.gateway()
        assert second is not first and second.creds.marketplaces == (US,)
        assert connection.generation == 2
    finally:
        connection.close()


def test_endpoint_refusals_are_audited_once(sim: Simulator, db: Database) -> None:
    """issue 9 #11: refusals were logged but not audited (outside a sync run)."""
    audited: list[tuple[str, dict[str, object]]] = []
    connection = Connection(
        None,
        endpoint=sim.base_url,
        fixed_credentials=creds_for(sim),
        audit=lambda event, detail: audited.append((event, detail)),
    )
    try:
        gateway = connection.gateway()
        with pytest.raises(EgressRefused):
            gateway.reports.fetch({"url": "https://collector.example.net/r.gz"})
        with pytest.raises(EgressRefused):
            gateway.reports.fetch({"url": "https://[evil.example]/"})
        assert audited == [
            (
                "egress_refused",
                {
                    "host": "collector.example.net",
                    "reason": "the host is not on the allow-list of Amazon SP-API hosts",
                },
            ),
            (
                "egress_refused",
                {"host": "https://[evil.example]/", "reason": "the address is not a valid URL"},
            ),
        ]
        assert gateway.take_refusals() == []  # a sync run does not audit them a second time
    finally:
        connection.close()


def test_account_sync_audits_refusals_into_the_store(sim: Simulator, db: Database) -> None:
    account = AccountSync(
        db, MemorySecretStore(), endpoint=sim.base_url, fixed_credentials=creds_for(sim)
    )
    try:
        gateway = account.connection.gateway()
        with pytest.raises(EgressRefused):
            gateway.reports.fetch({"url": "https://collector.example.net/r.gz"})
        entries = [e for e in db.audit.entries() if e.event == "egress_refused"]
        assert [e.detail["host"] for e in entries] == ["collector.example.net"]
        assert entries[0].actor == "sync"
    finally:
        account.close()


@pytest.mark.parametrize("variable", PROXY_VARIABLES)
def test_environment_proxies_never_apply(
    variable: str, sim: Simulator, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue 9 #9: with ALL_PROXY=socks5://... every sync crashed with ImportError (the
    library built its own httpx client with trust_env before the guarded one replaced it)."""
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    scheme = "socks5" if "ALL" in variable.upper() else "http"
    monkeypatch.setenv(variable, f"{scheme}://127.0.0.1:9")
    account = AccountSync(
        db,
        MemorySecretStore(),
        endpoint=sim.base_url,
        fixed_credentials=creds_for(sim),
        clock=sim.now,
    )
    try:
        info = account.connection.gateway().discover_account()
        assert info.seller_id == sim.credentials.seller_id
        report = account.run(CancelToken(), lambda _u: None)
        assert report.orders_upserted > 0  # the report download went through the guarded client
        assert db.orders.count() > 0
    finally:
        account.close()


def test_feed_documents_ignore_environment_proxies(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library's own feed upload and result download open a bare httpx.Client() (which
    reads the environment); the gateway's go through the guarded client."""
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:9")
    connection = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim))
    try:
        feeds = connection.gateway().feeds
        sku = next(li.sku for li in sim.state.world.listings if li.marketplace_id == US)
        message = {
            "messageId": 1,
            "sku": sku,
            "operationType": "PATCH",
            "productType": "HOME",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}],
                }
            ],
        }
        header = {"sellerId": sim.credentials.seller_id, "version": "2.0"}
        content = json.dumps({"header": header, "messages": [message]}).encode()
        feed_id = feeds.submit("JSON_LISTINGS_FEED", content, [US])
        sim.advance(60)
        status = feeds.get(feed_id)
        assert status["processingStatus"] == "DONE"
        result = json.loads(feeds.result(str(status["resultFeedDocumentId"])))
        assert result["summary"]["messagesAccepted"] == 1
        assert sim.state.world.by_sku[sku].quantity == 5
    finally:
        connection.close()


def test_a_refused_request_says_which_operation_in_words(sim: Simulator) -> None:
    """Demo-mode errors said "searchOrders: Amazon refused the request (HTTP 400 ...)"."""
    connection = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim))
    try:
        with pytest.raises(RequestRejected) as caught:
            connection.gateway().search_orders(
                {
                    "lastUpdatedAfter": "2026-03-01T00:00:00Z",
                    "lastUpdatedBefore": "2026-02-01T00:00:00Z",
                    "marketplaceIds": [US],
                }
            )
    finally:
        connection.close()
    error = caught.value
    assert error.message.startswith("The simulated Amazon did not accept the orders search (")
    assert "next sync" in error.message
    for raw in ("HTTP", "400", "InvalidInput", "Amazon refused", "searchOrders"):
        assert raw not in error.message
    assert error.status == 400 and "InvalidInput" in error.detail  # kept for the log
