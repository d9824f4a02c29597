"""Day-key stores: the key file (passphrase mode) and the keyring index (keyring mode)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinxpro_desktop.core.errors import WrongKey
from kinxpro_desktop.store.day_key_file import FileDayKeys
from kinxpro_desktop.vault.day_keys import INDEX_NAME, KeyringDayKeys
from kinxpro_desktop.vault.secret_store import MemorySecretStore


class CountingStore(MemorySecretStore):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    def get(self, name: str) -> str | None:
        self.gets += 1
        return super().get(name)


def test_key_file_round_trip_and_destroy(tmp_path: Path) -> None:
    path = tmp_path / "kinxpro.daykeys"
    keys = FileDayKeys(path, b"k" * 32)
    a = keys.get_or_create("2026-11-30")
    assert keys.get_or_create("2026-11-30") == a and len(a) == 32
    keys.get_or_create("2026-12-01")
    assert (path.stat().st_mode & 0o777) == 0o600
    assert a.hex().encode() not in path.read_bytes() and a not in path.read_bytes()
    again = FileDayKeys(path, b"k" * 32)
    assert again.get("2026-11-30") == a and again.days() == ["2026-11-30", "2026-12-01"]
    assert again.destroy(["2026-11-30", "2020-01-01"]) == 1
    assert FileDayKeys(path, b"k" * 32).get("2026-11-30") is None


def test_key_file_is_useless_without_the_database_key(tmp_path: Path) -> None:
    path = tmp_path / "kinxpro.daykeys"
    FileDayKeys(path, b"k" * 32).get_or_create("2026-11-30")
    with pytest.raises(WrongKey, match="does not belong to this database"):
        FileDayKeys(path, b"x" * 32).get("2026-11-30")


def test_keyring_keys_are_cached_and_indexed() -> None:
    store = CountingStore()
    keys = KeyringDayKeys(store)
    a = keys.get_or_create("2026-11-30")
    before = store.gets
    for _ in range(100):
        assert keys.get("2026-11-30") == a
    assert store.gets == before  # the read path never hits the keyring per row
    assert keys.days() == ["2026-11-30"]
    assert store.get(INDEX_NAME) == '["2026-11-30"]'
    assert keys.destroy(["2026-11-30"]) == 1
    assert keys.get("2026-11-30") is None
    assert store.get("pii-day-key/2026-11-30") is None and keys.days() == []


def test_key_file_writer_with_a_stale_copy_never_brings_back_a_destroyed_key(
    tmp_path: Path,
) -> None:
    """The app and a scheduled wipe run in two processes over one key file: the app's stale
    in-memory copy must not rewrite a key the wipe destroyed."""
    path = tmp_path / "kinxpro.daykeys"
    app = FileDayKeys(path, b"k" * 32)
    app.get_or_create("2026-10-01")
    FileDayKeys(path, b"k" * 32).destroy(["2026-10-01"])  # the wipe job
    app.get_or_create("2026-12-01")  # the app saves today's first order
    fresh = FileDayKeys(path, b"k" * 32)
    assert fresh.get("2026-10-01") is None and fresh.days() == ["2026-12-01"]
    assert app.days() == ["2026-12-01"]
