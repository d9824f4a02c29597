"""Retention over 60 days of orders with recognisable buyer data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.errors import PiiPastRetention
from kinxpro_desktop.core.models import OrderPii
from kinxpro_desktop.core.retention import is_past_window
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.retention import find_past_window, wipe_expired
from tests.support.seed import Seeded, make_orders, store_seeded

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def seeded_db(tmp_path: Path, raw_key: DatabaseKey) -> tuple[Database, Seeded]:
    db = Database.open(tmp_path / "kinxpro.db", raw_key)
    seeded = make_orders(NOW, count=120, days=60)
    store_seeded(db, seeded)
    yield db, seeded  # type: ignore[misc]
    db.close()


@pytest.mark.parametrize("days", [30, 7, 1])
def test_wipe_removes_exactly_the_orders_past_the_window(
    seeded_db: tuple[Database, Seeded], days: int
) -> None:
    db, seeded = seeded_db
    expired = {o.order_id for o in seeded.orders if is_past_window(o.purchase_date, NOW, days)}
    kept = {o.order_id for o in seeded.orders} - expired
    # Each order's PII was saved while it was fresh; the app then did not run for 60 days.
    assert db.orders.count_with_pii() == len(seeded.orders)

    result = wipe_expired(db.engine, NOW, days)

    assert result.orders_wiped == len(expired)
    assert 0 < len(expired) < len(seeded.orders)
    for oid in expired:
        assert db.orders.get_pii(oid) is None
    for oid in kept:
        assert db.orders.get_pii(oid) == next(p for p in seeded.pii if p.order_id == oid)
    # Orders and items themselves stay: sales history is not PII.
    assert db.orders.count() == len(seeded.orders)
    assert find_past_window(db.engine, NOW, days) == []


def test_a_second_wipe_finds_nothing(seeded_db: tuple[Database, Seeded]) -> None:
    db, _ = seeded_db
    wipe_expired(db.engine, NOW, 10)
    assert wipe_expired(db.engine, NOW, 10).orders_wiped == 0


def test_pii_for_an_order_past_the_window_is_refused(seeded_db: tuple[Database, Seeded]) -> None:
    db, seeded = seeded_db
    wipe_expired(db.engine, NOW, 30)
    old = next(o for o in seeded.orders if is_past_window(o.purchase_date, NOW, 30))
    fresh = next(o for o in seeded.orders if not is_past_window(o.purchase_date, NOW, 30))
    with pytest.raises(PiiPastRetention) as err:
        db.orders.save_pii(
            [
                OrderPii(fresh.order_id, buyer_name="A Buyer"),
                OrderPii(old.order_id, buyer_name="B"),
            ],
            now=NOW,
            retention_days=30,
        )
    assert old.order_id in err.value.message
    assert "A Buyer" not in err.value.message
    assert db.orders.get_pii(old.order_id) is None
    # Nothing from the refused batch was saved, the earlier PII is unchanged.
    assert db.orders.get_pii(fresh.order_id) != OrderPii(fresh.order_id, buyer_name="A Buyer")


def test_pii_for_an_unknown_order_is_refused(seeded_db: tuple[Database, Seeded]) -> None:
    db, _ = seeded_db
    with pytest.raises(PiiPastRetention, match="not in the store"):
        db.orders.save_pii([OrderPii("999-nope")], now=NOW, retention_days=30)


def test_verify_names_pii_that_escaped_the_wipe(seeded_db: tuple[Database, Seeded]) -> None:
    db, seeded = seeded_db
    wipe_expired(db.engine, NOW, 30)
    assert PrivacyService(db, clock=lambda: NOW).verify("test").ok
    old = next(o for o in seeded.orders if is_past_window(o.purchase_date, NOW, 30))
    # Simulate a bug that stored PII with a wrong placed_at: verify judges by the order too.
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO order_pii (order_id, placed_at, buyer_name, fetched_at) "
                "VALUES (:o, '2999-01-01T00:00:00.000000Z', 'X', '2999-01-01T00:00:00.000000Z')"
            ),
            {"o": old.order_id},
        )
    report = PrivacyService(db, clock=lambda: NOW).verify("test")
    assert not report.ok
    assert old.order_id in report.lines()[0]
    assert db.audit.latest("verify") is not None
    assert db.audit.latest("verify").detail["ok"] is False  # type: ignore[union-attr]


def test_shortening_retention_wipes_and_is_audited(seeded_db: tuple[Database, Seeded]) -> None:
    db, seeded = seeded_db
    service = PrivacyService(db, clock=lambda: NOW)
    result = service.set_retention(5, "owner")
    expected = {o.order_id for o in seeded.orders if is_past_window(o.purchase_date, NOW, 5)}
    assert result.orders_wiped == len(expected)
    assert service.retention_days() == 5
    changed = db.audit.latest("settings_changed")
    assert changed is not None and changed.detail == {"key": "retention_days", "old": 30, "new": 5}
    wipe = db.audit.latest("wipe")
    assert wipe is not None and wipe.detail["orders"] == len(expected)


@pytest.mark.parametrize("bad", [0, 31, "text", "", -1])
def test_bad_retention_changes_nothing(seeded_db: tuple[Database, Seeded], bad: object) -> None:
    db, _ = seeded_db
    service = PrivacyService(db, clock=lambda: NOW)
    before_pii = db.orders.count_with_pii()
    before_audit = db.audit.count()
    with pytest.raises(Exception) as err:
        service.set_retention(bad, "owner")
    assert "Retention" in str(err.value)
    assert service.retention_days() == 30
    assert db.orders.count_with_pii() == before_pii
    assert db.audit.count() == before_audit


def test_label_documents_are_wiped_with_the_order(seeded_db: tuple[Database, Seeded]) -> None:
    db, seeded = seeded_db
    recent = [o for o in seeded.orders if not is_past_window(o.purchase_date, NOW, 30)]
    with db.engine.begin() as conn:
        for o in (recent[0], recent[-1]):
            conn.execute(
                text(
                    "INSERT INTO label_documents (order_id, placed_at, format, content, created_at)"
                    " VALUES (:o, :p, 'PDF', :c, :p)"
                ),
                {
                    "o": o.order_id,
                    "p": o.purchase_date.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "c": b"%PDF label",
                },
            )
    days = max(1, (NOW - recent[-1].purchase_date).days)
    result = wipe_expired(db.engine, NOW + timedelta(days=30 - days), 30)
    assert result.labels_wiped >= 1
    with db.engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT order_id FROM label_documents").scalars().all()
    assert recent[-1].order_id not in left


@pytest.mark.parametrize("stored", ["{not json", "", "40", '"7 days"', "null"])
def test_a_damaged_retention_setting_counts_as_the_default_with_a_warning(
    seeded_db: tuple[Database, Seeded], stored: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 9 #10: a stored value that is not JSON made the app unable to start."""
    db, seeded = seeded_db
    with db.engine.begin() as conn:
        conn.execute(
            text("INSERT OR REPLACE INTO settings VALUES ('retention_days', :v, 'x')"),
            {"v": stored},
        )
    privacy = PrivacyService(db, clock=lambda: NOW)
    with caplog.at_level("WARNING"):
        assert privacy.retention_days() == 30
        result = privacy.wipe("system")
    assert "retention" in caplog.text or "not valid JSON" in caplog.text
    expected = sum(is_past_window(o.purchase_date, NOW, 30) for o in seeded.orders)
    assert result.orders_wiped == expected
