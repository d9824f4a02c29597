"""Submit against the simulator: preview issues per SKU, apply via patch and via feed,
Amazon's rejection text, conflicts held, staged edits surviving a restart, and writes never
re-sent blindly after a lost answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.listing_edits import PRICE, QUANTITY, ChangeStatus
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressUpdate
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.sandbox.listings import inject_issue
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.listing_edits import EditValue, ListingEdits
from kinxpro_desktop.services.listing_feed import FEED_KEY
from kinxpro_desktop.services.listing_submit import PATCH_THRESHOLD
from kinxpro_desktop.store.database import Database

from .conftest import START, US, amazon_price, amazon_quantity, creds_for, pick, store_listings


def real_patches(calls: list[tuple[str, str]]) -> int:
    return sum(1 for op, mode in calls if op == "patchListingsItem" and not mode)


def previews(calls: list[tuple[str, str]]) -> int:
    return sum(1 for op, mode in calls if op == "patchListingsItem" and mode)


def test_threshold_is_derived_from_the_rate_limits() -> None:
    assert PATCH_THRESHOLD == 5 + 5 * 60


def test_preview_only_shows_issues_per_sku_and_changes_nothing(
    edits: ListingEdits, sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    good, bad = pick(sim, n=2)
    inject_issue(
        sim.state, bad, "The price is below the minimum allowed.", code="8026", when="preview"
    )
    before = amazon_price(sim, good), amazon_price(sim, bad)
    edits.stage(good, US, EditValue(price="21.00"))
    edits.stage(bad, US, EditValue(price="0.50"))
    report = edits.submit(preview_only=True)
    by_sku = {r.sku: r for r in report.results}
    assert by_sku[good].status == "valid"
    assert by_sku[bad].status == "invalid"
    assert "8026: The price is below the minimum allowed." in by_sku[bad].issues[0]
    assert (amazon_price(sim, good), amazon_price(sim, bad)) == before
    assert real_patches(calls) == 0 and previews(calls) == 2
    assert {c.status for c in edits.pending()} == {ChangeStatus.STAGED}


def test_submit_applies_by_patch_and_tracks_each_change(
    edits: ListingEdits, db: Database, sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    a, b = pick(sim, n=2)
    edits.stage(a, US, EditValue(price="23.45", quantity="7"))
    edits.stage(b, US, EditValue(quantity="0"))
    steps: list[ProgressUpdate] = []
    report = edits.submit(progress=steps.append)
    assert report.via == "patch"
    assert [r.status for r in report.results] == [ChangeStatus.ACCEPTED] * 2
    assert amazon_price(sim, a) == Decimal("23.45") and amazon_quantity(sim, a) == 7
    assert amazon_quantity(sim, b) == 0
    assert real_patches(calls) == 2 and previews(calls) == 2
    assert edits.pending() == []
    assert steps and steps[-1].done == steps[-1].total == 2
    accepted = [
        e
        for e in db.audit.entries()
        if e.event == AuditEvent.LISTING_CHANGE and e.detail.get("action") == "accepted"
    ]
    assert {e.object_ids for e in accepted} == {(a,), (b,)}


def test_apply_via_feed_with_per_sku_results_and_amazons_text(
    make_edits: Callable[..., ListingEdits], sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    edits = make_edits(feed_threshold=2)
    skus = pick(sim, n=4)
    rejected = skus[2]
    inject_issue(
        sim.state,
        rejected,
        "The price conflicts with the list price rules.",
        code="8541",
        when="apply",
    )
    for n, sku in enumerate(skus):
        edits.stage(sku, US, EditValue(price=f"{30 + n}.99"))
    report = edits.submit()
    assert report.via == "feed"
    statuses = {r.sku: r.status for r in report.results}
    assert statuses == {
        s: ChangeStatus.REJECTED if s == rejected else ChangeStatus.ACCEPTED for s in skus
    }
    [bad] = report.rejected
    assert "8541: The price conflicts with the list price rules." in bad.issues[0]
    assert real_patches(calls) == 0
    assert sum(1 for op, _ in calls if op == "createFeed") == 1
    for n, sku in enumerate(skus):
        if sku != rejected:
            assert amazon_price(sim, sku) == Decimal(f"{30 + n}.99")
    # the rejection is kept with Amazon's words
    [kept] = edits.results_since(sim.now().replace(year=2000))[2:3]
    assert kept.status is ChangeStatus.REJECTED and "8541" in kept.issue_text()


def test_rejected_patch_shows_amazons_text(
    edits: ListingEdits, sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    sku = pick(sim)[0]
    inject_issue(
        sim.state,
        sku,
        "Quantity exceeds the limit for this product type.",
        code="90111",
        attribute="fulfillment_availability",
        when="apply",
    )
    edits.stage(sku, US, EditValue(quantity="99"))
    report = edits.submit()
    [result] = report.results
    assert result.status == ChangeStatus.REJECTED
    assert result.issues == (
        "90111: Quantity exceeds the limit for this product type. [fulfillment_availability]",
    )
    assert edits.pending() == []


def test_conflict_is_held_and_the_seller_chooses(
    edits: ListingEdits, sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    sku, other = pick(sim, n=2)
    edits.stage(sku, US, EditValue(price="40.00"))
    edits.stage(other, US, EditValue(price="41.00"))
    sim.state.world.by_sku[sku].price_cents = 4599  # changed in Seller Central meanwhile
    report = edits.submit()
    [held] = report.conflicts
    assert held.sku == sku and held.amazon[PRICE] == "45.99"
    assert amazon_price(sim, sku) == Decimal("45.99")  # not overwritten
    assert amazon_price(sim, other) == Decimal("41.00")
    [change] = edits.pending()
    assert change.status is ChangeStatus.CONFLICT
    assert (change.old_value, change.new_value, change.amazon_value) != (None, None, None)
    assert change.amazon_value == "45.99" and change.new_value == "40.00"
    # keep mine: staged again against Amazon's value, then sent
    kept = edits.resolve_conflict(change.change_id, keep_mine=True)
    assert kept is not None and kept.status is ChangeStatus.STAGED and kept.old_value == "45.99"
    edits.submit()
    assert amazon_price(sim, sku) == Decimal("40.00")


def test_take_amazons_value_drops_the_change(edits: ListingEdits, sim: Simulator) -> None:
    sku = pick(sim)[0]
    edits.stage(sku, US, EditValue(quantity="3"))
    sim.state.world.by_sku[sku].quantity += 11
    edits.submit()
    [change] = edits.pending()
    assert edits.resolve_conflict(change.change_id, keep_mine=False) is None
    assert edits.pending() == []


def test_staged_edits_survive_a_restart_and_go_when_connected(
    db_path: Path,
    db_key: DatabaseKey,
    db: Database,
    sim: Simulator,
    calls: list[tuple[str, str]],
) -> None:
    sku = pick(sim)[0]
    offline = Connection(None, endpoint=sim.base_url, fixed_credentials=None)  # not connected
    first = ListingEdits(db, offline, clock=sim.now)
    first.stage(sku, US, EditValue(price="55.55"))
    with pytest.raises(Exception, match="No Amazon account is connected"):
        first.submit()
    db.close()
    reopened = Database.open(db_path, db_key)
    try:
        online = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim))
        second = ListingEdits(reopened, online, clock=sim.now)
        [change] = second.pending()
        assert (change.sku, change.new_value, change.status) == (sku, "55.55", ChangeStatus.STAGED)
        report = second.submit()
        assert [r.status for r in report.results] == [ChangeStatus.ACCEPTED]
        assert amazon_price(sim, sku) == Decimal("55.55")
        online.close()
    finally:
        reopened.close()


def _arm_after_preview(sim: Simulator, spec: str) -> None:
    """Arm `spec` once the (read-only) preview has been answered: it hits the real write."""
    original = sim.state.recorder

    def arm(operation: str, req: Any, res: Any) -> None:
        if original is not None:
            original(operation, req, res)
        if operation == "patchListingsItem" and req.first("mode"):
            sim.set_faults(spec)
            sim.state.recorder = original

    sim.state.recorder = arm


def _wait_for(check: Callable[[], bool], seconds: float = 8.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the simulator never got there"
        time.sleep(0.05)


@pytest.fixture
def impatient(db: Database, sim: Simulator) -> Iterator[Callable[..., ListingEdits]]:
    """ListingEdits over a connection with a 1 s timeout (a `slow` fault loses the answer)."""
    connections: list[Connection] = []

    def factory(**kwargs: Any) -> ListingEdits:
        conn = Connection(
            None, endpoint=sim.base_url, fixed_credentials=creds_for(sim), timeout=1.0
        )
        connections.append(conn)
        conn.gateway().backoff_base = 0.02
        return ListingEdits(db, conn, clock=sim.now, **kwargs)

    yield factory
    for conn in connections:
        conn.close()


def test_lost_patch_answer_is_reconciled_not_resent(
    impatient: Callable[..., ListingEdits], sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    edits = impatient()
    sku = pick(sim)[0]
    edits.stage(sku, US, EditValue(price="66.60"))
    _arm_after_preview(sim, "patchListingsItem:slow@2")  # applied, but after our timeout
    report = edits.submit()
    [result] = report.results
    assert result.status == ChangeStatus.UNKNOWN
    assert "did not send it again" in result.issues[0]
    [change] = edits.pending()
    assert change.status is ChangeStatus.UNKNOWN
    assert real_patches(calls) <= 1  # the slow one is recorded when it finally answers
    _wait_for(lambda: amazon_price(sim, sku) == Decimal("66.60"))
    _wait_for(lambda: real_patches(calls) == 1)
    # the next Submit reads the listing: Amazon has the new price, so nothing is re-sent
    edits.submit()
    assert real_patches(calls) == 1
    assert edits.pending() == []
    [final] = edits.results_since(sim.now().replace(year=2000))
    assert final.status is ChangeStatus.ACCEPTED


def test_lost_patch_that_amazon_never_got_is_sent_after_checking(
    impatient: Callable[..., ListingEdits], sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    edits = impatient()
    sku = pick(sim)[0]
    old = amazon_price(sim, sku)
    edits.stage(sku, US, EditValue(price="67.70"))
    _arm_after_preview(sim, "patchListingsItem:drop")  # the connection drops, nothing done
    edits.submit()
    assert amazon_price(sim, sku) == old
    gets_before = sum(1 for op, _ in calls if op == "getListingsItem")
    report = edits.submit()  # getListingsItem shows the old price: safe to send
    assert sum(1 for op, _ in calls if op == "getListingsItem") > gets_before
    assert [r.status for r in report.results] == [ChangeStatus.ACCEPTED]
    assert amazon_price(sim, sku) == Decimal("67.70")


def test_lost_createfeed_answer_is_found_with_getfeeds_not_resent(
    impatient: Callable[..., ListingEdits],
    db: Database,
    sim: Simulator,
    calls: list[tuple[str, str]],
) -> None:
    edits = impatient(feed_threshold=1)
    skus = pick(sim, n=2)
    for sku in skus:
        edits.stage(sku, US, EditValue(price="12.34"))
    sim.set_faults("createFeed:slow@2")  # Amazon creates the feed; the answer comes too late
    report = edits.submit()
    assert {r.status for r in report.results} == {"unknown"}
    assert {c.status for c in edits.pending()} == {ChangeStatus.UNKNOWN}
    assert db.sync_state.get(FEED_KEY).detail["feeds"][0]["phase"] == "unknown"
    _wait_for(lambda: sum(1 for op, _ in calls if op == "createFeed") == 1)
    report = edits.submit()
    assert sum(1 for op, _ in calls if op == "createFeed") == 1  # found, not re-sent
    assert sum(1 for op, _ in calls if op == "getFeeds") >= 1
    assert {r.status for r in report.results} == {ChangeStatus.ACCEPTED}
    assert all(amazon_price(sim, s) == Decimal("12.34") for s in skus)
    assert edits.pending() == []


def test_createfeed_amazon_never_got_is_resent_after_checking(
    impatient: Callable[..., ListingEdits], sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    edits = impatient(feed_threshold=1)
    skus = pick(sim, n=2)
    for sku in skus:
        edits.stage(sku, US, EditValue(price="13.45"))
    sim.set_faults("createFeed:500")
    edits.submit()
    report = edits.submit()  # getFeeds: no such feed, so it is sent (once more)
    assert sum(1 for op, _ in calls if op == "createFeed") == 2
    assert {r.status for r in report.results} == {ChangeStatus.ACCEPTED}
    assert all(amazon_price(sim, s) == Decimal("13.45") for s in skus)


def test_cancel_stops_between_skus_and_keeps_the_rest_staged(
    edits: ListingEdits, sim: Simulator
) -> None:
    skus = pick(sim, n=3)
    for sku in skus:
        edits.stage(sku, US, EditValue(quantity="4"))
    token = CancelToken()

    def progress(update: ProgressUpdate) -> None:
        if update.done == 1 and "Sending" in update.phase:
            token.cancel()

    with pytest.raises(Cancelled):
        edits.submit(token, progress)
    statuses = sorted(c.status.value for c in edits.pending())
    assert statuses == ["staged", "staged"]
    assert QUANTITY  # the one sent went through


def test_a_run_killed_after_the_intent_is_reconciled_before_sending(
    edits: ListingEdits, db: Database, sim: Simulator, calls: list[tuple[str, str]]
) -> None:
    """The intent ('sending') is committed before the patch; a process killed right then
    leaves it. The next Submit reads Amazon first: the old price, so it is safe to send."""
    applied, never = pick(sim, n=2)
    for sku in (applied, never):
        edits.stage(sku, US, EditValue(price="71.10"))
    ids = [c.change_id for c in edits.pending()]
    with db.transaction() as uow:  # what a kill between intent and answer leaves behind
        edits.changes.set_status(uow.connection, ids, ChangeStatus.SENDING)
    sim.state.world.by_sku[applied].price_cents = 7110  # this one had reached Amazon
    report = edits.submit()
    assert real_patches(calls) == 1  # only the one Amazon never got
    assert {r.sku: r.status for r in report.results} == {never: ChangeStatus.ACCEPTED}
    assert edits.pending() == []
    assert amazon_price(sim, never) == Decimal("71.10")


def test_a_feed_killed_before_its_answer_is_found_not_resent(
    impatient: Callable[..., ListingEdits],
    db: Database,
    sim: Simulator,
    calls: list[tuple[str, str]],
) -> None:
    """A process killed while createFeed was on its way leaves the intent ('creating', changes
    'sending'). The next Submit finds the feed with getFeeds instead of sending another."""
    edits = impatient(feed_threshold=1)
    skus = pick(sim, n=2)
    for sku in skus:
        edits.stage(sku, US, EditValue(quantity="9"))
    sim.set_faults("createFeed:slow@2")  # Amazon creates it; Kinxpro never hears back
    edits.submit()
    [record] = db.sync_state.get(FEED_KEY).detail["feeds"]
    ids = [c.change_id for c in edits.pending()]
    with db.transaction() as uow:  # rewind to what a kill during createFeed leaves behind
        uow.sync_state.set(
            FEED_KEY, None, {"feeds": [{**record, "phase": "creating"}], "known": []}, sim.now()
        )
        edits.changes.set_status(uow.connection, ids, ChangeStatus.SENDING, issues=())
    _wait_for(lambda: sum(1 for op, _ in calls if op == "createFeed") == 1)
    report = edits.submit()
    assert sum(1 for op, _ in calls if op == "createFeed") == 1
    assert {r.status for r in report.results} == {ChangeStatus.ACCEPTED}
    assert all(amazon_quantity(sim, s) == 9 for s in skus)


def test_accepted_changes_show_in_the_stored_listing(
    edits: ListingEdits, db: Database, sim: Simulator
) -> None:
    sku = pick(sim)[0]
    edits.stage(sku, US, EditValue(price="88.80", quantity="12"))
    edits.submit()
    stored = db.listings.get(US, sku)
    assert stored is not None and stored.price is not None
    assert stored.price.amount == Decimal("88.80") and stored.quantity == 12


def test_previews_keep_to_their_own_one_per_second_limit(db: Database) -> None:
    """Amazon throttles VALIDATION_PREVIEW at 1/s, but its answer carries patchListingsItem's
    rate header (5/s). Kinxpro keeps the preview's own limit."""
    # a low time scale: network jitter of a few ms must stay small against the 1 s spacing
    with Simulator(start=START, orders=50, listings=60, time_scale=2.0) as slow_sim:
        store_listings(db, slow_sim)
        conn = Connection(None, endpoint=slow_sim.base_url, fixed_credentials=creds_for(slow_sim))
        try:
            edits = ListingEdits(db, conn, clock=slow_sim.now)
            for sku in pick(slow_sim, n=4):
                edits.stage(sku, US, EditValue(price="17.77"))
            report = edits.submit(preview_only=True)
            assert [r.status for r in report.results] == ["valid"] * 4
            [bucket] = [
                b for b in conn.gateway().rate_limits() if b.operation == "patchListingsItemPreview"
            ]
            assert bucket.rate == pytest.approx(1.0 * 2.0)  # 1/s at the simulator's scale, not 5/s
            # at most a jitter-sized 429 (the spacing is exact, the network is not), retried
            assert slow_sim.state.stats.get("patchListingsItem").throttled <= 1
        finally:
            conn.close()
