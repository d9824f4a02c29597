"""The seeded generator: determinism, shape of the data, and the moving world."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

from kinxpro_desktop.sandbox.catalog import MARKETS, PII_MARKER
from kinxpro_desktop.sandbox.data import DAY, World

START = 1_772_452_800.0  # 2026-03-02T12:00:00Z


def dump(world: World) -> bytes:
    orders = [
        {
            "id": o.order_id,
            "mp": o.marketplace_id,
            "channel": o.channel,
            "created": o.created,
            "stages": o.stages,
            "lines": [
                (ln.item_id, ln.listing.sku, ln.quantity, ln.unit_cents, ln.tax_cents)
                for ln in o.lines
            ],
            "buyer": dataclasses.asdict(world.buyer(o)),
        }
        for o in world.orders
    ]
    listings = [dataclasses.asdict(li) for li in world.listings]
    return json.dumps({"orders": orders, "listings": listings}, sort_keys=True).encode()


def test_same_seed_gives_byte_identical_data() -> None:
    a = World(7, 2000, 60, 300, START)
    b = World(7, 2000, 60, 300, START)
    a.ensure(START + 3 * DAY)
    b.ensure(START + 3 * DAY)
    assert dump(a) == dump(b)
    assert dump(World(8, 2000, 60, 300, START)) != dump(World(7, 2000, 60, 300, START))


def test_defaults_look_like_a_real_seller() -> None:
    world = World(42, 2000, 60, 300, START)
    orders = world.orders
    assert len(orders) == 2000 and len(world.listings) == 300
    assert all(START - 60 * DAY <= o.created < START for o in orders)
    assert len({o.order_id for o in orders}) == 2000
    fba = sum(o.channel == "AFN" for o in orders) / len(orders)
    assert 0.62 < fba < 0.78
    statuses = Counter(o.status_at(START) for o in orders)
    assert statuses["Shipped"] > 1500 and statuses["Canceled"] > 20 and statuses["Unshipped"] > 5
    assert {li.marketplace_id for li in world.listings} == set(MARKETS)
    assert {o.marketplace_id for o in orders} == set(MARKETS)
    assert sum(len(o.lines) > 1 for o in orders) > 200
    assert any(not li.status for li in world.listings) and any(li.issues for li in world.listings)
    for o in orders[:200]:
        buyer = world.buyer(o)
        assert buyer.name.endswith(f"-{PII_MARKER}") and len(buyer.name) <= 30
        assert (
            buyer.email.startswith(PII_MARKER.lower())
            and buyer.country == MARKETS[o.marketplace_id].country
        )
        assert o.ship_by > o.created and o.total_cents() > 0
        assert all(ln.listing.marketplace_id == o.marketplace_id for ln in o.lines)


def test_unshipped_mfn_orders_wait_for_the_seller_and_fba_orders_ship() -> None:
    world = World(3, 2000, 60, 300, START)
    later = START + 10 * DAY
    world.ensure(later)
    waiting = [o for o in world.orders if o.channel == "MFN" and o.status_at(START) == "Unshipped"]
    assert waiting and all(o.status_at(later) == "Unshipped" for o in waiting)
    fba = [o for o in world.orders if o.channel == "AFN" and o.status_at(START) == "Unshipped"]
    assert all(o.status_at(later) == "Shipped" for o in fba)
    new = [o for o in world.orders if START <= o.created < later]
    assert 250 < len(new) < 420  # about 2000/60 a day
    updated = world.updated_between(START, later, later)
    updated_ids = {o.order_id for o in updated}
    assert {o.order_id for o in fba + new} <= updated_ids


def test_updated_index_matches_a_full_scan() -> None:
    world = World(5, 3000, 30, 100, START)
    now = START + DAY
    world.ensure(now)
    after, before = START - 5 * DAY, START + 0.5 * DAY
    expected = sorted(
        (o.updated_at(now), o.order_id)
        for o in world.orders
        if o.created <= now and after < o.updated_at(now) <= before
    )
    assert [
        (o.updated_at(now), o.order_id) for o in world.updated_between(after, before, now)
    ] == expected
