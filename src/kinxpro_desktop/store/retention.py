"""The PII wipe and the disposal check. The rule itself lives in core.retention.

The wipe deletes the rows and destroys the day keys of the days wholly past the window (the
day of the cutoff itself keeps its key until the next day: its later orders are still held).
The key destruction is the guarantee: an old copy of the file cannot reveal those days."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, delete, or_, select

from kinxpro_desktop.core.models import DisposalFinding, WipeResult
from kinxpro_desktop.core.retention import cutoff
from kinxpro_desktop.store.engine import begin_write, checkpoint_truncate
from kinxpro_desktop.store.pii_crypto import cipher_for
from kinxpro_desktop.store.schema import label_documents, order_pii, orders
from kinxpro_desktop.store.timefmt import to_db

DAY_KEY_FINDING = "day_key"  # a DisposalFinding whose ids are days (YYYY-MM-DD)


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
    # Destroyed inside the transaction: should the commit fail, those days are past the
    # window anyway and the next wipe deletes their (now unreadable) rows.
    keys = cipher_for(conn.engine).destroy_before(limit[:10])
    return WipeResult(
        at=now,
        cutoff=limit_dt,
        orders_wiped=int(wiped),
        labels_wiped=int(labels),
        day_keys_destroyed=keys,
    )


def day_keys_past_window(engine: Engine, now: datetime, retention_days: int) -> list[str]:
    """Days whose key still exists although the whole day is past the window."""
    first_kept = to_db(cutoff(now, retention_days))[:10]
    return [d for d in cipher_for(engine).keys.days() if d < first_kept]


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


def day_key_findings(engine: Engine, now: datetime, retention_days: int) -> list[DisposalFinding]:
    """A finding (its ids are days) when a day key older than the window still exists."""
    days = day_keys_past_window(engine, now, retention_days)
    return [DisposalFinding(DAY_KEY_FINDING, tuple(days))] if days else []
