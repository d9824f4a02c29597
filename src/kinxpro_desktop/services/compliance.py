"""The compliance report: each control of PRIVACY.md with its live state, as one PDF for
Amazon's data-protection review. No buyer data: counts, settings and order ids at most (and
none of those here). Producing it is audited."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from kinxpro_desktop.core.models import AuditEntry
from kinxpro_desktop.core.operators import Permission, Role
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.documents.compliance import Document, Row, Section, render
from kinxpro_desktop.services.audit_period import entries_between
from kinxpro_desktop.services.exports_files import atomic_file
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.wipe_job import WipeJob, last_run
from kinxpro_desktop.spapi.egress import AMAZON_HOSTS, tls_context
from kinxpro_desktop.store.pii_crypto import cipher_for
from kinxpro_desktop.store.retention import day_keys_past_window, find_past_window

SQLITE_HEADER = b"SQLite format 3\x00"
AMAZON_SECURITY = "security@amazon.com"
LOOKBACK_DAYS = 30


def _stamp(at: datetime | None) -> str:
    return "never" if at is None else f"{at:%Y-%m-%d %H:%M} UTC"


class ComplianceService:
    def __init__(
        self,
        privacy: PrivacyService,
        *,
        wipe_job: WipeJob | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._privacy = privacy
        self._db = privacy.db
        self._job = wipe_job or WipeJob(self._db.path.parent)
        self._clock = clock

    def document(self) -> Document:
        now = self._clock()
        recent = list(entries_between(self._db, now - timedelta(days=LOOKBACK_DAYS), now))
        counts: dict[str, int] = {}
        for e in recent:
            counts[e.event] = counts.get(e.event, 0) + 1
        rows = [
            self._at_rest(),
            self._in_transit(),
            self._secrets(),
            *self._retention(now),
            self._shredding(now),
            self._minimisation(counts),
            self._audit(),
            self._monitoring(counts),
            self._roles(counts),
            self._hosts(),
            self._incident(counts),
            self._spools(counts),
            *self._disposal(recent, counts),
        ]
        return Document(
            title="Kinxpro Desktop: data-protection controls",
            header=[
                f"Generated {_stamp(now)} from the live store {self._db.path.name}.",
                "Each control of Kinxpro's privacy policy with its state on this workstation. "
                f"Counts cover the last {LOOKBACK_DAYS} days of the audit log.",
            ],
            sections=[Section("Controls", rows=rows)],
        )

    def write_pdf(self, out: Path, actor: str) -> Path:
        self._db.access.require(Permission.EXPORT)
        data = render(self.document())
        with atomic_file(out) as (f, _tmp):
            f.write(data)
        with self._db.transaction() as uow:
            uow.audit.append(
                AuditEvent.COMPLIANCE_REPORT, actor, (), {"bytes": len(data)}, at=self._clock()
            )
        return out

    # -- one row per control ----------------------------------------------------------------
    def _at_rest(self) -> Row:
        version, cipher = self._db.cipher()
        try:
            with self._db.path.open("rb") as f:
                header = f.read(16)
        except OSError:
            header = SQLITE_HEADER
        plain = header == SQLITE_HEADER
        return Row(
            "Encryption at rest (AES-256)",
            "ATTENTION" if plain or not version else "OK",
            f"SQLCipher {version or 'not in use'}, cipher {cipher or 'none'}; the database "
            f"file header is {'PLAIN SQLite' if plain else 'encrypted'}. Labels are stored in "
            "the same encrypted file.",
        )

    def _in_transit(self) -> Row:
        minimum = tls_context().minimum_version
        ok = minimum >= ssl.TLSVersion.TLSv1_2
        return Row(
            "Encryption in transit (TLS 1.2+)",
            "OK" if ok else "ATTENTION",
            f"Minimum TLS version {minimum.name}; plain HTTP only for a loopback simulator.",
        )

    def _secrets(self) -> Row:
        source = self._db.key_source
        passphrase = "passphrase" in source
        where = (
            "the SP-API credentials are inside the encrypted database"
            if passphrase
            else "the SP-API credentials are in the system keyring"
        )
        return Row(
            "Secrets in a secure store",
            "OK",
            f"Database key: {source}; {where}. No plaintext fallback.",
        )

    def _retention(self, now: datetime) -> list[Row]:
        days = self._privacy.retention_days()
        findings = find_past_window(self._db.engine, now, days)
        past = sum(len(f.order_ids) for f in findings)
        with_pii = self._db.orders.count_with_pii()
        return [
            Row(
                "Retention of buyer data",
                "OK" if days <= 30 else "ATTENTION",
                f"{days} days after the order was placed (at most 30). {with_pii} orders hold "
                "buyer data now.",
            ),
            Row(
                "Secure deletion, verified",
                "OK" if past == 0 else "ATTENTION",
                "secure_delete on, WAL truncated after each wipe. Disposal check now: "
                + (
                    "no buyer data past the window."
                    if past == 0
                    else f"{past} orders or labels past the window (run a wipe)."
                ),
            ),
        ]

    def _shredding(self, now: datetime) -> Row:
        keys = cipher_for(self._db.engine).keys
        held = keys.days()
        old = day_keys_past_window(self._db.engine, now, self._privacy.retention_days())
        where = keys.kind
        scope = (
            " The day keys are in a key file beside the database (passphrase mode): this "
            "protects a copy of the database file alone; a backup that copied both files "
            "before the day expired can still reveal that day."
            if where == "key file"
            else " The day keys are in the system keyring, never in the database file."
        )
        return Row(
            "Crypto-shredding (day keys)",
            "OK" if not old else "ATTENTION",
            "Each buyer-data field and label is also sealed (AES-256-GCM) under a random key "
            f"for the order's purchase day; the wipe destroys a day's key when the day leaves "
            f"the window. {len(held)} day keys held ({where}), {len(old)} older than the "
            "window." + scope,
        )

    def _minimisation(self, counts: dict[str, int]) -> Row:
        return Row(
            "Data minimisation",
            "OK",
            "Buyer data is requested only for merchant-fulfilled orders that still need "
            f"shipping; {counts.get(AuditEvent.PII_FETCH, 0)} such requests recorded.",
        )

    def _audit(self) -> Row:
        chain = self._db.audit.verify()
        return Row(
            "Audit logging (hash chain)",
            "OK" if chain.ok else "ATTENTION",
            f"{chain.describe()} {self._db.audit.count()} entries kept (365 days).",
        )

    def _monitoring(self, counts: dict[str, int]) -> Row:
        alerts = counts.get(AuditEvent.SECURITY_ALERT, 0)
        refused = counts.get(AuditEvent.EGRESS_REFUSED, 0)
        failed = counts.get(AuditEvent.UNLOCK_FAILED, 0)
        quiet = alerts == 0 and refused == 0
        return Row(
            "Access monitoring and alerting",
            "OK" if quiet else "ATTENTION",
            f"{alerts} security alerts, {refused} refused outbound hosts, {failed} failed "
            "unlocks recorded.",
        )

    def _roles(self, counts: dict[str, int]) -> Row:
        profiles = self._db.operators.all()  # operator roles (services/operators.py)
        if profiles:
            per = {r: sum(p.role is r for p in profiles) for r in Role}
            return Row(
                "Role-based access",
                "OK",
                "Operator profiles: "
                + ", ".join(f"{n} {r.value}" for r, n in per.items())
                + f"; every action names its operator. {counts.get(AuditEvent.SIGN_IN, 0)} "
                f"sign-ins, {counts.get(AuditEvent.SIGN_IN_FAILED, 0)} failed, "
                f"{counts.get(AuditEvent.OPERATOR_LOCKED, 0)} lockouts, "
                f"{counts.get(AuditEvent.REVEAL, 0)} reveals audited.",
            )
        return Row(
            "Role-based access",
            "NOT SET UP",
            "No operator profiles are defined: whoever unlocks the store acts as owner. Buyer "
            f"data is masked until revealed; {counts.get(AuditEvent.REVEAL, 0)} reveals "
            "audited.",
        )

    def _hosts(self) -> Row:
        return Row(
            "No sharing with third parties",
            "OK",
            "Outbound hosts allowed: " + ", ".join(sorted(AMAZON_HOSTS)) + " (and loopback in "
            "demo mode). Any other host is refused and logged. No telemetry.",
        )

    def _incident(self, counts: dict[str, int]) -> Row:
        made = counts.get(AuditEvent.INCIDENT_REPORT, 0)
        return Row(
            "Incident response",
            "OK",
            "An incident report from the audit log (ids only) with a notice to "
            f"{AMAZON_SECURITY}, due within 24 hours of detection; {made} generated.",
        )

    def _spools(self, counts: dict[str, int]) -> Row:
        return Row(
            "Print spools and exports",
            "INFO",
            "Labels and slips rendered from memory; finished CUPS jobs purged. "
            f"{counts.get(AuditEvent.LABEL_PRINT, 0)} label prints and "
            f"{counts.get(AuditEvent.EXPORT, 0)} exports audited.",
        )

    def _disposal(self, recent: list[AuditEntry], counts: dict[str, int]) -> list[Row]:
        wipes = [e for e in recent if e.event == AuditEvent.WIPE][:5]
        shown = "; ".join(
            f"{_stamp(e.at)}: {e.detail.get('orders', 0)} orders, {e.detail.get('labels', 0)} "
            "labels"
            for e in wipes
        )
        receipts = counts.get(AuditEvent.DISPOSAL_RECEIPT, 0)
        job = self._job.status()
        run = last_run(self._db)
        return [
            Row(
                "Disposal (automated wipe)",
                "OK" if wipes else "ATTENTION",
                f"Last wipes: {shown or 'none in the period'}. {receipts} disposal receipts.",
            ),
            Row(
                "Wipe while closed",
                "OK" if job.active else "NOT SET UP",
                f"{job.message} Last run: "
                + (_stamp(run.at) + f", {run.orders} orders" if run else "never")
                + ".",
            ),
        ]
