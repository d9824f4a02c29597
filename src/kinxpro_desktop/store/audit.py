"""Append-only, hash-chained audit log.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own
canonical content, so an edited, deleted or reordered entry breaks the chain at a
known link. A `head` record (last id and hash) catches entries removed at the end: a new
entry always continues from the head record, never from whatever row happens to be last,
so entries deleted from the end stay a visible gap. An append refuses a head that does not
match the last row (`AuditChainBroken`); `Database.open` checks the head before anything is
appended and seals a break it finds: a permanent `break` record plus an
`audit_chain_broken` entry, so `verify` keeps naming it. An `anchor` record (last pruned
id and hash) lets pruning keep the chain verifiable. Entries carry order ids and counts,
never PII.

What the chain proves: without the database key nobody can read or change it at all.
With the key, anyone can rewrite it and re-hash every entry after the edit; the chain
alone cannot tell. `anchor_to` keeps a copy of the head (id and hash) in the keyring,
so a rewrite by someone who holds the database but not the keyring is still found.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, update
from sqlalchemy.exc import OperationalError

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import AuditEntry, ChainCheck
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.store.engine import begin_write
from kinxpro_desktop.store.schema import audit_anchor, audit_log
from kinxpro_desktop.store.timefmt import from_db, to_db

log = logging.getLogger(__name__)

GENESIS = "0" * 64
RETENTION_DAYS = 365
SYSTEM = "system"
CHAIN_BROKEN_EVENT = "audit_chain_broken"
KEYRING_ANCHOR = "audit-head"  # SecretStore entry: "<id>:<hash>" of the head at last close


class AuditChainBroken(UserError):
    """The head record does not match the log: appending would overwrite the evidence."""

    title = "Audit log altered"


class AnchorStore(Protocol):
    """Where a copy of the head lives outside the database (the keyring's SecretStore)."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...


@dataclass(frozen=True)
class _Tip:
    """The head record, the last row and the anchor, read in one transaction."""

    table: bool
    head: tuple[int, str] | None
    last: tuple[int, str] | None
    anchor: tuple[int, str]
    sealed: tuple[int, str] | None  # a break found and sealed earlier: (entry id, when)


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
        self._anchor_store: AnchorStore | None = None
        #: the bound operator's actor mapping (Database.bind_actor); None: actors as given
        self.stamp: Callable[[str], str] | None = None

    def anchor_to(self, store: AnchorStore) -> None:
        """Keep a copy of the head in `store` (keyring mode): written at `close` and after
        `verify`, compared by `verify`."""
        self._anchor_store = store

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
        if self.stamp is not None:
            actor = self.stamp(actor)
        if conn is not None:
            return self._append(conn, event, actor, tuple(object_ids), detail, at)
        with self._lock, begin_write(self._engine) as own:
            return self._append(own, event, actor, tuple(object_ids), detail, at)

    @staticmethod
    def _tip(conn: Connection) -> _Tip:
        markers = {
            r.name: (int(r.entry_id), str(r.hash), str(r.updated_at))
            for r in conn.execute(select(audit_anchor)).all()
        }
        try:
            row = conn.execute(
                select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
            ).first()
            table = True
        except OperationalError:
            row, table = None, False
        head = markers.get("head")
        anchor = markers.get("anchor")
        broken = markers.get("break")
        return _Tip(
            table=table,
            head=(head[0], head[1]) if head else None,
            last=(int(row[0]), str(row[1])) if row is not None else None,
            anchor=(anchor[0], anchor[1]) if anchor else (0, GENESIS),
            sealed=(broken[0], broken[2]) if broken else None,
        )

    @staticmethod
    def _head_finding(tip: _Tip) -> tuple[int | None, str] | None:
        """What is wrong between the head record and the log, or None."""
        if not tip.table:
            return (tip.head[0] if tip.head else None, "the audit_log table is missing")
        if tip.head is None:
            if tip.last is None:
                return None
            return (tip.last[0], "the head record is missing while entries exist")
        if tip.last is None or tip.head[0] > tip.last[0]:
            first = (tip.last[0] if tip.last else tip.anchor[0]) + 1
            return (first, f"entries {first} to {tip.head[0]} were removed from the end")
        if tip.head != tip.last:
            return (tip.head[0], "the recorded head does not match the last entry")
        return None

    def check_head(self) -> ChainCheck:
        """Fast check of the head record against the log (no walk): run before appending."""
        with self._engine.connect() as conn:
            found = self._head_finding(self._tip(conn))
        if found is None:
            return ChainCheck(True, 0)
        return ChainCheck(False, 0, found[0], found[1])

    def seal(self, check: ChainCheck, at: datetime | None = None) -> AuditEntry:
        """Record a break found by `check_head` for good, then append after it.

        The `break` record (first break only) and an `audit_chain_broken` entry keep the
        finding visible to every later `verify`; a missing table is created again (empty),
        so the app keeps auditing what happens next.
        """
        stamp = to_db(at or utcnow())
        with self._lock, begin_write(self._engine) as conn:
            tip = self._tip(conn)
            if not tip.table:
                audit_log.create(conn)
            if tip.sealed is None:
                self._set_marker(conn, "break", check.broken_at or 0, GENESIS, stamp)
            if tip.head is not None and tip.last is not None and tip.head[0] <= tip.last[0]:
                # The head is behind or beside the last row: continue after the last row.
                self._set_marker(conn, "head", tip.last[0], tip.last[1], stamp)
            elif tip.head is None and tip.last is not None:
                self._set_marker(conn, "head", tip.last[0], tip.last[1], stamp)
            return self._append(
                conn,
                CHAIN_BROKEN_EVENT,
                SYSTEM,
                (),
                {"broken_at": check.broken_at, "reason": check.reason[:200]},
                at,
            )

    def _append(
        self,
        conn: Connection,
        event: str,
        actor: str,
        object_ids: tuple[str, ...],
        detail: dict[str, object] | None,
        at: datetime | None,
    ) -> AuditEntry:
        tip = self._tip(conn)
        found = self._head_finding(tip)
        if found is not None and not found[1].endswith("removed from the end"):
            raise AuditChainBroken(
                f"The audit log was altered outside Kinxpro ({found[1]}); Kinxpro will not "
                "write over it. Restart Kinxpro: it records the finding and continues the log "
                "after it (run `kinxpro-desktop verify` for the details)."
            )
        # Continue from the head record: entries removed from the end stay a visible gap.
        prev_id, prev_hash = tip.head if tip.head is not None else tip.anchor
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
        """Walk the chain from the anchor to the head record; name the first finding."""
        with self._engine.connect() as conn:
            tip = self._tip(conn)
            rows = (
                conn.execute(select(audit_log).order_by(audit_log.c.id)).all() if tip.table else []
            )
        if not tip.table:
            return ChainCheck(
                False, 0, tip.head[0] if tip.head else None, "the audit_log table is missing"
            )
        walk = _walk(rows, tip)
        if walk.ok:
            walk = self._compare_keyring(rows, tip, walk)
        if tip.sealed is not None:
            entry, when = tip.sealed
            earlier = (
                f"the log was found altered at entry {entry} when the database was opened "
                f"on {when[:19].replace('T', ' ')} UTC ({_sealed_reason(rows)})"
            )
            if walk.ok:
                return ChainCheck(
                    False, walk.entries_checked, entry, earlier + "; later entries link correctly"
                )
            return ChainCheck(
                False, walk.entries_checked, walk.broken_at, f"{walk.reason}; also, {earlier}"
            )
        if walk.ok:
            self.save_anchor()
        return walk

    def _compare_keyring(self, rows: Sequence[Row[Any]], tip: _Tip, walk: ChainCheck) -> ChainCheck:
        if self._anchor_store is None:
            return walk
        try:
            kept = self._anchor_store.get(KEYRING_ANCHOR)
        except Exception:  # a keyring that fails now must not hide the database's own check
            log.warning("could not read the audit head kept in the keyring", exc_info=True)
            return walk
        try:
            kept_id, kept_hash = (kept or "").split(":", 1)
            entry_id = int(kept_id)
        except ValueError:
            return walk  # never anchored yet (or unreadable): nothing to compare
        if entry_id <= tip.anchor[0]:
            return walk  # pruned since
        by_id = {int(r.id): str(r.hash) for r in rows}
        if entry_id not in by_id:
            return ChainCheck(
                False,
                walk.entries_checked,
                entry_id,
                f"entry {entry_id}, the head when Kinxpro last closed (its copy is in the "
                "keyring), is gone: entries were removed and the head rewritten, or the "
                "database was restored from an older backup",
            )
        if by_id[entry_id] != kept_hash:
            return ChainCheck(
                False,
                walk.entries_checked,
                entry_id,
                f"entry {entry_id} no longer matches the copy of the head kept in the keyring: "
                "the log up to it was rewritten and re-hashed",
            )
        return walk

    def save_anchor(self) -> None:
        """Copy the head (id and hash) to the anchor store, if one is attached."""
        if self._anchor_store is None:
            return
        try:
            with self._engine.connect() as conn:
                tip = self._tip(conn)
            if tip.head is not None and self._head_finding(tip) is None:
                self._anchor_store.set(KEYRING_ANCHOR, f"{tip.head[0]}:{tip.head[1]}")
        except Exception:  # best effort: the database's own chain still stands
            log.warning("could not keep the audit head in the keyring", exc_info=True)

    def prune(self, now: datetime | None = None, keep_days: int = RETENTION_DAYS) -> int:
        """Drop entries older than `keep_days`; record the anchor that keeps the rest verifiable."""
        limit = to_db((now or utcnow()) - timedelta(days=keep_days))
        with self._lock, begin_write(self._engine) as conn:
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


def _walk(rows: Sequence[Row[Any]], tip: _Tip) -> ChainCheck:
    expected_id, expected_prev = tip.anchor
    checked = 0
    for r in rows:
        entry_id = int(r.id)
        expected_id += 1
        if entry_id != expected_id:
            return ChainCheck(
                False,
                checked,
                expected_id,
                f"entry {expected_id} is missing (next present entry is {entry_id})",
            )
        if r.prev_hash != expected_prev:
            return ChainCheck(
                False, checked, entry_id, "its link to the previous entry does not match"
            )
        digest = entry_hash(r.prev_hash, entry_id, r.at, r.event, r.actor, r.object_ids, r.detail)
        if digest != r.hash:
            return ChainCheck(False, checked, entry_id, "its content was changed")
        expected_prev = digest
        checked += 1
    if tip.head is None:
        if checked:
            return ChainCheck(False, checked, expected_id, "the head record is missing")
        return ChainCheck(True, checked)
    if tip.head != (expected_id, expected_prev):
        if tip.head[0] > expected_id:
            return ChainCheck(
                False,
                checked,
                expected_id + 1,
                f"entries {expected_id + 1} to {tip.head[0]} were removed from the end",
            )
        return ChainCheck(False, checked, tip.head[0], "the recorded head does not match")
    return ChainCheck(True, checked)


def _sealed_reason(rows: Sequence[Row[Any]]) -> str:
    """What the first `audit_chain_broken` entry recorded (it may itself be gone)."""
    for r in rows:
        if r.event == CHAIN_BROKEN_EVENT:
            try:
                reason = json.loads(r.detail).get("reason")
            except (ValueError, AttributeError):
                reason = None
            if isinstance(reason, str) and reason:
                return f"{reason}; see audit entry {r.id}"
    return f"its {CHAIN_BROKEN_EVENT} entry is gone too"
