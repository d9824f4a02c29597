"""Privacy use cases: retention setting, wipe, disposal check, audit chain, status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kinxpro_desktop.core.models import (
    AuditEntry,
    ChainCheck,
    DisposalFinding,
    EncryptionStatus,
    PrivacyStatus,
    WipeResult,
)
from kinxpro_desktop.core.retention import DEFAULT_RETENTION_DAYS, parse_retention_days, utcnow
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.retention import find_past_window, wipe_expired

RETENTION_KEY = "retention_days"


@dataclass(frozen=True)
class VerifyReport:
    findings: tuple[DisposalFinding, ...]
    chain: ChainCheck

    @property
    def ok(self) -> bool:
        return not self.findings and self.chain.ok

    def lines(self) -> list[str]:
        out = [f"disposal: {f.describe()}" for f in self.findings]
        if not self.findings:
            out.append("disposal: no buyer data past the retention window")
        out.append(f"audit: {self.chain.describe()}")
        return out


class PrivacyService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    @property
    def db(self) -> Database:
        return self._db

    def retention_days(self) -> int:
        stored = self._db.settings.get(RETENTION_KEY, DEFAULT_RETENTION_DAYS)
        try:
            return parse_retention_days(stored)
        except Exception:
            # A tampered or damaged setting can only make retention stricter, never longer.
            return DEFAULT_RETENTION_DAYS

    def set_retention(self, value: object, actor: str) -> WipeResult:
        """Validate, store (audited), then wipe with the new window."""
        days = parse_retention_days(value)
        old = self.retention_days()
        with self._db.engine.begin() as conn:
            self._db.settings.set(RETENTION_KEY, days, conn=conn, now=self._clock())
            self._db.audit.append(
                "settings_changed",
                actor,
                (),
                {"key": RETENTION_KEY, "old": old, "new": days},
                at=self._clock(),
                conn=conn,
            )
        return self.wipe(actor)

    def wipe(self, actor: str = "system") -> WipeResult:
        now = self._clock()
        result = wipe_expired(self._db.engine, now, self.retention_days())
        self._db.audit.append(
            "wipe",
            actor,
            (),
            {
                "orders": result.orders_wiped,
                "labels": result.labels_wiped,
                "cutoff": result.cutoff.isoformat(),
            },
            at=now,
        )
        return result

    def verify(self, actor: str = "system") -> VerifyReport:
        """Disposal check plus audit chain; the result itself is audited."""
        now = self._clock()
        findings = tuple(find_past_window(self._db.engine, now, self.retention_days()))
        chain = self._db.audit.verify()
        report = VerifyReport(findings, chain)
        self._db.audit.append(
            "verify",
            actor,
            tuple(i for f in findings for i in f.order_ids[:50]),
            {
                "ok": report.ok,
                "findings": sum(len(f.order_ids) for f in findings),
                "chain_ok": chain.ok,
                "broken_at": chain.broken_at,
            },
            at=now,
        )
        return report

    def verify_chain(self, actor: str) -> ChainCheck:
        chain = self._db.audit.verify()
        self._db.audit.append(
            "verify_chain",
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
