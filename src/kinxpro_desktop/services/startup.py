"""What happens before any window shows: unlock, migrate, wipe expired PII, prune the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import WipeResult
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.session import Session, StoreLocation, open_session
from kinxpro_desktop.vault.credentials import load_credentials
from kinxpro_desktop.vault.secret_store import KeyringSecretStore, SecretStore


@dataclass
class Started:
    session: Session
    privacy: PrivacyService
    wipe: WipeResult
    connected: bool = False  # SP-API credentials are in the secret store
    alerts: tuple[str, ...] = ()  # security events the seller must see now


def start(
    loc: StoreLocation,
    *,
    prefer: str | None = None,
    passphrase: Callable[[bool], str] | None = None,
    keyring_store: Callable[[str], SecretStore] = KeyringSecretStore,
    actor: str = "owner",
) -> Started:
    session = open_session(
        loc, prefer=prefer, passphrase=passphrase, keyring_store=keyring_store, actor=actor
    )
    try:
        privacy = PrivacyService(session.db)
        wipe = privacy.wipe("system")
        privacy.prune_audit()
    except BaseException:
        session.close()
        raise
    try:
        connected = load_credentials(session.secrets) is not None
    except UserError:
        connected = False  # unreadable credentials: Account ▸ Connect says so
    alerts = security_alerts(session, privacy)
    return Started(session, privacy, wipe, connected, alerts)


REPEATED_FAILURES = 3


def security_alerts(session: Session, privacy: PrivacyService) -> tuple[str, ...]:
    """Access monitoring at unlock: repeated failed unlocks and a broken audit chain."""
    alerts = []
    if session.failed_unlocks >= REPEATED_FAILURES:
        alerts.append(
            f"{session.failed_unlocks} failed attempts to unlock this database were made since "
            "it was last opened. If that was not you, someone may be trying to read your data: "
            "change your passphrase or keyring password."
        )
    chain = session.db.audit.verify()
    if not chain.ok:
        alerts.append(
            f"{chain.describe()} The audit log was altered outside Kinxpro. Keep a copy of "
            "the database for investigation (Privacy tab, Verify chain)."
        )
    for text in alerts:
        session.db.audit.append(
            "security_alert", "system", (), {"alert": text[:200], "broken_at": chain.broken_at}
        )
    return tuple(alerts)
