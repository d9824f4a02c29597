"""Shipments (label purchases, one row per attempt) and their label documents.

A row is inserted with status ``Pending`` before createShipment is sent, in its own commit;
the purchase then fills it in. Label bytes live in ``label_documents`` with the order's
``placed_at``, so the retention wipe deletes them with the order's buyer data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, update

from kinxpro_desktop.core.models import Money
from kinxpro_desktop.core.shipping import QueueEntry, ShipmentRecord, shipment_status
from kinxpro_desktop.core.vocabulary import AWAITING_SHIPMENT, Channel
from kinxpro_desktop.store.pii_crypto import cipher_for
from kinxpro_desktop.store.schema import label_documents, order_items, orders, shipments
from kinxpro_desktop.store.timefmt import from_db, opt_from_db, to_db

_LABEL = "label"


def _record(row: object, has_label: bool, label_format: str) -> ShipmentRecord:
    r = row  # a Row with the shipments columns
    cost = (
        Money.from_minor(r.cost_minor, r.currency)  # type: ignore[attr-defined]
        if r.cost_minor is not None and r.currency  # type: ignore[attr-defined]
        else None
    )
    return ShipmentRecord(
        row_id=r.id,  # type: ignore[attr-defined]
        order_id=r.order_id,  # type: ignore[attr-defined]
        amazon_shipment_id=r.amazon_shipment_id,  # type: ignore[attr-defined]
        carrier=r.carrier,  # type: ignore[attr-defined]
        service=r.service,  # type: ignore[attr-defined]
        tracking_id=r.tracking_id,  # type: ignore[attr-defined]
        status=shipment_status(r.status),  # type: ignore[attr-defined]
        cost=cost,
        created_at=from_db(r.created_at),  # type: ignore[attr-defined]
        has_label=has_label,
        label_format=label_format,
    )


class ShipmentRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- reads ----------------------------------------------------------------------------
    def for_orders(
        self, order_ids: Sequence[str], conn: Connection | None = None
    ) -> dict[str, list[ShipmentRecord]]:
        """Every shipment of each order, newest first."""
        out: dict[str, list[ShipmentRecord]] = {o: [] for o in order_ids}
        if not order_ids:
            return out
        if conn is None:
            with self._engine.connect() as own:
                return self.for_orders(order_ids, own)
        docs = (
            select(
                label_documents.c.shipment_id,
                func.max(label_documents.c.format).label("format"),
            )
            .where(label_documents.c.kind == _LABEL)
            .group_by(label_documents.c.shipment_id)
            .subquery()
        )
        for start in range(0, len(order_ids), 500):
            chunk = list(order_ids[start : start + 500])
            rows = conn.execute(
                select(shipments, docs.c.format)
                .select_from(shipments.outerjoin(docs, docs.c.shipment_id == shipments.c.id))
                .where(shipments.c.order_id.in_(chunk))
                .order_by(shipments.c.id.desc())
            ).all()
            for row in rows:
                out[row.order_id].append(_record(row, row.format is not None, row.format or ""))
        return out

    def get(self, row_id: int) -> ShipmentRecord | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(shipments).where(shipments.c.id == row_id)).first()
            if row is None:
                return None
            fmt = conn.execute(
                select(label_documents.c.format).where(
                    label_documents.c.shipment_id == row_id, label_documents.c.kind == _LABEL
                )
            ).scalar()
        return _record(row, fmt is not None, fmt or "")

    def label(self, row_id: int) -> tuple[str, bytes] | None:
        """(format, bytes) of a shipment's label, or None (never bought, or wiped)."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(
                    label_documents.c.format,
                    label_documents.c.content,
                    label_documents.c.order_id,
                    label_documents.c.placed_at,
                ).where(label_documents.c.shipment_id == row_id, label_documents.c.kind == _LABEL)
            ).first()
        if row is None:
            return None
        content = cipher_for(self._engine).open_blob(
            row.order_id, row.placed_at, bytes(row.content)
        )
        return None if content is None else (row.format, content)

    def known_amazon_ids(self, order_id: str, conn: Connection | None = None) -> set[str]:
        if conn is None:
            with self._engine.connect() as own:
                return self.known_amazon_ids(order_id, own)
        ids = conn.execute(
            select(shipments.c.amazon_shipment_id).where(
                shipments.c.order_id == order_id, shipments.c.amazon_shipment_id.is_not(None)
            )
        ).scalars()
        return {str(i) for i in ids}

    def queue(
        self,
        now: datetime,
        order_ids: Sequence[str] | None = None,
        *,
        include_labelled_since: datetime | None = None,
    ) -> list[QueueEntry]:
        """Merchant-fulfilled orders awaiting shipment (or exactly `order_ids`), ship-by
        first; plus orders with a shipment created since `include_labelled_since`."""
        where = [orders.c.fulfillment_channel == Channel.MFN]
        if order_ids is not None:
            where.append(orders.c.order_id.in_(list(order_ids)))
        else:
            awaiting = orders.c.status.in_(sorted(AWAITING_SHIPMENT))
            if include_labelled_since is not None:
                recent = select(shipments.c.order_id).where(
                    shipments.c.created_at >= to_db(include_labelled_since)
                )
                where.append(or_(awaiting, orders.c.order_id.in_(recent)))
            else:
                where.append(awaiting)
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(orders)
                .where(and_(*where))
                .order_by(orders.c.ship_by.is_(None), orders.c.ship_by, orders.c.purchase_date)
            ).all()
            ids = [r.order_id for r in rows]
            items: dict[str, list[tuple[str, int]]] = {i: [] for i in ids}
            for start in range(0, len(ids), 500):
                for it in conn.execute(
                    select(
                        order_items.c.order_id, order_items.c.sku, order_items.c.quantity_ordered
                    )
                    .where(order_items.c.order_id.in_(ids[start : start + 500]))
                    .order_by(order_items.c.order_id, order_items.c.order_item_id)
                ):
                    items[it.order_id].append((it.sku, int(it.quantity_ordered)))
            latest = self.for_orders(ids, conn)
        today = now.date()
        out = []
        for r in rows:
            ship_by = opt_from_db(r.ship_by)
            place = ", ".join(p for p in (r.ship_city, r.ship_state, r.ship_country) if p)
            history = latest.get(r.order_id) or []
            out.append(
                QueueEntry(
                    order_id=r.order_id,
                    marketplace_id=r.marketplace_id,
                    purchase_date=from_db(r.purchase_date),
                    status=r.status,
                    ship_by=ship_by,
                    deliver_by=opt_from_db(r.deliver_by),
                    items=tuple(items.get(r.order_id, ())),
                    ship_to=place,
                    late=ship_by is not None and ship_by < now,
                    due_today=ship_by is not None and ship_by >= now and ship_by.date() == today,
                    shipment=history[0] if history else None,
                )
            )
        return out

    # -- writes (inside a unit of work) ---------------------------------------------------
    @staticmethod
    def add_intent(
        conn: Connection, order_id: str, carrier: str, service: str, now: datetime
    ) -> int:
        result = conn.execute(
            insert(shipments).values(
                order_id=order_id,
                carrier=carrier,
                service=service,
                status="Pending",
                created_at=to_db(now),
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    @staticmethod
    def set_status(conn: Connection, row_id: int, status: str) -> None:
        conn.execute(update(shipments).where(shipments.c.id == row_id).values(status=status))

    @staticmethod
    def record_purchase(
        conn: Connection,
        row_id: int,
        *,
        amazon_shipment_id: str,
        carrier: str,
        service: str,
        tracking_id: str,
        status: str,
        cost: Money | None,
        shipped_at: datetime,
    ) -> None:
        conn.execute(
            update(shipments)
            .where(shipments.c.id == row_id)
            .values(
                amazon_shipment_id=amazon_shipment_id,
                carrier=carrier,
                service=service,
                tracking_id=tracking_id,
                status=status,
                cost_minor=cost.minor_units if cost else None,
                currency=cost.currency if cost else None,
                shipped_at=to_db(shipped_at),
            )
        )

    @staticmethod
    def save_label(
        conn: Connection,
        row_id: int,
        order_id: str,
        *,
        label_format: str,
        content: bytes,
        checksum: str,
        now: datetime,
    ) -> None:
        placed = conn.execute(
            select(orders.c.purchase_date).where(orders.c.order_id == order_id)
        ).scalar_one()
        conn.execute(
            delete(label_documents).where(
                label_documents.c.shipment_id == row_id, label_documents.c.kind == _LABEL
            )
        )
        conn.execute(
            insert(label_documents).values(
                shipment_id=row_id,
                order_id=order_id,
                placed_at=placed,
                kind=_LABEL,
                format=label_format,
                content=cipher_for(conn.engine).seal_blob(order_id, placed, content),
                checksum=checksum,
                created_at=to_db(now),
            )
        )

    @staticmethod
    def statuses(conn: Connection, row_ids: Iterable[int]) -> dict[int, str]:
        ids = list(row_ids)
        rows = conn.execute(
            select(shipments.c.id, shipments.c.status).where(shipments.c.id.in_(ids))
        )
        return {int(r.id): str(r.status) for r in rows}
