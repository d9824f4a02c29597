"""One way to write: a unit of work whose repositories share one connection and one commit.

    with db.transaction() as uow:
        new = uow.orders.merge_page(batch, replace_items=True, now=now, retention_days=30)
        uow.sync_state.set("orders", watermark, {}, now)
        uow.audit.append("sync", "sync", (), {"orders": len(batch)})

Everything inside the block commits together, or (on any exception) not at all. The
transaction takes SQLite's write lock at its first statement (BEGIN IMMEDIATE), so two
writers wait for each other instead of failing. Work that must run after the commit and
outside any transaction (a WAL checkpoint after a wipe) is registered with `after_commit`.
Repositories take and return core dataclasses; services never see SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from kinxpro_desktop.core.models import AuditEntry, Listing, Order, OrderPii, WipeResult
from kinxpro_desktop.core.shipping import ShipmentRecord
from kinxpro_desktop.store.audit import AuditLog
from kinxpro_desktop.store.listings import ListingRepository
from kinxpro_desktop.store.operators import OperatorRepository, OperatorsInTransaction
from kinxpro_desktop.store.orders import OrderRepository
from kinxpro_desktop.store.reports import ReportRepository, ReportsInTransaction
from kinxpro_desktop.store.retention import delete_expired
from kinxpro_desktop.store.settings_repo import SettingsRepository
from kinxpro_desktop.store.shipments import ShipmentRepository
from kinxpro_desktop.store.sync_state import SyncState, SyncStateRepository


class OrdersInTransaction:
    def __init__(self, repo: OrderRepository, conn: Connection) -> None:
        self._repo = repo
        self._conn = conn

    def merge_page(
        self,
        batch: Sequence[Order],
        *,
        replace_items: bool,
        now: datetime,
        retention_days: int,
        pii: Sequence[OrderPii] = (),
    ) -> set[str]:
        """Upsert orders (keeping known address parts) and their buyer data; new ids."""
        return self._repo.merge_page(
            self._conn,
            batch,
            replace_items=replace_items,
            now=now,
            retention_days=retention_days,
            pii=pii,
        )

    def store_page(
        self,
        batch: Sequence[Order],
        pii: Sequence[OrderPii] = (),
        *,
        now: datetime,
        retention_days: int,
    ) -> int:
        return self._repo.store_page(
            batch, pii, now=now, retention_days=retention_days, conn=self._conn
        )


class SyncStateInTransaction:
    def __init__(self, repo: SyncStateRepository, conn: Connection) -> None:
        self._repo = repo
        self._conn = conn

    def get(self, key: str) -> SyncState:
        return self._repo.get(key, self._conn)

    def set(
        self, key: str, watermark: datetime | None, detail: dict[str, Any], now: datetime
    ) -> None:
        self._repo.set(self._conn, key, watermark, detail, now)


class ListingsInTransaction:
    def __init__(self, repo: ListingRepository, conn: Connection) -> None:
        self._repo = repo
        self._conn = conn

    def replace_marketplace(
        self, marketplace_id: str, batch: Sequence[Listing], *, now: datetime
    ) -> int:
        return self._repo.replace_marketplace(marketplace_id, batch, now=now, conn=self._conn)


class SettingsInTransaction:
    def __init__(self, repo: SettingsRepository, conn: Connection) -> None:
        self._repo = repo
        self._conn = conn

    def set(self, key: str, value: object, *, now: datetime | None = None) -> None:
        self._repo.set(key, value, conn=self._conn, now=now)


class ShipmentsInTransaction:
    """Label purchases (store/shipments.py) on the unit of work's connection."""

    def __init__(self, repo: ShipmentRepository, conn: Connection) -> None:
        self._repo = repo
        self._conn = conn

    def add_intent(self, order_id: str, carrier: str, service: str, now: datetime) -> int:
        return self._repo.add_intent(self._conn, order_id, carrier, service, now)

    def set_status(self, row_id: int, status: str) -> None:
        self._repo.set_status(self._conn, row_id, status)

    def record_purchase(self, row_id: int, **fields: Any) -> None:
        self._repo.record_purchase(self._conn, row_id, **fields)

    def save_label(self, row_id: int, order_id: str, **fields: Any) -> None:
        self._repo.save_label(self._conn, row_id, order_id, **fields)

    def known_amazon_ids(self, order_id: str) -> set[str]:
        return self._repo.known_amazon_ids(order_id, self._conn)

    def for_orders(self, order_ids: Sequence[str]) -> dict[str, list[ShipmentRecord]]:
        return self._repo.for_orders(order_ids, self._conn)


class AuditInTransaction:
    def __init__(self, log: AuditLog, conn: Connection) -> None:
        self._log = log
        self._conn = conn

    def append(
        self,
        event: str,
        actor: str = "system",
        object_ids: Iterable[str] = (),
        detail: dict[str, object] | None = None,
        *,
        at: datetime | None = None,
    ) -> AuditEntry:
        return self._log.append(event, actor, object_ids, detail, at=at, conn=self._conn)


class RetentionInTransaction:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def wipe_expired(self, now: datetime, retention_days: int) -> WipeResult:
        """Delete buyer data past the window; the WAL is truncated after the commit."""
        result = delete_expired(self._uow.connection, now, retention_days)
        self._uow.after_commit(self._uow.checkpoint)
        return result


class UnitOfWork:
    def __init__(
        self,
        conn: Connection,
        *,
        orders: OrderRepository,
        listings: ListingRepository,
        sync_state: SyncStateRepository,
        settings: SettingsRepository,
        audit: AuditLog,
        checkpoint: Callable[[], object],
        reports: ReportRepository | None = None,
        shipments: ShipmentRepository | None = None,
        operators: OperatorRepository | None = None,
    ) -> None:
        self.connection = conn
        self.orders = OrdersInTransaction(orders, conn)
        self.listings = ListingsInTransaction(listings, conn)
        self.sync_state = SyncStateInTransaction(sync_state, conn)
        self.settings = SettingsInTransaction(settings, conn)
        self.audit = AuditInTransaction(audit, conn)
        self.retention = RetentionInTransaction(self)
        self.shipments = ShipmentsInTransaction(shipments or ShipmentRepository(conn.engine), conn)
        self.reports = ReportsInTransaction(reports or ReportRepository(conn.engine), conn)
        self.operators = OperatorsInTransaction(operators or OperatorRepository(conn.engine), conn)
        self.checkpoint = checkpoint
        self._after: list[Callable[[], object]] = []

    def after_commit(self, fn: Callable[[], object]) -> None:
        if fn not in self._after:
            self._after.append(fn)

    def run_after_commit(self) -> None:
        for fn in self._after:
            fn()
