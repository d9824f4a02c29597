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
    return Started(session, privacy, wipe, connected)
