"""Privacy use cases: retention setting, wipe, disposal check, audit chain, file integrity,
status. Every write goes through one unit of work (`Database.transaction`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kinxpro_desktop.core.errors import InvalidSetting
from kinxpro_desktop.core.models import (
    AuditEntry,
    ChainCheck,
    DisposalFinding,
    EncryptionStatus,
    IntegrityReport,
    PrivacyStatus,
    WipeResult,
)
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.retention import DEFAULT_RETENTION_DAYS, parse_retention_days, utcnow
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.services.receipts import pending_disposal, record_receipt
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.retention import (
    DAY_KEY_FINDING,
    day_key_findings,
    find_past_window,
)

log = logging.getLogger(__name__)

RETENTION_KEY = "retention_days"


@dataclass(frozen=True)
class VerifyReport:
    findings: tuple[DisposalFinding, ...]
    chain: ChainCheck
    integrity: IntegrityReport = field(default_factory=lambda: IntegrityReport(full=True))
    #: crypto-shredding: day keys held now and where ("keyring (...)", "key file")
    day_keys_held: int = 0
    day_key_store: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings and self.chain.ok and self.integrity.ok

    def lines(self) -> list[str]:
        out = [f"disposal: {f.describe()}" for f in self.findings]
        if not self.findings:
            out.append("disposal: no buyer data past the retention window")
        if self.day_key_store and not any(f.kind == DAY_KEY_FINDING for f in self.findings):
            out.append(
                f"day keys: none older than the window ({self.day_keys_held} held, in the "
                f"{self.day_key_store})"
            )
        out.append(f"audit: {self.chain.describe()}")
        out.append(f"integrity: {self.integrity.describe()}")
        return out


class PrivacyService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    @property
    def db(self) -> Database:
        return self._db

    def retention_days(self) -> int:
        """The stored period; a damaged or tampered setting (not JSON, not 1 to 30) counts as
        the default, with a warning: it can only make retention stricter, never longer."""
        stored = self._db.settings.get(RETENTION_KEY, DEFAULT_RETENTION_DAYS)
        try:
            return parse_retention_days(stored)
        except InvalidSetting:
            log.warning(
                "the stored retention setting is not a number of days from 1 to 30; "
                "using %d days (set it again in the Privacy tab or with `retention DAYS`)",
                DEFAULT_RETENTION_DAYS,
            )
            return DEFAULT_RETENTION_DAYS

    def set_retention(self, value: object, actor: str) -> WipeResult:
        """Validate, store (audited), then wipe with the new window."""
        self._db.access.require(Permission.CHANGE_PRIVACY)  # owner only (operator roles)
        days = parse_retention_days(value)
        old = self.retention_days()
        with self._db.transaction() as uow:
            uow.settings.set(RETENTION_KEY, days, now=self._clock())
            uow.audit.append(
                AuditEvent.SETTINGS_CHANGED,
                actor,
                (),
                {"key": RETENTION_KEY, "old": old, "new": days},
                at=self._clock(),
            )
        return self.wipe(actor)

    def wipe(self, actor: str = Actor.SYSTEM) -> WipeResult:
        """The retention wipe (start-up and the 15-minute timer): a quick integrity check
        first, then the deletes and their audit entry in one commit, then the WAL truncated."""
        self._db.require_intact()
        now = self._clock()
        days = self.retention_days()
        due = pending_disposal(self._db, now, days)  # for the disposal receipt
        with self._db.transaction() as uow:
            result = uow.retention.wipe_expired(now, days)
            uow.audit.append(
                AuditEvent.WIPE,
                actor,
                (),
                {
                    "orders": result.orders_wiped,
                    "labels": result.labels_wiped,
                    "day_keys_destroyed": result.day_keys_destroyed,
                    "cutoff": result.cutoff.isoformat(),
                },
                at=now,
            )
        record_receipt(self._db, due, result, days, actor)
        return result

    def verify(self, actor: str = Actor.SYSTEM) -> VerifyReport:
        """Disposal check, audit chain and the file's full integrity check; the result itself
        is audited."""
        now = self._clock()
        integrity = self._db.integrity(full=True)
        try:
            days = self.retention_days()
            findings = tuple(find_past_window(self._db.engine, now, days))
            # crypto-shredding: no day key older than the window may exist
            findings += tuple(day_key_findings(self._db.engine, now, days))
            day_keys = self._db.orders.cipher.keys
            held, key_store = len(day_keys.days()), day_keys.kind
            chain = self._db.audit.verify()
        except Exception:
            if integrity.ok:
                raise
            # A damaged file can fail these reads; the integrity finding is the answer.
            log.warning("disposal and audit checks could not read the damaged database")
            findings = ()
            held, key_store = 0, ""
            chain = ChainCheck(False, 0, None, "not checked: the database file is damaged")
        report = VerifyReport(findings, chain, integrity, held, key_store)
        if not integrity.ok:
            return report  # never write into a damaged file
        with self._db.transaction() as uow:
            uow.audit.append(
                AuditEvent.VERIFY,
                actor,
                tuple(i for f in findings for i in f.order_ids[:50]),
                {
                    "ok": report.ok,
                    "findings": sum(len(f.order_ids) for f in findings),
                    "chain_ok": chain.ok,
                    "broken_at": chain.broken_at,
                    "integrity_ok": integrity.ok,
                    "damage": list(integrity.findings[:5]),
                },
                at=now,
            )
        return report

    def verify_chain(self, actor: str) -> ChainCheck:
        chain = self._db.audit.verify()
        with self._db.transaction() as uow:
            uow.audit.append(
                AuditEvent.VERIFY_CHAIN,
                actor,
                (),
                {"ok": chain.ok, "entries": chain.entries_checked, "broken_at": chain.broken_at},
                at=self._clock(),
            )
        return chain

    def prune_audit(self) -> int:
        return self._db.audit.prune(self._clock())

    def audit_entries(self, limit: int = 1000) -> list[AuditEntry]:
        return self._db.audit.entries(limit)

    def status(self) -> PrivacyStatus:
        version, cipher = self._db.cipher()
        last = self._db.audit.latest("wipe")
        orders = last.detail.get("orders") if last else None
        return PrivacyStatus(
            encryption=EncryptionStatus(
                sqlcipher_version=version,
                cipher=cipher,
                key_source=self._db.key_source,
                database_path=str(self._db.path),
            ),
            retention_days=self.retention_days(),
            last_wipe_at=last.at if last else None,
            last_wipe_orders=int(orders) if isinstance(orders, int) else None,
            orders_with_pii=self._db.orders.count_with_pii(),
            audit_entries=self._db.audit.count(),
        )
