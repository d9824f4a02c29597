"""Sync progress per stream ("orders", "listings"): a watermark plus resumable detail.

Writes take the caller's open transaction, so a watermark commits together with the rows it
covers; a crash before the commit leaves both unchanged.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kinxpro_desktop.core.sync import SyncState
from kinxpro_desktop.store.schema import sync_state
from kinxpro_desktop.store.timefmt import opt_from_db, opt_to_db, to_db

__all__ = ["SyncState", "SyncStateRepository"]


class SyncStateRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, key: str, conn: Connection | None = None) -> SyncState:
        """The stored state, or an empty one (no watermark) for a stream never synced."""
        if conn is None:
            with self._engine.connect() as own:
                return self.get(key, own)
        row = conn.execute(select(sync_state).where(sync_state.c.key == key)).first()
        if row is None:
            return SyncState(key)
        try:
            detail = json.loads(row.detail_json or "{}")
        except ValueError:
            detail = {}
        return SyncState(
            key,
            opt_from_db(row.watermark),
            detail if isinstance(detail, dict) else {},
            opt_from_db(row.updated_at),
        )

    @staticmethod
    def set(
        conn: Connection,
        key: str,
        watermark: datetime | None,
        detail: dict[str, Any],
        now: datetime,
    ) -> None:
        """Insert or replace the state of `key` inside `conn`'s transaction."""
        values = {
            "key": key,
            "watermark": opt_to_db(watermark),
            "detail_json": json.dumps(detail, sort_keys=True, separators=(",", ":")),
            "updated_at": to_db(now),
        }
        stmt = sqlite_insert(sync_state).values(**values)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[sync_state.c.key],
                set_={k: stmt.excluded[k] for k in ("watermark", "detail_json", "updated_at")},
            )
        )
