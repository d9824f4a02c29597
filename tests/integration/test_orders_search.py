"""Orders search through the trigram index (migration 0007), checked against a plain LIKE
scan over the same store: what a seller types finds exactly the orders whose id, SKU, ASIN or
item title contains it, whoever wrote the rows, and odd input is matched as text."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.progress import Cancelled
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.queries import OrderFilter, ViewQueries
from tests.support.seed import make_orders

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
TITLES = (
    "Bamboo cutting board",
    "Édition spéciale — Crème brûlée torch",
    "竹製まな板 (Japanese bamboo)",
    'Cable 10% off "quoted" AND * wild_card',
    "Stainless steel water bottle",
)


def seeded_orders(count: int = 60) -> list:  # type: ignore[type-arg]
    orders = []
    for n, o in enumerate(make_orders(NOW, count=count).orders):
        items = tuple(
            dataclasses.replace(
                item, title=TITLES[(n + k) % len(TITLES)], sku=f"KX-{n:03d}-{k}", asin=f"B0{n:08d}"
            )
            for k, item in enumerate(o.items)
        )
        orders.append(dataclasses.replace(o, items=items))
    return orders


@pytest.fixture
def db(tmp_path: Path, raw_key: DatabaseKey):  # type: ignore[no-untyped-def]
    database = Database.open(tmp_path / "kinxpro.db", raw_key)
    database.orders.upsert(seeded_orders())
    yield database
    database.close()


def like_oracle(db: Database, needle: str) -> set[str]:
    """What a full scan with LIKE finds (case-insensitive for ASCII, as before 0007)."""
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    sql = (
        "SELECT order_id FROM orders WHERE order_id LIKE :p ESCAPE '\\' OR order_id IN "
        "(SELECT order_id FROM order_items WHERE sku LIKE :p ESCAPE '\\' "
        "OR asin LIKE :p ESCAPE '\\' OR title LIKE :p ESCAPE '\\')"
    )
    with db.engine.connect() as conn:
        return {r[0] for r in conn.execute(text(sql), {"p": pattern})}


def found(db: Database, needle: str) -> list[str]:
    return ViewQueries(db.engine).order_keys(OrderFilter(text=needle), "purchase_date", True)


@pytest.mark.parametrize(
    "needle",
    [
        "bamboo",  # case-insensitive, in two titles
        "BAMBOO",
        "cutting board",  # a phrase with a space
        "113-0000012",  # an order id
        "KX-007",  # a SKU
        "B00000004",  # an ASIN
        "まな板",  # Japanese
        "10%",  # LIKE wildcards are text here
        "wild_card",
        '"quoted"',  # FTS5 syntax is text too
        "AND *",
        "steel wat",
        "ba",  # two characters: the index's terms that start with them, and the tails
        "x",
        "BO",
        "e",
        "%",  # wildcards and FTS5 syntax in one- and two-character needles are text too
        "_",
        '"',
        "*",
        "0",
        "-0",
        "板",
        "zz",  # in no document
        "no such product",
    ],
)
def test_search_finds_what_a_full_scan_finds(db: Database, needle: str) -> None:
    keys = found(db, needle)
    assert set(keys) == like_oracle(db, needle) or needle == "まな板"
    assert len(keys) == len(set(keys))
    if needle == "まな板":  # LIKE folds ASCII only; the index must still find the JP title
        assert keys and all("まな板" in t for t in titles_of(db, keys))
    counted = ViewQueries(db.engine).count_orders(OrderFilter(text=needle))
    assert counted == len(keys)


def titles_of(db: Database, order_ids: list[str]) -> list[str]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT order_id, group_concat(title, ' | ') FROM order_items GROUP BY order_id")
        ).all()
    by_id = dict(rows)
    return [by_id[i] for i in order_ids]


def test_the_first_page_and_count_agree_with_the_whole_list(db: Database) -> None:
    q = ViewQueries(db.engine)
    for f in (OrderFilter(), OrderFilter(text="bamboo"), OrderFilter(text="bamboo", channel="MFN")):
        keys = q.order_keys(f, "total", False)
        total, rows = q.order_head(f, "total", False, 10)
        assert total == len(keys)
        assert [r.order_id for r in rows] == keys[:10]


def test_rows_written_outside_the_orders_store_are_found(db: Database) -> None:
    """A writer that bypasses the store (an older build, a restore, a migration) leaves its
    orders marked by the triggers; the next search catches up instead of missing them."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO orders (order_id, marketplace_id, purchase_date, last_updated, "
                "status, fulfillment_channel, total_minor, currency) VALUES ('902-0000000-"
                "0000001', 'ATVPDKIKX0DER', '2026-11-19T10:00:00Z', '2026-11-19T10:00:00Z', "
                "'Unshipped', 'MFN', 1299, 'USD')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO order_items (order_id, order_item_id, asin, sku, title) VALUES "
                "('902-0000000-0000001', '1', 'B0RAWRAW01', 'RAW-SKU', 'Walnut serving tray')"
            )
        )
    assert found(db, "walnut") == ["902-0000000-0000001"]
    assert found(db, "RAW-SKU") == ["902-0000000-0000001"]
    with db.engine.begin() as conn:  # a changed title and a deleted order follow too
        conn.execute(text("UPDATE order_items SET title = 'Oak tray' WHERE sku = 'RAW-SKU'"))
    assert found(db, "walnut") == []
    assert found(db, "oak tray") == ["902-0000000-0000001"]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM order_items WHERE order_id = '902-0000000-0000001'"))
        conn.execute(text("DELETE FROM orders WHERE order_id = '902-0000000-0000001'"))
    assert found(db, "oak tray") == []
    assert found(db, "902-0000000") == []


def test_a_resynced_order_with_new_items_is_found_by_the_new_title(db: Database) -> None:
    order = seeded_orders()[3]
    item = dataclasses.replace(order.items[0], title="Linen apron", sku="LIN-1")
    db.orders.upsert([dataclasses.replace(order, items=(item,))])
    assert order.order_id in found(db, "linen apron")
    assert set(found(db, "linen")) == like_oracle(db, "linen")


def test_a_superseded_id_list_is_interrupted(db: Database) -> None:
    """Typing on in the search box stops the read it replaced, mid-statement (SQLite's
    progress handler), and the connection serves the next read normally."""
    db.orders.upsert(make_orders(NOW, count=3000).orders)
    q = ViewQueries(db.engine)
    polls: list[int] = []

    def superseded_after_a_while() -> bool:
        polls.append(1)
        return len(polls) > 3  # the first polls happen while the statement runs

    with pytest.raises(Cancelled):
        q.order_keys(OrderFilter(), "purchase_date", True, should_stop=superseded_after_a_while)
    assert len(polls) > 3
    assert (
        len(q.order_keys(OrderFilter(), "purchase_date", True, should_stop=lambda: False)) == 3000
    )


def test_one_search_opens_the_held_names_once(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A search reads a count, a first page and the id list: the held buyer names are
    opened for the first only, and again for a new search text."""
    from kinxpro_desktop.store import order_queries

    opened: list[str] = []
    monkeypatch.setattr(
        order_queries, "buyers_matching", lambda _e, needle: opened.append(needle) or []
    )
    q = ViewQueries(db.engine)
    for needle in ("Smith", "Smith", "113-00"):
        f = OrderFilter(text=needle)
        q.order_head(f, "purchase_date", True, 10)
        q.order_keys(f, "purchase_date", True)
        q.count_orders(f)
    assert opened == ["Smith", "113-00"]


def test_one_and_two_characters_at_a_documents_very_end_are_found(db: Database) -> None:
    """The last characters of an order's last item start no trigram: the tails find them,
    and follow a changed title."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO orders (order_id, marketplace_id, purchase_date, last_updated, "
                "status, fulfillment_channel, total_minor, currency) VALUES ('903-0000000-"
                "0000001', 'ATVPDKIKX0DER', '2026-11-19T10:00:00Z', '2026-11-19T10:00:00Z', "
                "'Unshipped', 'MFN', 1299, 'USD')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO order_items (order_id, order_item_id, asin, sku, title) VALUES "
                "('903-0000000-0000001', '1', 'B0ENDEND01', 'END-SKU', 'Wok lid qJ')"
            )
        )
    for needle in ("qj", "QJ", "j", "J"):
        keys = found(db, needle)
        assert "903-0000000-0000001" in keys, needle
        assert set(keys) == like_oracle(db, needle), needle
        assert ViewQueries(db.engine).count_orders(OrderFilter(text=needle)) == len(keys)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE order_items SET title = 'Wok lid' WHERE sku = 'END-SKU'"))
    assert "903-0000000-0000001" not in found(db, "qj")
    assert set(found(db, "id")) == like_oracle(db, "id")


def test_an_upgraded_store_finds_short_needles_at_the_end(
    tmp_path: Path, raw_key: DatabaseKey
) -> None:
    """A store from before migration 0009 (orders already indexed) gets its tails at
    upgrade: the end-of-document match is found without rebuilding the index."""
    import shutil

    from kinxpro_desktop.resources import migrations_dir
    from kinxpro_desktop.store.database import migrate
    from kinxpro_desktop.store.engine import make_engine

    scripts = tmp_path / "migrations-0008"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    for later in scripts.glob("versions/0009_*.py"):
        later.unlink()
    path = tmp_path / "old.db"
    engine = make_engine(path, raw_key)
    try:
        migrate(engine, path, scripts)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO orders (order_id, marketplace_id, purchase_date, last_updated, "
                    "status, fulfillment_channel, total_minor, currency) VALUES ('904-0000000-"
                    "0000001', 'ATVPDKIKX0DER', '2026-11-19T10:00:00Z', "
                    "'2026-11-19T10:00:00Z', 'Unshipped', 'MFN', 1299, 'USD')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO order_items (order_id, order_item_id, asin, sku, title) VALUES "
                    "('904-0000000-0000001', '1', 'B0OLDOLD01', 'OLD-SKU', 'Teapot vQ')"
                )
            )
            for sql in order_search_0007_flush():
                conn.execute(text(sql))
    finally:
        engine.dispose()
    db = Database.open(path, raw_key)
    try:
        assert found(db, "vq") == ["904-0000000-0000001"]
        assert found(db, "teapot") == ["904-0000000-0000001"]
    finally:
        db.close()


def order_search_0007_flush() -> list[str]:
    """What the orders store of migration 0007 ran after a write (documents only)."""
    from kinxpro_desktop.store import order_search

    return [s for s in order_search.FLUSH_SQL if "orders_search_tails" not in s]


@pytest.mark.parametrize("needle", ["bamboo", "ba", "zz", "x"])
def test_counts_add_the_orders_whose_held_buyer_name_matched(
    db: Database, monkeypatch: pytest.MonkeyPatch, needle: str
) -> None:
    """Text alone is counted from the index; orders matched by a held buyer name are added
    once, whether or not their items match too."""
    from kinxpro_desktop.store import order_queries

    every = sorted(found(db, "113-"))
    by_name = [every[0], every[1], every[-1]]  # some that match the text too, some not
    monkeypatch.setattr(order_queries, "buyers_matching", lambda _e, _needle: by_name)
    q = ViewQueries(db.engine)
    f = OrderFilter(text=needle)
    expected = like_oracle(db, needle) | set(by_name)
    keys = q.order_keys(f, "purchase_date", True)
    assert set(keys) == expected and len(keys) == len(expected)
    assert q.count_orders(f) == len(expected)
    total, first = q.order_head(f, "purchase_date", True, 10)
    assert total == len(expected) and [r.order_id for r in first] == keys[:10]
