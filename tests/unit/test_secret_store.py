"""No plaintext or null keyring is accepted; the in-memory store keeps secrets for a session."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from keyring.backends import fail, null

from kinxpro_desktop.core.errors import KeyMissing, KeyringUnavailable, WrongKey
from kinxpro_desktop.vault.keys import (
    DB_KEY_NAME,
    keyring_database_key,
    passphrase_database_key,
)
from kinxpro_desktop.vault.secret_store import KeyringSecretStore, MemorySecretStore


@pytest.mark.parametrize("backend", [null.Keyring(), fail.Keyring()])
def test_insecure_backends_are_refused_with_advice(backend: object) -> None:
    with pytest.raises(KeyringUnavailable) as err:
        KeyringSecretStore("kinxpro-test", backend=backend)  # type: ignore[arg-type]
    assert "passphrase mode" in err.value.message
    assert "plain file" in err.value.message


def test_a_chainer_with_no_secure_member_is_refused() -> None:
    chain = SimpleNamespace(backends=[null.Keyring(), fail.Keyring()])  # like ChainerBackend
    with pytest.raises(KeyringUnavailable):
        KeyringSecretStore("kinxpro-test", backend=chain)  # type: ignore[arg-type]


def test_env_forced_null_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    with pytest.raises(KeyringUnavailable):
        KeyringSecretStore("kinxpro-test")


def test_database_key_created_once_then_reused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = MemorySecretStore()
    db = tmp_path / "k.db"
    first = keyring_database_key(store, db)
    assert first.raw is not None and len(first.raw) == 32
    assert keyring_database_key(store, db) == first
    assert "secret" in repr(first) and first.raw.hex() not in repr(first)


def test_missing_key_with_existing_database_is_never_replaced(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "k.db"
    db.write_bytes(b"\x01" * 4096)
    store = MemorySecretStore()
    with pytest.raises(KeyMissing) as err:
        keyring_database_key(store, db)
    assert "will not create a new database" in err.value.message
    assert store.get(DB_KEY_NAME) is None


def test_malformed_stored_key_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = MemorySecretStore()
    store.set(DB_KEY_NAME, "zz-not-hex")
    with pytest.raises(WrongKey):
        keyring_database_key(store, tmp_path / "k.db")


def test_empty_passphrase_is_refused() -> None:
    with pytest.raises(WrongKey):
        passphrase_database_key("")
