"""Named secrets in the encrypted database (passphrase mode): get, set, delete.

Values are never logged; `delete` overwrites nothing by itself, but the engine runs with
`secure_delete = ON`, so a removed secret's bytes are zeroed in the file.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.store.schema import secrets
from kinxpro_desktop.store.timefmt import to_db


class SecretsRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, name: str) -> str | None:
        with self._engine.connect() as conn:
            value = conn.execute(select(secrets.c.value).where(secrets.c.name == name)).scalar()
        return None if value is None else str(value)

    def set(self, name: str, value: str, *, now: datetime | None = None) -> None:
        stmt = sqlite_insert(secrets).values(
            name=name, value=value, updated_at=to_db(now or utcnow())
        )
        with self._engine.begin() as conn:
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[secrets.c.name],
                    set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
                )
            )

    def delete(self, name: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(secrets).where(secrets.c.name == name))
