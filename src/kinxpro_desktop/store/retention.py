"""The PII wipe and the disposal check. The rule itself lives in core.retention."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, delete, or_, select

from kinxpro_desktop.core.models import DisposalFinding, WipeResult
from kinxpro_desktop.core.retention import cutoff
from kinxpro_desktop.store.engine import begin_write, checkpoint_truncate
from kinxpro_desktop.store.schema import label_documents, order_pii, orders
from kinxpro_desktop.store.timefmt import to_db


def wipe_expired(engine: Engine, now: datetime, retention_days: int) -> WipeResult:
    """Delete buyer data and label documents of orders placed at or before the cutoff.

    secure_delete zeroes the freed pages; the WAL is then checkpointed with TRUNCATE so
    the deleted bytes do not linger in the -wal file.
    """
    with begin_write(engine) as conn:
        result = delete_expired(conn, now, retention_days)
    checkpoint_truncate(engine)
    return result


def delete_expired(conn: Connection, now: datetime, retention_days: int) -> WipeResult:
    """The wipe's DELETEs inside `conn`'s transaction (checkpoint after the commit)."""
    limit_dt = cutoff(now, retention_days)
    limit = to_db(limit_dt)
    labels = conn.execute(
        delete(label_documents).where(label_documents.c.placed_at <= limit)
    ).rowcount
    wiped = conn.execute(delete(order_pii).where(order_pii.c.placed_at <= limit)).rowcount
    return WipeResult(at=now, cutoff=limit_dt, orders_wiped=int(wiped), labels_wiped=int(labels))


def find_past_window(engine: Engine, now: datetime, retention_days: int) -> list[DisposalFinding]:
    """Any PII still held past the window, judged by the order's own purchase date too."""
    limit = to_db(cutoff(now, retention_days))
    findings = []
    with engine.connect() as conn:
        for kind, table in (("order_pii", order_pii), ("label_document", label_documents)):
            ids = (
                conn.execute(
                    select(table.c.order_id)
                    .distinct()
                    .select_from(table.outerjoin(orders, orders.c.order_id == table.c.order_id))
                    .where(or_(table.c.placed_at <= limit, orders.c.purchase_date <= limit))
                    .order_by(table.c.order_id)
                )
                .scalars()
                .all()
            )
            if ids:
                findings.append(DisposalFinding(kind, tuple(ids)))
    return findings
