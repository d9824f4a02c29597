"""Creating and unlocking the store: atomic first run, leftovers named, file modes, the
failed-unlock record validated, and passphrase mode's secrets kept in the encrypted file.

These use real SQLCipher files (no Qt)."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlcipher3

from kinxpro_desktop.core.errors import DatabaseDamaged, UserError
from kinxpro_desktop.paths import AppPaths, resolve_paths
from kinxpro_desktop.services.session import (
    KEYRING,
    PASSPHRASE,
    PASSPHRASE_STORE_NAME,
    StoreLocation,
    open_session,
)

GOOD = "a long enough passphrase"
NO_KEYRING = "keyring.backends.fail.Keyring"
CLI = (sys.executable, "-m", "kinxpro_desktop")


def loc_of(paths: AppPaths) -> StoreLocation:
    return StoreLocation.of(paths)


def open_pass(paths: AppPaths, passphrase: str = GOOD, **kw: object):  # type: ignore[no-untyped-def]
    return open_session(
        loc_of(paths),
        prefer=PASSPHRASE,
        passphrase=lambda _new: passphrase,
        **kw,  # type: ignore[arg-type]
    )


def test_passphrase_mode_keeps_secrets_in_the_encrypted_database(app_paths: AppPaths) -> None:
    session = open_pass(app_paths)
    assert session.secrets.backend_name == PASSPHRASE_STORE_NAME
    session.secrets.set("spapi-credentials", '{"x": "Atzr|secret-token-value"}')
    session.close()
    assert b"secret-token-value" not in app_paths.database.read_bytes()
    again = open_pass(app_paths)
    assert again.secrets.get("spapi-credentials") == '{"x": "Atzr|secret-token-value"}'
    again.secrets.delete("spapi-credentials")
    assert again.secrets.get("spapi-credentials") is None
    again.close()


def test_new_database_is_private_in_an_existing_open_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    old = os.umask(0o022)
    try:
        paths = resolve_paths(folder)
        paths.ensure()
        open_pass(paths).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(paths.database.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.key_mode_file.stat().st_mode) == 0o600
    assert not [p for p in folder.iterdir() if ".creating-" in p.name]


def test_short_passphrase_creates_nothing(app_paths: AppPaths) -> None:
    with pytest.raises(UserError, match="at least 12 characters"):
        open_pass(app_paths, "x")
    assert not app_paths.database.exists()
    assert not app_paths.key_mode_file.exists()


def _header_only(path: Path) -> None:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA key = 'whatever passphrase'")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


@pytest.mark.parametrize("prefer", [None, PASSPHRASE])
def test_leftover_header_from_an_older_first_run_is_named(
    app_paths: AppPaths, monkeypatch: pytest.MonkeyPatch, prefer: str | None
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    _header_only(app_paths.database)
    assert app_paths.database.stat().st_size == 4096
    before = app_paths.database.read_bytes()
    with pytest.raises(DatabaseDamaged) as caught:
        open_session(loc_of(app_paths), prefer=prefer, passphrase=lambda _n: GOOD)
    assert "interrupted first run" in caught.value.message
    assert "keyring" not in caught.value.message and "passphrase mode" not in caught.value.message
    assert app_paths.database.read_bytes() == before


def test_empty_leftover_is_named_not_sent_to_passphrase_mode(
    app_paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    app_paths.database.write_bytes(b"")
    with pytest.raises(DatabaseDamaged, match="empty"):
        open_session(loc_of(app_paths))


def test_marker_without_a_database_follows_the_new_preference(app_paths: AppPaths) -> None:
    app_paths.key_mode_file.write_text(KEYRING + "\n")  # a first run stopped after the marker
    session = open_pass(app_paths)
    assert session.key_mode == PASSPHRASE
    session.close()
    assert app_paths.key_mode_file.read_text().strip() == PASSPHRASE


def _cli(data: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "KINXPRO_PASSPHRASE"}
    env.update(PYTHON_KEYRING_BACKEND=NO_KEYRING, KINXPRO_PASSPHRASE=GOOD)
    return subprocess.Popen(
        [*CLI, "--data-dir", str(data), "--key-source", "passphrase", "wipe"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_first_run_killed_anywhere_leaves_nothing_or_a_working_store(tmp_path: Path) -> None:
    rng = random.Random(8)
    outcomes = []
    for i in range(10):
        data = tmp_path / f"d{i}"
        proc = _cli(data)
        time.sleep(rng.uniform(0.15, 0.9))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        existed = (data / "kinxpro.db").exists()
        again = _cli(data)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, (i, err.decode())
        assert b"deleted buyer data" in out
        outcomes.append(existed)
        assert not [p for p in data.iterdir() if ".creating-" in p.name]
    print(f"killed runs that had already moved the store in: {sum(outcomes)}/10")


def _failures(paths: AppPaths, payload: bytes) -> list[tuple[str, dict[str, object]]]:
    open_pass(paths).close()
    paths.unlock_failures_file.write_bytes(payload)
    session = open_pass(paths)
    try:
        entries = [(e.event, dict(e.detail)) for e in session.db.audit.entries()]
    finally:
        session.close()
    assert not paths.unlock_failures_file.exists()
    return [e for e in entries if e[0] in ("unlock_failed", "security_alert")]


def test_failed_unlock_record_keeps_only_well_formed_entries(app_paths: AppPaths) -> None:
    payload = json.dumps(
        [
            {"at": "2026-12-01T10:00:00+00:00", "reason": "WrongKey"},
            {"at": "2026-12-01T10:01:00+00:00", "reason": "x" * 5000},
            {"at": "yesterday", "reason": "WrongKey"},
            "not an entry",
        ]
    ).encode()
    found = _failures(app_paths, payload)
    failed = sorted((d for e, d in found if e == "unlock_failed"), key=lambda d: str(d["at"]))
    assert failed == [
        {"at": "2026-12-01T10:00:00+00:00", "reason": "WrongKey"},
        {"at": "2026-12-01T10:01:00+00:00", "reason": "other"},
    ]
    assert any(e == "security_alert" for e, _d in found)


def test_oversized_failed_unlock_record_is_not_copied(app_paths: AppPaths) -> None:
    payload = json.dumps([{"at": "2026-12-01T10:00:00+00:00", "reason": "A" * 100_000}]).encode()
    found = _failures(app_paths, payload)
    assert [e for e, _d in found if e == "unlock_failed"] == []
    alert = next(d for e, d in found if e == "security_alert")
    assert len(json.dumps(alert)) < 300


def test_passphrase_is_derived_once_and_the_file_stays_a_plain_sqlcipher_passphrase_db(
    app_paths: AppPaths,
) -> None:
    from kinxpro_desktop.vault.keys import passphrase_database_key

    open_pass(app_paths).close()
    key = passphrase_database_key(GOOD, app_paths.database)
    assert key.raw is not None and key.raw[32:] == app_paths.database.read_bytes()[:16]
    # Any SQLCipher 4 client opens it with the passphrase itself.
    conn = sqlcipher3.connect(str(app_paths.database))
    conn.execute("PRAGMA key = 'a long enough passphrase'")
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] >= 1
    conn.close()


def test_a_finished_store_never_replaces_one_that_appeared_meanwhile(tmp_path: Path) -> None:
    from kinxpro_desktop.services.session import _move_in

    aside, final = tmp_path / "kinxpro.db.creating-1", tmp_path / "kinxpro.db"
    aside.write_bytes(b"new")
    final.write_bytes(b"theirs")
    with pytest.raises(UserError, match="Nothing was overwritten"):
        _move_in(aside, final)
    assert final.read_bytes() == b"theirs"
    final.unlink()
    _move_in(aside, final)
    assert final.read_bytes() == b"new" and not aside.exists()
