"""Every fault kind is produced as specified."""

from __future__ import annotations

import gzip
import json
import zlib

import httpx
import pytest
from sp_api.api import OrdersV20260101, Reports
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import SellingApiForbiddenException, SellingApiRequestThrottledException
from sp_api.base.exceptions import (
    SellingApiServerException,
    SellingApiTemporarilyUnavailableException,
)
from sp_api.util import throttle_retry

from kinxpro_desktop.sandbox import Simulator

from .conftest import SimFactory
from .support import US, sp_client

SEARCH = "/orders/2026-01-01/orders"
PARAMS = {"createdAfter": "2026-03-01T00:00:00Z", "maxResultsPerPage": 1}


def _token_client(sim: Simulator) -> httpx.Client:
    token = sim.state.issue_access_token()
    return httpx.Client(base_url=sim.base_url, headers={"x-amz-access-token": token}, timeout=5)


def _done_report(sim: Simulator, http: httpx.Client) -> str:
    body = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    report_id = http.post("/reports/2021-06-30/reports", json=body).json()["reportId"]
    sim.advance(60)
    report = http.get(f"/reports/2021-06-30/reports/{report_id}").json()
    return str(report["reportDocumentId"])


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("429", 429, "QuotaExceeded"),
        ("500", 500, "InternalFailure"),
        ("503", 503, "ServiceUnavailable"),
    ],
)
def test_error_statuses_then_recovery(
    make_sim: SimFactory, kind: str, status: int, code: str
) -> None:
    sim = make_sim(faults=f"searchOrders:{kind}x3")
    with _token_client(sim) as http:
        answers = [http.get(SEARCH, params=PARAMS) for _ in range(4)]
    assert [r.status_code for r in answers] == [status] * 3 + [200]
    assert all(r.json()["errors"][0]["code"] == code for r in answers[:3])
    assert sim.state.faults.injected == {f"searchOrders:{kind}": 3}


def test_429_storm_is_survived_by_the_librarys_retry(make_sim: SimFactory) -> None:
    sim = make_sim(faults="searchOrders:429x2")

    with sp_client(sim, OrdersV20260101) as orders:

        @throttle_retry(tries=5, delay=0.01, rate=1)
        def search() -> object:
            return orders.search_orders(createdAfter="2026-03-01T00:00:00Z", marketplaceIds=[US])

        assert search().payload["orders"] is not None  # type: ignore[attr-defined]
        with pytest.raises(SellingApiRequestThrottledException):
            sim.set_faults("searchOrders:429")
            orders.search_orders(createdAfter="2026-03-01T00:00:00Z", marketplaceIds=[US])
        with pytest.raises(SellingApiServerException):
            sim.set_faults("searchOrders:500")
            orders.search_orders(createdAfter="2026-03-01T00:00:00Z", marketplaceIds=[US])
        with pytest.raises(SellingApiTemporarilyUnavailableException):
            sim.set_faults("*:503")
            orders.search_orders(createdAfter="2026-03-01T00:00:00Z", marketplaceIds=[US])


def test_slow_response_exceeds_the_client_timeout(make_sim: SimFactory) -> None:
    sim = make_sim(faults="searchOrders:slow@1.0")
    with _token_client(sim) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get(SEARCH, params=PARAMS, timeout=0.3)
        assert http.get(SEARCH, params=PARAMS).status_code == 200


def test_dropped_connection(make_sim: SimFactory) -> None:
    sim = make_sim(faults="getOrder2026:dropx1")
    order_id = sim.state.world.orders[0].order_id
    with _token_client(sim) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(f"/orders/2026-01-01/orders/{order_id}")
        assert http.get(f"/orders/2026-01-01/orders/{order_id}").status_code == 200


def test_malformed_json(make_sim: SimFactory) -> None:
    sim = make_sim(faults="searchOrders:malformed")
    with _token_client(sim) as http:
        answer = http.get(SEARCH, params=PARAMS)
    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        answer.json()


def test_expired_access_token(make_sim: SimFactory) -> None:
    sim = make_sim(faults="searchOrders:expired-token")
    with (
        sp_client(sim, OrdersV20260101) as orders,
        pytest.raises(SellingApiForbiddenException) as caught,
    ):
        orders.search_orders(createdAfter="2026-03-01T00:00:00Z", marketplaceIds=[US])
    assert caught.value.error == [
        {
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": "The access token you provided has expired.",
        }
    ]


@pytest.mark.parametrize("kind", ["gzip-truncated", "gzip-corrupt"])
def test_damaged_report_documents(make_sim: SimFactory, kind: str) -> None:
    sim = make_sim()
    with _token_client(sim) as http:
        document_id = _done_report(sim, http)
        url = http.get(f"/reports/2021-06-30/documents/{document_id}").json()["url"]
        good = http.get(url).content
        sim.set_faults(f"getReportDocument:{kind}")
        bad = http.get(url).content
        again = http.get(url).content
    assert gzip.decompress(good).startswith(b"item-name\titem-description\tlisting-id")
    assert again == good
    with pytest.raises((EOFError, OSError, zlib.error)):
        gzip.decompress(bad)
    with pytest.raises(zlib.error):
        zlib.decompress(bad, 15 + 32)  # what python-amazon-sp-api does


def test_fatal_report(make_sim: SimFactory) -> None:
    sim = make_sim(faults="createReport:fatal")
    with sp_client(sim, Reports) as reports:
        report_id = reports.create_report(
            reportType="GET_MERCHANT_LISTINGS_ALL_DATA", marketplaceIds=[US]
        ).payload["reportId"]
        sim.advance(60)
        report = reports.get_report(report_id).payload
    assert report["processingStatus"] == "FATAL" and "reportDocumentId" not in report


def test_cancelled_when_the_report_has_no_data(make_sim: SimFactory) -> None:
    sim = make_sim()
    with sp_client(sim, Reports) as reports:
        report_id = reports.create_report(
            reportType="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            dataStartTime="2020-01-01T00:00:00Z",
            dataEndTime="2020-01-02T00:00:00Z",
            marketplaceIds=[US],
        ).payload["reportId"]
        sim.advance(60)
        assert reports.get_report(report_id).payload["processingStatus"] == "CANCELLED"


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [("invalid-grant", 400, "invalid_grant"), ("invalid-client", 401, "invalid_client")],
)
def test_token_endpoint_faults(make_sim: SimFactory, kind: str, status: int, error: str) -> None:
    sim = make_sim(faults=f"lwa:{kind}")
    with sp_client(sim, OrdersV20260101) as orders:
        with pytest.raises(AuthorizationError) as caught:
            orders.search_orders(createdAfter="2026-03-01T00:00:00Z", marketplaceIds=[US])
        assert caught.value.status_code == status
        assert caught.value.error_code == error
        # the next token request succeeds
        assert orders.search_orders(
            createdAfter="2026-03-01T00:00:00Z", marketplaceIds=[US]
        ).payload


def test_faults_over_http_and_bad_specs(sim: Simulator) -> None:
    with httpx.Client(base_url=sim.base_url) as http:
        answer = http.post("/_sandbox/faults", json={"spec": "getReport:500x2,*:slow@0.1"})
        assert answer.status_code == 200 and len(answer.json()["pending"]) == 2
        bad = http.post("/_sandbox/faults", json={"spec": "getReport:explode"})
        assert bad.status_code == 400 and "bad fault item" in bad.json()["errors"][0]["message"]
        http.post("/_sandbox/faults", json={"mode": "clear"})
        assert http.get("/_sandbox/faults").json() == {"pending": []}
