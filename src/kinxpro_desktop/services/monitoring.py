"""Access monitoring beyond unlock: security events found in the audit log since the last
check, and a live scan for buyer data past the window, each turned into one alert the seller
sees (CLI: a SECURITY ALERT line; window: a dialog) and one `security_alert` audit entry.

Events: a refused outbound host (`egress_refused`), revoked credentials (a sync or account
test that Login with Amazon answered with `invalid_grant`), buyer data found past the window
(by `verify`, or by the live scan here), a day key older than the window (crypto-shredding:
the wipe should have destroyed it). Repeated failed unlocks and a broken chain are raised at
unlock (services.startup).

Each event is raised once: a watermark (the last audit entry examined) and the last live-scan
count are kept in the settings table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kinxpro_desktop.core.models import AuditEntry
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.spapi.errors import INVALID_GRANT
from kinxpro_desktop.store.retention import day_keys_past_window, find_past_window

log = logging.getLogger(__name__)
SEEN_KEY = "security_monitor_seen"
PAST_WINDOW_KEY = "security_monitor_past_window"
OLD_KEYS_KEY = "security_monitor_old_day_keys"
_PAGE = 500
#: The wipe runs at start and every 15 minutes: data past the window by more than this is a
#: failure, not an order that crossed the line since the last wipe.
GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class Alert:
    kind: str  # egress_refused | credentials_revoked | pii_past_window | day_key_past_window
    text: str
    source: int | None  # the audit entry that showed it (None: the live scan)
    order_ids: tuple[str, ...] = ()


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def alert_for(entry: AuditEntry) -> Alert | None:
    d = entry.detail
    if entry.event == AuditEvent.EGRESS_REFUSED:
        host = str(d.get("host", "?"))[:80]
        return Alert(
            "egress_refused",
            f"Kinxpro refused to connect to {host}, which is not an Amazon SP-API host. If you "
            "did not set that address (an --endpoint, a proxy), something on this computer "
            "is trying to send data elsewhere: check for unwanted software.",
            entry.entry_id,
        )
    error = str(d.get("error", ""))
    if error and (error.startswith(INVALID_GRANT[:60]) or "invalid_grant" in error):
        return Alert(
            "credentials_revoked",
            "Amazon no longer accepts this app's refresh token (invalid_grant): the access was "
            "revoked in Seller Central or the token was replaced. If you did not do that, "
            "check Seller Central ▸ Apps and Services for who has access, then reconnect in "
            "Account ▸ Connect.",
            entry.entry_id,
        )
    if entry.event == AuditEvent.VERIFY and _int(d.get("findings")):
        return Alert(
            "pii_past_window",
            f"The disposal check found buyer data of {_int(d.get('findings'))} orders past the "
            "retention window. Run a wipe (Privacy tab or `kinxpro-desktop wipe`), then "
            "verify again.",
            entry.entry_id,
            entry.object_ids[:50],
        )
    return None


class SecurityMonitor:
    def __init__(self, privacy: PrivacyService, clock: Callable[[], datetime] = utcnow) -> None:
        self._privacy = privacy
        self._db = privacy.db
        self._clock = clock

    def _new_entries(self, seen: int) -> tuple[list[AuditEntry], int]:
        found: list[AuditEntry] = []
        offset, top = 0, seen
        while True:
            page = self._db.audit.entries(_PAGE, offset)
            for entry in page:
                top = max(top, entry.entry_id)
                if entry.entry_id <= seen:
                    return found[::-1], top
                found.append(entry)
            if len(page) < _PAGE:
                return found[::-1], top
            offset += _PAGE

    def check(self) -> tuple[str, ...]:
        """Raise each new security event once; returns the alert texts."""
        seen = _int(self._db.settings.get(SEEN_KEY, 0))
        entries, top = self._new_entries(seen)
        alerts = [a for a in (alert_for(e) for e in entries) if a is not None]
        now = self._clock()
        findings = find_past_window(self._db.engine, now - GRACE, self._privacy.retention_days())
        past_ids = sorted({i for f in findings for i in f.order_ids})
        last_past = _int(self._db.settings.get(PAST_WINDOW_KEY, 0))
        if past_ids and len(past_ids) != last_past:
            alerts.append(
                Alert(
                    "pii_past_window",
                    f"Buyer data of {len(past_ids)} order{'' if len(past_ids) == 1 else 's'} "
                    "is still held past the retention window. Run a wipe (Privacy tab or "
                    "`kinxpro-desktop wipe`); if it comes back, send the log to support.",
                    None,
                    tuple(past_ids[:50]),
                )
            )
        old_keys = day_keys_past_window(
            self._db.engine, now - GRACE, self._privacy.retention_days()
        )
        last_keys = _int(self._db.settings.get(OLD_KEYS_KEY, 0))
        if old_keys and len(old_keys) != last_keys:
            alerts.append(
                Alert(
                    "day_key_past_window",
                    f"{len(old_keys)} day keys older than the retention window still exist "
                    f"(oldest {old_keys[0]}): buyer data of those days could still be read "
                    "from an old copy of the database. Run a wipe; if the keys stay, send the "
                    "log to support.",
                    None,
                )
            )
        unchanged = len(past_ids) == last_past and len(old_keys) == last_keys
        if top == seen and not alerts and unchanged:
            return ()
        with self._db.transaction() as uow:
            for alert in alerts:
                uow.audit.append(
                    AuditEvent.SECURITY_ALERT,
                    Actor.SYSTEM,
                    alert.order_ids,
                    {"alert": alert.text[:200], "kind": alert.kind, "source": alert.source},
                    at=now,
                )
            uow.settings.set(SEEN_KEY, top, now=now)
            uow.settings.set(PAST_WINDOW_KEY, len(past_ids), now=now)
            uow.settings.set(OLD_KEYS_KEY, len(old_keys), now=now)
        return tuple(a.text for a in alerts)


def check_quietly(monitor: SecurityMonitor) -> tuple[str, ...]:
    """`check` for callers that must not fail because of it (a damaged file, a busy store):
    the failure is logged and the next check tries again."""
    try:
        return monitor.check()
    except Exception:
        log.warning("the security monitor could not check the audit log", exc_info=True)
        return ()
