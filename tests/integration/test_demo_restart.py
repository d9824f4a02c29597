"""Demo mode survives its own restart (issue 8 Part 1 #2, second sentence): reopening the demo
finds a store synced against an earlier simulator run; the simulator started again from the
same demo folder is the same world, and its clock is not behind the store's watermark."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.cli import demo_target
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.sandbox.persist import FILE_NAME
from kinxpro_desktop.services.connection import AccountSync
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.vault.secret_store import MemorySecretStore
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)


def sync_once(folder: Path, key: DatabaseKey) -> tuple[set[str], dict[str, str], float]:
    """Start the demo simulator as `kinxpro-desktop --demo` does, sync the demo store in
    `folder` once, stop: (stored order ids, placed time per id, simulated time at the end)."""
    with demo_target(None, folder) as (endpoint, creds):
        db = Database.open(folder / "kinxpro.db", key)
        try:
            account = AccountSync(
                db, MemorySecretStore(), endpoint=endpoint, fixed_credentials=creds
            )
            try:
                account.run(CancelToken(), lambda _u: None)
            finally:
                account.close()
            ids = stored_ids(db)
            placed = {}
            for order_id in sorted(ids)[:50]:
                order = db.orders.get(order_id)
                assert order is not None
                placed[order_id] = order.purchase_date.isoformat()
        finally:
            db.close()
    saved = json.loads((folder / FILE_NAME).read_text())
    return ids, placed, datetime.fromisoformat(saved["reached"]).timestamp()


def stored_ids(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT order_id FROM orders"))}


def test_demo_sync_stop_restart_sync_again(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    key = DatabaseKey(raw=secrets.token_bytes(32), source="test")
    first_ids, first_placed, reached = sync_once(folder, key)
    assert len(first_ids) > 100
    saved = json.loads((folder / FILE_NAME).read_text())
    assert set(saved) == {"version", "seed", "orders", "days", "listings", "origin", "reached"}

    second_ids, second_placed, reached_again = sync_once(folder, key)  # no error
    assert reached_again >= reached  # the clock resumed, it did not go back
    assert first_ids <= second_ids  # the same world: nothing synced before is unknown now
    assert second_placed == first_placed  # same orders, same timestamps
    assert len(second_ids) - len(first_ids) < 20  # only what the world grew meanwhile


def test_the_restarted_simulator_is_the_same_world_with_its_clock_resumed(
    tmp_path: Path,
) -> None:
    with Simulator.in_folder(tmp_path, orders=200, listings=20, time_scale=300.0) as first:
        first.advance(3600)
        now = first.state.now()
        world = {o.order_id: o.created for o in first.state.world.visible(now)}
    with Simulator.in_folder(tmp_path, time_scale=300.0) as second:
        assert second.state.now() >= now
        again = {o.order_id: o.created for o in second.state.world.visible(now)}
        assert second.state.config.orders == 200 and len(second.state.world.listings) == 20
    assert again == world


@pytest.mark.parametrize("content", ["", "{", "[]", '{"version": 1, "seed": "x"}', "\x00\xff"])
def test_a_damaged_state_file_starts_a_new_world(tmp_path: Path, content: str) -> None:
    (tmp_path / FILE_NAME).write_text(content, encoding="latin-1")
    with Simulator.in_folder(tmp_path, orders=20, listings=5) as sim:
        assert sim.state.world.orders
    assert json.loads((tmp_path / FILE_NAME).read_text())["version"] == 1  # replaced
