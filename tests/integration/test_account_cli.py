"""`kinxpro-desktop account connect|show|disconnect` against the simulator, in passphrase mode:
the credentials are tested first, kept in the encrypted database, found again by a later
headless `sync` (the scheduled case), never taken from argv, never printed, all audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.store.database import Database
from tests.integration.test_cli import PASS, cli, one_clean_line


@pytest.fixture
def sim() -> Iterator[Simulator]:
    s = Simulator(orders=30, listings=8, time_scale=600.0).start()
    yield s
    s.stop()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    assert cli(folder, "--key-source", "passphrase", "wipe").returncode == 0
    return folder


def secret_lines(sim: Simulator) -> str:
    c = sim.credentials
    return f"{c.client_id}\n{c.client_secret}\n{c.refresh_token}\n"


def audit_events(folder: Path) -> list[tuple[str, str, str]]:
    db = Database.open(folder / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    try:
        return [(e.event, e.actor, json.dumps(e.detail)) for e in db.audit.entries()]
    finally:
        db.close()


def test_connect_once_then_scheduled_sync_finds_the_credentials(data: Path, sim: Simulator) -> None:
    c = sim.credentials
    connected = cli(
        data, "account", "connect", "--endpoint", sim.base_url, "--seller-id", c.seller_id,
        "--marketplace", "US", stdin=secret_lines(sim),
    )  # fmt: skip
    assert connected.returncode == 0, connected.stderr
    assert f"Connected seller {c.seller_id}" in connected.stdout
    assert "encrypted database (passphrase mode)" in connected.stdout
    # A new process, as cron would start it: only the passphrase in the environment.
    synced = cli(data, "sync", "--endpoint", sim.base_url)
    assert synced.returncode == 0, synced.stderr
    assert "sync: done" in synced.stderr

    shown = cli(data, "account", "show")
    assert shown.returncode == 0
    assert c.seller_id in shown.stdout
    for secret in (c.client_secret, c.refresh_token):
        assert secret not in shown.stdout + shown.stderr
    assert c.client_id not in shown.stdout  # masked too

    # Kept encrypted: no secret in any file of the data folder.
    for path in data.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            for secret in (c.client_secret, c.refresh_token):
                assert secret.encode() not in raw, path

    gone = cli(data, "account", "disconnect")
    assert gone.returncode == 0 and "disconnected" in gone.stdout
    after = cli(data, "sync", "--endpoint", sim.base_url)
    assert after.returncode == 2
    assert "No Amazon account is connected" in after.stderr

    events = audit_events(data)
    names = [e[0] for e in events]
    assert "credentials_changed" in names
    assert "credentials_shown" in names
    assert "credentials_removed" in names
    text = json.dumps(events)
    for secret in (c.client_secret, c.refresh_token, PASS):
        assert secret not in text
    assert {e[1] for e in events if e[0].startswith("credentials_")} == {"cli"}


def test_connect_from_json_on_stdin(data: Path, sim: Simulator) -> None:
    c = sim.credentials
    payload = json.dumps(
        {
            "lwa_client_id": c.client_id,
            "lwa_client_secret": c.client_secret,
            "refresh_token": c.refresh_token,
            "seller_id": c.seller_id,
            "region": "NA",
            "marketplaces": ["ATVPDKIKX0DER", "CA"],
        }
    )
    result = cli(
        data, "--endpoint", sim.base_url, "account", "connect", "--from-json", "-", stdin=payload
    )
    assert result.returncode == 0, result.stderr
    assert "(NA: US, CA)" in result.stdout
    assert "Marketplaces:   US, CA" in cli(data, "account", "show").stdout


def test_rejected_credentials_are_not_saved(data: Path, sim: Simulator) -> None:
    c = sim.credentials
    wrong = f"{c.client_id}\namzn1.oa2-cs.v1.not-the-secret\n{c.refresh_token}\n"
    result = cli(
        data, "account", "connect", "--endpoint", sim.base_url, "--seller-id", c.seller_id,
        stdin=wrong,
    )  # fmt: skip
    assert result.returncode == 2
    assert "not-the-secret" not in result.stderr
    assert "No Amazon account is connected" in cli(data, "account", "show").stdout


@pytest.mark.parametrize(
    "client_id",
    ["amzn1.application-oa2-client.XYZ", "amzn1.oa2-cs.v1.secret-in-the-wrong-field", "hello"],
)
def test_client_id_shape_is_checked_before_any_call(
    data: Path, sim: Simulator, client_id: str
) -> None:
    c = sim.credentials
    result = cli(
        data, "account", "connect", "--endpoint", sim.base_url, "--seller-id", c.seller_id,
        stdin=f"{client_id}\n{c.client_secret}\n{c.refresh_token}\n",
    )  # fmt: skip
    assert result.returncode == 2
    line = one_clean_line(result)
    assert "amzn1.application-oa2-client." in line
    assert "testing the connection" not in result.stderr
    assert "secret-in-the-wrong-field" not in result.stderr


def test_secrets_are_never_taken_from_the_command_line(data: Path) -> None:
    result = cli(data, "account", "connect", "--client-secret", "amzn1.oa2-cs.v1.x")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_missing_lines_on_stdin_say_what_is_expected(data: Path) -> None:
    result = cli(data, "account", "connect", "--seller-id", "A1", stdin="only-one-line\n")
    assert result.returncode == 2
    assert "three lines" in one_clean_line(result)


def test_marketplace_outside_the_region_is_refused(data: Path, sim: Simulator) -> None:
    result = cli(
        data, "account", "connect", "--endpoint", sim.base_url, "--seller-id", "A1",
        "--marketplace", "DE", stdin=secret_lines(sim),
    )  # fmt: skip
    assert result.returncode == 2
    assert "--region EU" in result.stderr
