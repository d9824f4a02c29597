"""Open the encrypted store: check the file, unlock, migrate (after a copy aside)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.errors import MigrationFailed
from kinxpro_desktop.resources import migrations_dir
from kinxpro_desktop.store.audit import AuditLog
from kinxpro_desktop.store.engine import checkpoint_truncate, cipher_info, make_engine
from kinxpro_desktop.store.orders import OrderRepository
from kinxpro_desktop.store.settings_repo import SettingsRepository


def _alembic_config(scripts: Path | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(scripts or migrations_dir()))
    return cfg


def pending_migration(engine: Engine, scripts: Path | None = None) -> tuple[str | None, str | None]:
    """(current revision, head revision)."""
    head = ScriptDirectory.from_config(_alembic_config(scripts)).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head


def migrate(engine: Engine, path: Path, scripts: Path | None = None) -> bool:
    """Bring the schema to head. An existing file is copied aside first and restored on failure.

    The copy is removed after success: it may hold buyer data that a later wipe removes.
    """
    current, head = pending_migration(engine, scripts)
    if current == head:
        return False
    known = {
        r.revision for r in ScriptDirectory.from_config(_alembic_config(scripts)).walk_revisions()
    }
    if current is not None and current not in known:
        raise MigrationFailed(
            f"This database has schema version {current}, made by a newer Kinxpro Desktop "
            "than this one. Install the newer version; nothing was changed."
        )
    backup: Path | None = None
    if current is not None:
        checkpoint_truncate(engine)
        backup = path.with_name(path.name + f".before-{head}")
        shutil.copy2(path, backup)
    cfg = _alembic_config(scripts)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception as exc:
        if backup is not None:
            engine.dispose()
            os.replace(backup, path)
        raise MigrationFailed(
            f"Upgrading the database schema from {current} to {head} failed "
            f"({type(exc).__name__}); the previous file was restored unchanged. "
            "Send the log file to support."
        ) from exc
    if backup is not None:
        backup.unlink()
    return True


@dataclass
class Database:
    path: Path
    engine: Engine
    key_source: str
    orders: OrderRepository
    settings: SettingsRepository
    audit: AuditLog

    @classmethod
    def open(cls, path: Path, key: DatabaseKey | None) -> Database:
        """`key=None` opens a plain SQLite file: a test-only switch, never used by the app."""
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(path, key)
        try:
            migrate(engine, path)
        except Exception:
            engine.dispose()
            raise
        return cls(
            path=path,
            engine=engine,
            key_source=key.source if key else "none (unencrypted test store)",
            orders=OrderRepository(engine),
            settings=SettingsRepository(engine),
            audit=AuditLog(engine),
        )

    def cipher(self) -> tuple[str, str]:
        return cipher_info(self.engine)

    def close(self) -> None:
        checkpoint_truncate(self.engine)
        self.engine.dispose()
