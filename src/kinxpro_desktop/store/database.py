"""Open the encrypted store: check the file (and a left-over log), unlock, migrate (after a
copy aside), check the audit chain's head before anything is appended; `transaction()` is
the one way to write."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from kinxpro_desktop.core.day_keys import DayKeyStore
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.errors import DatabaseDamaged, MigrationFailed, UserError
from kinxpro_desktop.core.models import ChainCheck, IntegrityReport
from kinxpro_desktop.core.operators import OWNER_ACCESS, Access
from kinxpro_desktop.resources import migrations_dir
from kinxpro_desktop.store.audit import AnchorStore, AuditLog
from kinxpro_desktop.store.engine import (
    begin_write,
    checkpoint_truncate,
    cipher_info,
    make_engine,
)
from kinxpro_desktop.store.integrity import check_integrity
from kinxpro_desktop.store.listings import ListingRepository
from kinxpro_desktop.store.operators import OperatorRepository
from kinxpro_desktop.store.orders import OrderRepository
from kinxpro_desktop.store.reports import ReportRepository
from kinxpro_desktop.store.settings_repo import SettingsRepository
from kinxpro_desktop.store.shipments import ShipmentRepository
from kinxpro_desktop.store.shredding import install as install_shredding
from kinxpro_desktop.store.sync_state import SyncStateRepository
from kinxpro_desktop.store.uow import UnitOfWork

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)


class StoreWriteFailed(UserError):
    title = "Database write failed"


def write_error(exc: DBAPIError) -> UserError:
    """A clean error for a failed write: SQLite's own message (names, never values; the
    engine hides bound parameters), and what to do."""
    reason = str(exc.orig).splitlines()[0][:200] if exc.orig is not None else type(exc).__name__
    if "malformed" in reason or "not a database" in reason:
        return DatabaseDamaged(
            f"The database file is damaged ({reason}); nothing of this step was saved. "
            "Run `kinxpro-desktop verify` to see where, and restore the file from a backup."
        )
    return StoreWriteFailed(
        f"Saving to the database failed ({reason}); nothing of this step was saved and "
        "Kinxpro will try again. If this keeps happening, run `kinxpro-desktop verify`."
    )


def _alembic_config(scripts: Path | None = None) -> Config:
    # Alembic is imported only when a store is opened: `--version` and the like never pay.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(scripts or migrations_dir()))
    return cfg


def pending_migration(engine: Engine, scripts: Path | None = None) -> tuple[str | None, str | None]:
    """(current revision, head revision)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

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
    from alembic import command
    from alembic.script import ScriptDirectory

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
    listings: ListingRepository = field(init=False)
    sync_state: SyncStateRepository = field(init=False)
    shipments: ShipmentRepository = field(init=False)
    reports: ReportRepository = field(init=False)
    operators: OperatorRepository = field(init=False)
    #: who is signed in (owner when no operator profiles are defined)
    access: Access = field(init=False)
    #: the audit head as found at open, before anything was appended (ok, or the finding)
    chain_at_open: ChainCheck = field(init=False)

    def __post_init__(self) -> None:
        self.listings = ListingRepository(self.engine)
        self.sync_state = SyncStateRepository(self.engine)
        self.shipments = ShipmentRepository(self.engine)
        self.reports = ReportRepository(self.engine)
        self.operators = OperatorRepository(self.engine)
        self.access = OWNER_ACCESS
        self.chain_at_open = ChainCheck(True, 0)

    @classmethod
    def open(
        cls, path: Path, key: DatabaseKey | None, day_keys: DayKeyStore | None = None
    ) -> Database:
        """`key=None` opens a plain SQLite file: a test-only switch, never used by the app.
        `day_keys`: where buyer data's day keys live (the keyring); None: the key file beside
        the database (passphrase mode)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(path, key)
        try:
            migrate(engine, path)
            install_shredding(engine, path, key, day_keys)
            db = cls(
                path=path,
                engine=engine,
                key_source=key.source if key else "none (unencrypted test store)",
                orders=OrderRepository(engine),
                settings=SettingsRepository(engine),
                audit=AuditLog(engine),
            )
            db._check_audit_head()
        except Exception:
            engine.dispose()
            raise
        return db

    def _check_audit_head(self) -> None:
        """Before the first append (unlock, wipe): a head that does not match the log is a
        finding that is sealed into the log, never silently written over."""
        check = self.audit.check_head()
        self.chain_at_open = check
        if not check.ok:
            log.warning("audit log altered outside Kinxpro: %s", check.describe())
            self.audit.seal(check)

    def bind_access(self, access: Access) -> None:
        """Bind the signed-in operator (services.operators.sign_in) to this store: services
        over it check `self.access`, and every audit entry from now on names the operator."""
        self.access = access
        self.audit.stamp = access.stamp if access.operator else None

    def anchor_audit(self, store: AnchorStore) -> None:
        """Keep a copy of the audit head in `store` (the keyring) and compare it at verify."""
        self.audit.anchor_to(store)

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """One unit of work: every repository on one connection, one commit. A database
        error becomes a UserError whose text carries no statement and no values."""
        try:
            with begin_write(self.engine) as conn:
                uow = UnitOfWork(
                    conn,
                    orders=self.orders,
                    listings=self.listings,
                    sync_state=self.sync_state,
                    settings=self.settings,
                    audit=self.audit,
                    checkpoint=self.checkpoint,
                    reports=self.reports,
                    shipments=self.shipments,
                    operators=self.operators,
                )
                yield uow
        except DBAPIError as exc:
            raise write_error(exc) from None
        uow.run_after_commit()

    def checkpoint(self) -> None:
        """Fold the WAL into the file and truncate it (after a wipe: no deleted bytes linger)."""
        checkpoint_truncate(self.engine)

    def integrity(self, *, full: bool) -> IntegrityReport:
        """Page HMACs (`full=False`: timer, sync), plus integrity_check (`full`: verify)."""
        return check_integrity(self.engine, full=full)

    def require_intact(self) -> None:
        """Refuse to write into a damaged file (quick check)."""
        report = self.integrity(full=False)
        if not report.ok:
            raise DatabaseDamaged(
                f"{report.describe()} Kinxpro will not write to a damaged database. Restore "
                f"{self.path.name} from a backup (run `kinxpro-desktop verify` for details)."
            )

    def cipher(self) -> tuple[str, str]:
        return cipher_info(self.engine)

    def close(self) -> None:
        self.audit.save_anchor()
        checkpoint_truncate(self.engine)
        self.engine.dispose()
