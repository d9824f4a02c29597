"""Append-only, hash-chained audit log.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own
canonical content, so an edited, deleted or reordered entry breaks the chain at a
known link. A `head` record (last id and hash) catches entries removed at the end;
an `anchor` record (last pruned id and hash) lets pruning keep the chain verifiable.
Entries carry order ids and counts, never PII.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, update

from kinxpro_desktop.core.models import AuditEntry, ChainCheck
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.store.schema import audit_anchor, audit_log
from kinxpro_desktop.store.timefmt import from_db, to_db

GENESIS = "0" * 64
RETENTION_DAYS = 365
SYSTEM = "system"


def entry_hash(
    prev_hash: str,
    entry_id: int,
    at: str,
    event: str,
    actor: str,
    object_ids: str,
    detail: str,
) -> str:
    canonical = json.dumps(
        [prev_hash, entry_id, at, event, actor, object_ids, detail],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical_detail(detail: dict[str, object] | None) -> str:
    return json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), default=str)


def _entry(r: Row[Any]) -> AuditEntry:
    return AuditEntry(
        r.id,
        from_db(r.at),
        r.event,
        r.actor,
        tuple(json.loads(r.object_ids)),
        json.loads(r.detail),
        r.prev_hash,
        r.hash,
    )


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()

    def append(
        self,
        event: str,
        actor: str = SYSTEM,
        object_ids: Iterable[str] = (),
        detail: dict[str, object] | None = None,
        *,
        at: datetime | None = None,
        conn: Connection | None = None,
    ) -> AuditEntry:
        """Append one entry; pass `conn` to make it part of an open transaction."""
        if conn is not None:
            return self._append(conn, event, actor, tuple(object_ids), detail, at)
        with self._lock, self._engine.begin() as own:
            return self._append(own, event, actor, tuple(object_ids), detail, at)

    def _append(
        self,
        conn: Connection,
        event: str,
        actor: str,
        object_ids: tuple[str, ...],
        detail: dict[str, object] | None,
        at: datetime | None,
    ) -> AuditEntry:
        head = conn.execute(
            select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
        ).first()
        if head is None:
            anchor = conn.execute(
                select(audit_anchor.c.entry_id, audit_anchor.c.hash).where(
                    audit_anchor.c.name == "anchor"
                )
            ).first()
            prev_id, prev_hash = (anchor[0], anchor[1]) if anchor else (0, GENESIS)
        else:
            prev_id, prev_hash = head[0], head[1]
        new_id = prev_id + 1
        at_text = to_db(at or utcnow())
        ids_text = json.dumps(list(object_ids), separators=(",", ":"))
        detail_text = _canonical_detail(detail)
        digest = entry_hash(prev_hash, new_id, at_text, event, actor, ids_text, detail_text)
        conn.execute(
            insert(audit_log).values(
                id=new_id,
                at=at_text,
                event=event,
                actor=actor,
                object_ids=ids_text,
                detail=detail_text,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        self._set_marker(conn, "head", new_id, digest, at_text)
        return AuditEntry(
            new_id,
            from_db(at_text),
            event,
            actor,
            object_ids,
            json.loads(detail_text),
            prev_hash,
            digest,
        )

    @staticmethod
    def _set_marker(conn: Connection, name: str, entry_id: int, digest: str, at: str) -> None:
        updated = conn.execute(
            update(audit_anchor)
            .where(audit_anchor.c.name == name)
            .values(entry_id=entry_id, hash=digest, updated_at=at)
        )
        if updated.rowcount == 0:
            conn.execute(
                insert(audit_anchor).values(
                    name=name, entry_id=entry_id, hash=digest, updated_at=at
                )
            )

    def entries(self, limit: int = 500, offset: int = 0) -> list[AuditEntry]:
        """Newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
            ).all()
        return [_entry(r) for r in rows]

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())

    def latest(self, event: str) -> AuditEntry | None:
        with self._engine.connect() as conn:
            r = conn.execute(
                select(audit_log)
                .where(audit_log.c.event == event)
                .order_by(audit_log.c.id.desc())
                .limit(1)
            ).first()
        return None if r is None else _entry(r)

    def verify(self) -> ChainCheck:
        """Walk the chain from the anchor; name the first broken link."""
        with self._engine.connect() as conn:
            markers = {
                r.name: (r.entry_id, r.hash) for r in conn.execute(select(audit_anchor)).all()
            }
            rows: Sequence[object] = conn.execute(select(audit_log).order_by(audit_log.c.id)).all()
        expected_id, expected_prev = markers.get("anchor", (0, GENESIS))
        checked = 0
        for r in rows:
            entry_id = r.id  # type: ignore[attr-defined]
            expected_id += 1
            if entry_id != expected_id:
                return ChainCheck(
                    False,
                    checked,
                    expected_id,
                    f"entry {expected_id} is missing (next present entry is {entry_id})",
                )
            if r.prev_hash != expected_prev:  # type: ignore[attr-defined]
                return ChainCheck(
                    False, checked, entry_id, "its link to the previous entry does not match"
                )
            digest = entry_hash(
                r.prev_hash,  # type: ignore[attr-defined]
                entry_id,
                r.at,  # type: ignore[attr-defined]
                r.event,  # type: ignore[attr-defined]
                r.actor,  # type: ignore[attr-defined]
                r.object_ids,  # type: ignore[attr-defined]
                r.detail,  # type: ignore[attr-defined]
            )
            if digest != r.hash:  # type: ignore[attr-defined]
                return ChainCheck(False, checked, entry_id, "its content was changed")
            expected_prev = digest
            checked += 1
        head = markers.get("head")
        if head is not None and head != (expected_id, expected_prev):
            if head[0] > expected_id:
                return ChainCheck(
                    False,
                    checked,
                    expected_id + 1,
                    f"entries {expected_id + 1} to {head[0]} were removed from the end",
                )
            return ChainCheck(False, checked, head[0], "the recorded head does not match")
        return ChainCheck(True, checked)

    def prune(self, now: datetime | None = None, keep_days: int = RETENTION_DAYS) -> int:
        """Drop entries older than `keep_days`; record the anchor that keeps the rest verifiable."""
        limit = to_db((now or utcnow()) - timedelta(days=keep_days))
        with self._lock, self._engine.begin() as conn:
            last = conn.execute(
                select(audit_log.c.id, audit_log.c.hash)
                .where(audit_log.c.at < limit)
                .order_by(audit_log.c.id.desc())
                .limit(1)
            ).first()
            if last is None:
                return 0
            removed = conn.execute(delete(audit_log).where(audit_log.c.id <= last[0])).rowcount
            self._set_marker(conn, "anchor", last[0], last[1], to_db(now or utcnow()))
            self._append(
                conn, "audit_pruned", SYSTEM, (), {"entries": removed, "through_id": last[0]}, now
            )
        return int(removed)
