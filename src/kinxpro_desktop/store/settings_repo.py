"""Preferences kept in the encrypted database (never in QSettings)."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.store.schema import settings
from kinxpro_desktop.store.timefmt import to_db

log = logging.getLogger(__name__)


class SettingsRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, key: str, default: object = None) -> object:
        """The stored value, or `default` when unset; a value that is not JSON (damaged or
        edited outside Kinxpro) counts as unset, with a warning."""
        with self._engine.connect() as conn:
            raw = conn.execute(select(settings.c.value_json).where(settings.c.key == key)).scalar()
        if raw is None:
            return default
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            log.warning("the stored setting %r is not valid JSON; using its default", key)
            return default

    def set(
        self, key: str, value: object, *, conn: Connection, now: datetime | None = None
    ) -> None:
        stmt = sqlite_insert(settings).values(
            key=key, value_json=json.dumps(value), updated_at=to_db(now or utcnow())
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[settings.c.key],
                set_={
                    "value_json": stmt.excluded.value_json,
                    "updated_at": stmt.excluded.updated_at,
                },
            )
        )
