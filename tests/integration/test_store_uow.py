"""The unit of work: repositories on one connection, one commit (or none), concurrent
writers that wait for each other, and write errors that carry no statement values."""

from __future__ import annotations

import threading
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.errors import PiiPastRetention, UserError
from kinxpro_desktop.store.database import Database, StoreWriteFailed
from tests.support.seed import make_orders, pii_strings

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path, raw_key: DatabaseKey) -> Database:
    database = Database.open(tmp_path / "kinxpro.db", raw_key)
    yield database  # type: ignore[misc]
    database.close()


def test_everything_in_a_transaction_commits_together(db: Database) -> None:
    seeded = make_orders(NOW, count=10, days=5)
    with db.transaction() as uow:
        new = uow.orders.merge_page(
            seeded.orders, replace_items=True, now=NOW, retention_days=30, pii=seeded.pii
        )
        uow.sync_state.set("orders", NOW, {"phase": "x"}, NOW)
        uow.listings.replace_marketplace("ATVPDKIKX0DER", [], now=NOW)
        uow.settings.set("k", 3, now=NOW)
        uow.audit.append("sync", "sync", (), {"orders": 10})
        assert uow.sync_state.get("orders").watermark == NOW  # reads see the open writes
    assert new == {o.order_id for o in seeded.orders}
    assert db.orders.count() == 10 and db.orders.count_with_pii() == 10
    assert db.sync_state.get("orders").detail == {"phase": "x"}
    assert db.settings.get("k") == 3
    assert db.audit.latest("sync") is not None
    assert db.audit.verify().ok


def test_an_error_inside_rolls_back_every_repository(db: Database) -> None:
    seeded = make_orders(NOW, count=5, days=5)
    entries = db.audit.count()
    with pytest.raises(PiiPastRetention), db.transaction() as uow:
        uow.orders.merge_page(seeded.orders, replace_items=True, now=NOW, retention_days=30)
        uow.sync_state.set("orders", NOW, {}, NOW)
        uow.audit.append("sync", "sync")
        # buyer data of an order placed 40 days before "now": refused, so nothing commits
        uow.orders.store_page([], seeded.pii[:1], now=NOW + timedelta(days=40), retention_days=30)
    assert db.orders.count() == 0
    assert db.sync_state.get("orders").watermark is None
    assert db.audit.count() == entries
    assert db.audit.check_head().ok


def test_merge_page_keeps_known_address_parts_and_reports_new_ids(db: Database) -> None:
    import dataclasses

    first = make_orders(NOW, count=3, days=1).orders
    with db.transaction() as uow:
        uow.orders.merge_page(first, replace_items=True, now=NOW, retention_days=30)
    bare = [
        dataclasses.replace(o, ship_city="", ship_postal_code="", status="Shipped") for o in first
    ]
    with db.transaction() as uow:
        new = uow.orders.merge_page(bare, replace_items=True, now=NOW, retention_days=30)
    assert new == set()
    stored = db.orders.get(first[0].order_id)
    assert stored is not None
    assert (stored.status, stored.ship_city, stored.ship_postal_code) == (
        "Shipped",
        "Springfield",
        "62704",
    )


def test_concurrent_writers_wait_for_each_other(db: Database) -> None:
    """BEGIN IMMEDIATE: two threads appending audit entries and state never hit
    'database is locked' and never fork the chain."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(40):
                with db.transaction() as uow:
                    state = uow.sync_state.get(f"s{n}")
                    count = int(state.detail.get("i", 0))
                    uow.audit.append("sync", "sync", (), {"writer": n, "i": i})
                    uow.sync_state.set(f"s{n}", None, {"i": count + 1}, NOW)
                db.audit.append("reveal", "owner", (f"w{n}-{i}",))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [db.sync_state.get(f"s{n}").detail["i"] for n in range(3)] == [40, 40, 40]
    check = db.audit.verify()
    assert check.ok and check.entries_checked == 240, check.describe()


def test_a_failed_pii_write_carries_no_buyer_data(db: Database) -> None:
    """Issue 9 #2: the statement's bound values (name, e-mail, phone, street) used to be in
    the exception text, so on stderr and, through log.exception, in the log file."""
    seeded = make_orders(NOW, count=3, days=1)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_pii BEFORE INSERT ON order_pii "
                "BEGIN SELECT RAISE(ABORT, 'order_pii refused by test trigger'); END"
            )
        )
    with pytest.raises(UserError) as caught, db.transaction() as uow:
        uow.orders.merge_page(
            seeded.orders, replace_items=True, now=NOW, retention_days=30, pii=seeded.pii
        )
    exc = caught.value
    assert isinstance(exc, StoreWriteFailed)
    assert "refused by test trigger" in exc.message
    shown = "".join(traceback.format_exception(exc))
    for p in seeded.pii:
        for value in pii_strings(p):
            assert value not in shown
    assert db.orders.count() == 0  # the orders of the page rolled back with it


def test_the_engine_hides_parameters_even_outside_a_unit_of_work(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as caught, db.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO settings VALUES (:k, :v, 'x'), (:k, :v, 'x')"),
            {"k": "Qzvpiimark Buyer", "v": "Qzvpiimark Street"},
        )
    assert "Qzvpiimark" not in str(caught.value)
    assert "hidden" in str(caught.value)
