"""Authentication by x-amz-access-token only, LWA errors, RDT rules and PII gating."""

from __future__ import annotations

import httpx
import pytest

from kinxpro_desktop.sandbox import PII_MARKER, Simulator

from .conftest import SimFactory
from .support import US

SEARCH = "/orders/2026-01-01/orders"
PII_PARAMS = {
    "createdAfter": "2026-02-20T00:00:00Z",
    "includedData": "BUYER,RECIPIENT",
    "marketplaceIds": US,
}


def _form(sim: Simulator, **changes: str) -> dict[str, str]:
    c = sim.credentials
    form = {
        "grant_type": "refresh_token",
        "refresh_token": c.refresh_token,
        "client_id": c.client_id,
        "client_secret": c.client_secret,
    }
    form.update(changes)
    return form


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"refresh_token": "Atzr|revoked"}, 400, "invalid_grant"),
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"grant_type": "authorization_code"}, 400, "unsupported_grant_type"),
    ],
)
def test_lwa_errors_are_json(
    sim: Simulator, changes: dict[str, str], status: int, error: str
) -> None:
    with httpx.Client(base_url=sim.base_url) as http:
        answer = http.post("/auth/o2/token", data=_form(sim, **changes))
    assert answer.status_code == status
    assert answer.json()["error"] == error and answer.json()["error_description"]


def test_requests_are_authenticated_by_the_access_token_only(sim: Simulator) -> None:
    with httpx.Client(base_url=sim.base_url) as http:
        token = http.post("/auth/o2/token", data=_form(sim)).json()["access_token"]
        missing = http.get(SEARCH, params=PII_PARAMS)
        forged = http.get(SEARCH, params=PII_PARAMS, headers={"x-amz-access-token": "Atza|nope"})
        # python-amazon-sp-api sends Host "27.0.0.1:PORT" for http:// endpoints
        good = http.get(
            SEARCH, params=PII_PARAMS, headers={"x-amz-access-token": token, "host": "27.0.0.1:1"}
        )
    assert missing.status_code == forged.status_code == 403
    assert (
        missing.json()["errors"][0]["details"] == "Access token is missing in the request header."
    )
    assert forged.json()["errors"][0]["details"].startswith(
        "The access token you provided is revoked"
    )
    assert good.status_code == 200


def test_rdt_is_refused_outside_its_resources(sim: Simulator, http: httpx.Client) -> None:
    rdt = http.post(
        "/tokens/2021-03-01/restrictedDataToken",
        json={
            "restrictedResources": [
                {"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems"}
            ],
            "marketplaceIds": [US],  # the library adds these; they are ignored
            "path": "/tokens/2021-03-01/restrictedDataToken",
        },
    ).json()["restrictedDataToken"]
    order_id = sim.state.world.orders[0].order_id
    as_rdt = {"x-amz-access-token": rdt}
    assert http.get(f"/orders/v0/orders/{order_id}/orderItems", headers=as_rdt).status_code == 200
    refused = http.get("/sellers/v1/marketplaceParticipations", headers=as_rdt)
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "Unauthorized"
    # createShipment needs an RDT; an LWA token is refused
    assert http.post("/mfn/v0/shipments", json={}).status_code == 403


def test_pii_follows_the_restricted_roles(make_sim: SimFactory) -> None:
    sim = make_sim()
    token = sim.state.issue_access_token()
    with httpx.Client(base_url=sim.base_url, headers={"x-amz-access-token": token}) as http:
        granted = http.get(SEARCH, params=PII_PARAMS).json()["orders"]
        http.post("/_sandbox/pii-roles", json={"granted": False})
        refused = http.get(SEARCH, params=PII_PARAMS).json()["orders"]
        rdt = http.post(
            "/tokens/2021-03-01/restrictedDataToken",
            json={"restrictedResources": [{"method": "POST", "path": "/mfn/v0/shipments"}]},
        )
        log = http.get("/_sandbox/pii-log").json()["entries"]
        stats = http.get("/_sandbox/stats").json()["operations"]["searchOrders"]
    with_pii = [o for o in granted if "buyer" in o]
    assert with_pii and all(o["buyer"]["buyerName"].endswith(PII_MARKER) for o in with_pii)
    assert all("name" in o["recipient"]["deliveryAddress"] for o in with_pii)
    assert all("buyer" not in o for o in refused)
    addresses = [o["recipient"]["deliveryAddress"] for o in refused if "recipient" in o]
    assert addresses and all(
        set(a) == {"city", "stateOrRegion", "postalCode", "countryCode"} for a in addresses
    )
    assert rdt.status_code == 403
    assert [e["orderIds"] for e in log] == [[o["orderId"] for o in with_pii]]
    assert stats["piiResponses"] == 1 and stats["calls"] == 2


def test_world_moves_with_the_clock(sim: Simulator, http: httpx.Client) -> None:
    watermark = sim.now_iso()
    params = {"lastUpdatedAfter": watermark, "includedData": "FULFILLMENT"}
    assert http.get(SEARCH, params=params).json()["orders"] == []
    sim.advance(6 * 3600)
    moved = http.get(SEARCH, params=params).json()["orders"]
    statuses = {o["fulfillment"]["fulfillmentStatus"] for o in moved}
    created_after = [o for o in moved if o["createdTime"] > watermark]
    assert created_after and len(moved) > len(created_after)  # new orders and updated old ones
    assert "SHIPPED" in statuses
