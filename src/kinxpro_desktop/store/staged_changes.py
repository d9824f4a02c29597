"""Staged listing changes (price, quantity) in ``staged_listing_changes``: one open change per
listing and field; each change is tracked to its final state (accepted or rejected with
Amazon's issues). A change held as a conflict keeps Amazon's value in its issue list."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, Engine, and_, delete, insert, select, update

from kinxpro_desktop.core.listing_edits import (
    OPEN_STATUSES,
    ChangeIssue,
    ChangeStatus,
    StagedChange,
)
from kinxpro_desktop.core.marketplaces import currency_decimals
from kinxpro_desktop.store.schema import listings
from kinxpro_desktop.store.schema import staged_listing_changes as t
from kinxpro_desktop.store.timefmt import from_db, to_db

_OPEN = [s.value for s in OPEN_STATUSES]


def _issues_json(issues: Iterable[ChangeIssue]) -> str:
    out = []
    for i in issues:
        entry: dict[str, object] = {"message": i.message, "code": i.code, "severity": i.severity}
        if i.attribute:
            entry["attribute"] = i.attribute
        if i.amazon_value is not None:
            entry["amazon_value"] = i.amazon_value
        out.append(entry)
    return json.dumps(out, ensure_ascii=False)


def _issues(raw: str | None) -> tuple[ChangeIssue, ...]:
    try:
        data = json.loads(raw or "[]")
    except ValueError:
        return ()
    out = []
    for entry in data if isinstance(data, list) else []:
        if isinstance(entry, str):
            out.append(ChangeIssue(entry))
        elif isinstance(entry, dict):
            value = entry.get("amazon_value")
            out.append(
                ChangeIssue(
                    message=str(entry.get("message", "")),
                    code=str(entry.get("code", "")),
                    severity=str(entry.get("severity", "ERROR")),
                    attribute=str(entry.get("attribute", "")),
                    amazon_value=None if value is None else str(value),
                )
            )
    return tuple(out)


def _change(r: object) -> StagedChange:
    row = r._mapping  # type: ignore[attr-defined]
    try:
        status = ChangeStatus(row["status"])
    except ValueError:
        status = ChangeStatus.STAGED
    return StagedChange(
        change_id=int(row["id"]),
        sku=row["sku"],
        marketplace_id=row["marketplace_id"],
        field=row["field"],
        old_value=row["old_value"],
        new_value=row["new_value"],
        status=status,
        issues=_issues(row["issues_json"]),
        created_at=from_db(row["created_at"]),
        submitted_at=from_db(row["submitted_at"]) if row["submitted_at"] else None,
    )


class StagedChangeRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------------ reads
    def open_changes(self, conn: Connection | None = None) -> list[StagedChange]:
        """Every change still open (staged, conflict, sending, unknown), oldest first."""
        query = select(t).where(t.c.status.in_(_OPEN)).order_by(t.c.id)
        if conn is None:
            with self._engine.connect() as own:
                return [_change(r) for r in own.execute(query)]
        return [_change(r) for r in conn.execute(query)]

    def by_ids(self, ids: Sequence[int], conn: Connection | None = None) -> list[StagedChange]:
        query = select(t).where(t.c.id.in_(list(ids))).order_by(t.c.id)
        if conn is None:
            with self._engine.connect() as own:
                return [_change(r) for r in own.execute(query)]
        return [_change(r) for r in conn.execute(query)]

    def recent(self, since: datetime, conn: Connection | None = None) -> list[StagedChange]:
        """Changes that reached a final state at or after `since` (the last submit's results)."""
        query = (
            select(t)
            .where(t.c.status.not_in(_OPEN), t.c.submitted_at >= to_db(since))
            .order_by(t.c.id)
        )
        if conn is None:
            with self._engine.connect() as own:
                return [_change(r) for r in own.execute(query)]
        return [_change(r) for r in conn.execute(query)]

    # ------------------------------------------------------------------ writes
    def stage(
        self,
        conn: Connection,
        *,
        sku: str,
        marketplace_id: str,
        field: str,
        old_value: str | None,
        new_value: str,
        now: datetime,
    ) -> int:
        """Stage a change; an open staged/conflict change of the same listing and field is
        replaced (its original old value is kept: the value Amazon had when editing began)."""
        same = and_(
            t.c.sku == sku,
            t.c.marketplace_id == marketplace_id,
            t.c.field == field,
            t.c.status.in_([ChangeStatus.STAGED.value, ChangeStatus.CONFLICT.value]),
        )
        existing = conn.execute(select(t.c.id, t.c.old_value).where(same)).first()
        if existing is not None:
            conn.execute(
                update(t)
                .where(t.c.id == existing.id)
                .values(
                    new_value=new_value,
                    status=ChangeStatus.STAGED.value,
                    issues_json="[]",
                    created_at=to_db(now),
                )
            )
            return int(existing.id)
        result = conn.execute(
            insert(t).values(
                sku=sku,
                marketplace_id=marketplace_id,
                field=field,
                old_value=old_value,
                new_value=new_value,
                status=ChangeStatus.STAGED.value,
                issues_json="[]",
                created_at=to_db(now),
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def set_status(
        self,
        conn: Connection,
        ids: Iterable[int],
        status: ChangeStatus,
        *,
        issues: Sequence[ChangeIssue] | None = None,
        submitted_at: datetime | None = None,
        old_value: str | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status.value}
        if issues is not None:
            values["issues_json"] = _issues_json(issues)
        if submitted_at is not None:
            values["submitted_at"] = to_db(submitted_at)
        if old_value is not None:
            values["old_value"] = old_value
        id_list = list(ids)
        if id_list:
            conn.execute(update(t).where(t.c.id.in_(id_list)).values(**values))

    def discard(self, conn: Connection, ids: Iterable[int]) -> list[StagedChange]:
        """Remove staged or conflicting changes (never one already sent); the removed ones."""
        id_list = list(ids)
        allowed = [ChangeStatus.STAGED.value, ChangeStatus.CONFLICT.value]
        gone = [
            _change(r)
            for r in conn.execute(select(t).where(t.c.id.in_(id_list), t.c.status.in_(allowed)))
        ]
        if gone:
            conn.execute(delete(t).where(t.c.id.in_([c.change_id for c in gone])))
        return gone

    def apply_to_listing(self, conn: Connection, change: StagedChange, now: datetime) -> None:
        """Show an accepted change in the stored listing at once (the next listings refresh
        reads Amazon's value anyway)."""
        where = and_(
            listings.c.marketplace_id == change.marketplace_id, listings.c.sku == change.sku
        )
        if change.field == "quantity":
            values: dict[str, object] = {"quantity": int(change.new_value)}
        else:
            row = conn.execute(select(listings.c.currency).where(where)).first()
            if row is None or not row.currency:
                return
            exponent = currency_decimals(row.currency)
            values = {"price_minor": int(Decimal(change.new_value).scaleb(exponent))}
        conn.execute(update(listings).where(where).values(updated_at=to_db(now), **values))
