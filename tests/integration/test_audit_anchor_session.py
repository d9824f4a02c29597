"""Keyring mode anchors the audit head at unlock: a chain re-hashed by someone holding the
database file and its key, but not the keyring, is found by verify after the next unlock."""

from __future__ import annotations

from pathlib import Path

from kinxpro_desktop.paths import resolve_paths
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.session import KEYRING, StoreLocation, open_session
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.vault.keys import keyring_database_key
from kinxpro_desktop.vault.secret_store import MemorySecretStore
from tests.integration.test_audit_chain import rewrite_from


def test_a_rehashed_chain_is_found_through_the_keyring_anchor(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data")
    paths.ensure()
    loc = StoreLocation.of(paths)
    keyring = MemorySecretStore("test keyring")
    session = open_session(loc, prefer=KEYRING, keyring_store=lambda _s: keyring)
    for i in range(8):
        session.db.audit.append("reveal", "owner", (f"111-000000{i}-0000000",), {"n": i})
    session.close()  # the head's copy goes to the keyring

    # Someone with the file and the database key (not the keyring) rewrites and re-hashes.
    key = keyring_database_key(keyring, loc.database)
    plain = Database.open(loc.database, key)
    rewrite_from(plain, 3)
    assert plain.audit.verify().ok  # alone, a re-hashed chain looks intact
    plain.close()

    again = open_session(loc, keyring_store=lambda _s: keyring)
    try:
        report = PrivacyService(again.db).verify("owner")
    finally:
        again.close()
    assert not report.ok
    assert any("keyring" in line for line in report.lines())
