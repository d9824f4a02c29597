"""Operator roles on a real SQLCipher store (issue 13 item 4, PRIVACY.md role row): a shipper
cannot change prices, credentials or export buyer data; an analyst never sees buyer data
(order detail, labels queue, exports, packing slips, CLI output); five wrong passwords lock a
profile (audited); every audit entry of a session names its operator; no profiles -> owner as
before; passwords are never stored or logged in clear."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.dbkey import DatabaseKey
from kinxpro_desktop.core.models import AuditEntry, Listing, Money
from kinxpro_desktop.core.operators import Access, Permission, PermissionDenied, Role
from kinxpro_desktop.core.vocabulary import AuditEvent, Channel
from kinxpro_desktop.services.account import save_account
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.exports import Exporter
from kinxpro_desktop.services.labels import LabelService
from kinxpro_desktop.services.listing_edits import EditValue, ListingEdits
from kinxpro_desktop.services.operators import OperatorService, SignInFailed
from kinxpro_desktop.services.order_documents import OrderDocuments
from kinxpro_desktop.services.views import ViewService
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.vault.credentials import load_credentials
from kinxpro_desktop.vault.secret_store import MemorySecretStore
from tests.integration.test_cli import PASS, cli, one_clean_line
from tests.support.seed import MARKER, make_orders, store_seeded

OWNER_PW = "owner-pass-1234"
SHIPPER_PW = "shipper-pass-5678"
ANALYST_PW = "analyst-pass-9012"
NOW = datetime.now(UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    store = Database.open(
        tmp_path / "kinxpro.db", DatabaseKey(raw=secrets.token_bytes(32), source="test")
    )
    data = make_orders(NOW, count=20, days=5)
    store_seeded(store, data)
    with store.transaction() as uow:
        uow.listings.replace_marketplace(
            "ATVPDKIKX0DER",
            [
                Listing(
                    "SKU-1",
                    "ATVPDKIKX0DER",
                    "B0TEST0001",
                    "Mug",
                    Money(Decimal("12.50"), "USD"),
                    5,
                    "Active",
                    Channel.MFN,
                )
            ],
            now=NOW,
        )
    yield store
    store.close()


def with_profiles(db: Database, clock: Clock | None = None) -> OperatorService:
    ops = OperatorService(db, clock or Clock())
    owner = ops.create(ops.unsigned(), "olga", Role.OWNER, OWNER_PW)
    as_owner = Access.of(owner)
    ops.create(as_owner, "sam", Role.SHIPPER, SHIPPER_PW)
    ops.create(as_owner, "ana", "analyst", ANALYST_PW)
    return ops


def log_of(db: Database) -> list[AuditEntry]:
    """The audit log oldest first."""
    return list(reversed(db.audit.entries(limit=10_000)))


def pii_order(db: Database) -> str:
    with db.engine.connect() as conn:
        return str(conn.execute(text("SELECT order_id FROM order_pii LIMIT 1")).scalar_one())


def test_no_profiles_acts_as_owner_as_before(db: Database) -> None:
    ops = OperatorService(db)
    assert not ops.enabled()
    assert ops.bind(ops.unsigned()).role is Role.OWNER
    staged = ListingEdits(db, Connection(None)).stage("SKU-1", value=EditValue(price="13.00"))
    assert len(staged) == 1
    order_id = pii_order(db)
    assert ViewService(db).order_detail(order_id).has_buyer_data
    assert MARKER in ViewService(db).reveal_buyer_data(order_id, "owner").buyer_name
    assert [e.actor for e in log_of(db)][-2:] == ["owner", "owner"]


def test_first_profile_must_be_an_owner_and_only_owners_manage(db: Database) -> None:
    ops = OperatorService(db)
    with pytest.raises(Exception, match="first operator profile must be an owner"):
        ops.create(ops.unsigned(), "sam", Role.SHIPPER, SHIPPER_PW)
    ops = with_profiles(db)
    shipper = ops.sign_in("sam", SHIPPER_PW)
    with pytest.raises(PermissionDenied, match="owner role"):
        ops.create(shipper, "eve", Role.OWNER, "whatever-123")
    with pytest.raises(PermissionDenied):
        ops.remove(shipper, "olga")
    assert [p.name for p in ops.profiles()] == ["ana", "olga", "sam"]


def test_shipper_cannot_change_prices_credentials_or_export_buyer_data(
    db: Database, tmp_path: Path
) -> None:
    ops = with_profiles(db)
    ops.sign_in("sam", SHIPPER_PW)
    edits = ListingEdits(db, Connection(None))
    with pytest.raises(PermissionDenied, match="may not change prices and quantities") as denied:
        edits.stage("SKU-1", value=EditValue(price="9.99"))
    assert "owner role" in denied.value.message
    with pytest.raises(PermissionDenied):
        edits.submit()
    assert edits.pending() == []

    vault = MemorySecretStore()
    creds = SpApiCredentials("amzn1.application-oa2-client.x", "s" * 20, "Atzr|" + "r" * 20)
    with pytest.raises(PermissionDenied, match="credentials"):
        save_account(vault, db, creds, "owner")
    assert load_credentials(vault) is None

    out = tmp_path / "orders.csv"
    exporter = Exporter(db)
    with pytest.raises(PermissionDenied, match="export buyer data"):
        exporter.export("orders", "csv", out, include_buyer_data=True)
    assert not out.exists()
    plain = exporter.export("orders", "csv", out)  # without buyer data: allowed
    assert plain.rows > 0 and MARKER not in out.read_text()

    # what a shipper may: see and reveal buyer data (audited under their name)
    order_id = pii_order(db)
    assert ViewService(db).order_detail(order_id).has_buyer_data
    assert MARKER in ViewService(db).reveal_buyer_data(order_id, "owner").buyer_name
    assert log_of(db)[-1].actor == "shipper:sam"


def test_analyst_never_sees_buyer_data(db: Database, tmp_path: Path) -> None:
    ops = with_profiles(db)
    order_id = pii_order(db)
    ops.sign_in("ana", ANALYST_PW)
    views = ViewService(db)
    detail = views.order_detail(order_id)
    assert detail.has_buyer_data is False  # not even that some is held
    assert MARKER not in repr(detail)
    with pytest.raises(PermissionDenied, match="see buyer names and addresses"):
        views.reveal_buyer_data(order_id, "owner")
    queue = LabelService(db, Connection(None)).queue()
    assert queue and MARKER not in repr(queue)  # the labels queue carries no recipient
    with pytest.raises(PermissionDenied):
        OrderDocuments(db).slips([order_id])  # packing slips show the address
    with pytest.raises(PermissionDenied):
        LabelService(db, Connection(None)).buy(order_id)
    out = tmp_path / "orders.csv"
    with pytest.raises(PermissionDenied):
        Exporter(db).export("orders", "csv", out, include_buyer_data=True)
    assert not out.exists()
    Exporter(db).export("orders", "csv", out)
    assert MARKER not in out.read_text()
    # listings view and reports are the analyst's job
    assert ListingEdits(db, Connection(None)).pending() == []
    assert db.access.can(Permission.VIEW) and not db.access.can(Permission.SEE_BUYER_DATA)
    reveals = [e for e in log_of(db) if e.event == AuditEvent.REVEAL]
    assert reveals == []


def test_lockout_after_five_wrong_passwords_is_audited(db: Database) -> None:
    clock = Clock()
    ops = with_profiles(db, clock)
    for _ in range(4):
        with pytest.raises(SignInFailed, match="Wrong operator name or password"):
            ops.sign_in("sam", "not-the-password")
    with pytest.raises(SignInFailed):
        ops.sign_in("sam", "not-the-password")  # the fifth locks
    with pytest.raises(SignInFailed, match="locked after 5 wrong passwords; try again in 15"):
        ops.sign_in("sam", SHIPPER_PW)  # even the right one, while locked
    events = [(e.event, e.actor) for e in log_of(db)]
    assert events.count((AuditEvent.SIGN_IN_FAILED, "shipper:sam")) == 5  # 4 wrong + 1 locked
    assert events.count((AuditEvent.OPERATOR_LOCKED, "shipper:sam")) == 1
    clock.now += timedelta(minutes=14)
    with pytest.raises(SignInFailed, match="locked"):
        ops.sign_in("sam", SHIPPER_PW)
    clock.now += timedelta(minutes=2)
    assert ops.sign_in("sam", SHIPPER_PW).role is Role.SHIPPER  # the lock has ended
    with pytest.raises(SignInFailed):
        ops.sign_in("nobody", SHIPPER_PW)
    assert db.audit.verify().ok


def test_every_audit_entry_of_a_session_names_its_operator(db: Database, tmp_path: Path) -> None:
    ops = with_profiles(db)
    first = ops.sign_in("sam", SHIPPER_PW)
    before = len(log_of(db))
    order_id = pii_order(db)
    ViewService(db).reveal_buyer_data(order_id, "owner")  # the UI's generic actor string
    Exporter(db).export("orders", "csv", tmp_path / "o.csv", actor="cli")
    db.audit.append(AuditEvent.SYNC, "sync", (), {})  # an automated actor keeps its name
    switched = ops.sign_in("olga", OWNER_PW, switching_from=first)
    ListingEdits(db, Connection(None)).stage("SKU-1", value=EditValue(price="14.00"))
    entries = log_of(db)[before:]
    assert [e.actor for e in entries] == [
        "shipper:sam",
        "shipper:sam",
        "sync/shipper:sam",
        "owner:olga",
        "owner:olga",
    ]
    assert entries[3].event == AuditEvent.OPERATOR_SWITCHED
    assert entries[3].detail == {"operator": "owner:olga", "from": "shipper:sam"}
    assert switched.actor == "owner:olga"
    assert db.audit.verify().ok


def test_passwords_never_stored_or_logged_in_clear(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ops = with_profiles(db)
    with pytest.raises(SignInFailed) as wrong:
        ops.sign_in("sam", "typo-" + SHIPPER_PW)
    ops.sign_in("sam", SHIPPER_PW)
    with db.engine.connect() as conn:  # every row of every table, decrypted
        tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).all()
        rows = [conn.execute(text(f'SELECT * FROM "{name}"')).all() for (name,) in tables]  # noqa: S608
        dump = "\n".join(repr(row) for table in rows for row in table)
    assert "shipper:sam" in dump and "owner" in dump
    logged = caplog.text + json.dumps([e.detail for e in log_of(db)])
    for pw in (OWNER_PW, SHIPPER_PW, ANALYST_PW, "typo-" + SHIPPER_PW):
        assert pw not in dump
        assert pw.encode().hex() not in dump
        assert pw not in logged
        assert pw not in str(wrong.value)
    profile = db.operators.get("sam")
    assert profile is not None and len(profile.hash) == 64 and len(profile.salt) == 32
    assert profile.salt != db.operators.get("olga").salt  # type: ignore[union-attr]


# -- the command line (child processes, passphrase mode) -----------------------------------
def cli_profiles(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert cli(data, "--key-source", "passphrase", "wipe").returncode == 0
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    try:
        store_seeded(db, make_orders(NOW, count=10, days=3))
        with_profiles(db)
    finally:
        db.close()
    return data


def cli_audit(data: Path) -> list[tuple[str, str]]:
    db = Database.open(data / "kinxpro.db", DatabaseKey(passphrase=PASS, source="passphrase"))
    try:
        return [(e.event, e.actor) for e in log_of(db)]
    finally:
        db.close()


def test_cli_operator_option_roles_and_analyst_default(tmp_path: Path) -> None:
    data = cli_profiles(tmp_path)
    out = tmp_path / "orders.csv"
    # profiles exist, no --operator: an analyst; buyer data export refused, plain one works
    refused = cli(data, "export", "orders", "--format", "csv", "--out", str(out),
                  "--include-buyer-data")  # fmt: skip
    assert refused.returncode == 2
    assert "may not export buyer data" in one_clean_line(refused)
    assert not out.exists()
    plain = cli(data, "export", "orders", "--format", "csv", "--out", str(out))
    assert plain.returncode == 0, plain.stderr
    assert MARKER not in out.read_text() + plain.stdout + plain.stderr
    synced = cli(data, "sync")
    assert "needs a signed-in operator. Add --operator NAME" in one_clean_line(synced)
    wiped = cli(data, "wipe")  # the wipe (and the wipe-while-closed job) needs nobody
    assert wiped.returncode == 0, wiped.stderr
    assert "needs a signed-in operator" in one_clean_line(cli(data, "retention", "7"))

    # a shipper, password from the environment (never argv)
    env = {"KINXPRO_OPERATOR_PASSWORD": SHIPPER_PW}
    ship = cli(data, "--operator", "sam", "export", "orders", "--format", "csv", "--out",
               str(out), "--include-buyer-data", env=env)  # fmt: skip
    assert ship.returncode == 2 and "owner role" in one_clean_line(ship)
    account = cli(data, "account", "show", "--operator", "sam", env=env)
    assert "may not change the Amazon account credentials" in one_clean_line(account)
    # the owner, password on a pipe
    owner = cli(data, "--operator", "olga", "export", "orders", "--format", "csv", "--out",
                str(out), "--include-buyer-data", stdin=OWNER_PW + "\n")  # fmt: skip
    assert owner.returncode == 0, owner.stderr
    assert MARKER in out.read_text()
    wrong = cli(data, "--operator", "olga", "verify", stdin="nope\n")
    assert wrong.returncode == 2 and "Wrong operator name or password" in one_clean_line(wrong)
    audit = cli_audit(data)
    assert (AuditEvent.EXPORT, "owner:olga") in audit
    assert (AuditEvent.SIGN_IN_FAILED, "owner:olga") in audit
    logs = "".join(p.read_text() for p in (data / "logs").glob("*.log*"))
    for pw in (OWNER_PW, SHIPPER_PW, "nope"):
        assert pw not in logs


def test_cli_without_profiles_is_owner_and_refuses_operator(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli(data, "--key-source", "passphrase", "wipe").returncode == 0
    listed = cli(data, "operator", "list")
    assert listed.returncode == 0 and "acts as owner" in listed.stdout
    refused = cli(data, "--operator", "olga", "verify", stdin="x\n")
    assert "No operator profiles are defined" in one_clean_line(refused)
    added = cli(data, "operator", "add", "olga", "--role", "owner",
                env={"KINXPRO_NEW_OPERATOR_PASSWORD": OWNER_PW})  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert ("operator_added", "owner") in cli_audit(data)
    later = cli(data, "operator", "add", "x", "--role", "analyst")
    assert "needs a signed-in operator" in one_clean_line(later)


def test_compliance_report_states_the_roles_in_use(db: Database) -> None:
    from kinxpro_desktop.services.compliance import ComplianceService
    from kinxpro_desktop.services.privacy import PrivacyService

    def roles_row() -> tuple[str, str]:
        doc = ComplianceService(PrivacyService(db)).document()
        row = next(r for s in doc.sections for r in s.rows if r.label == "Role-based access")
        return row.state, row.detail

    assert roles_row()[0] == "NOT SET UP"
    ops = with_profiles(db)
    with pytest.raises(SignInFailed):
        ops.sign_in("sam", "wrong-password")
    state, detail = roles_row()
    assert state == "OK"
    assert "1 owner, 1 shipper, 1 analyst" in detail and "1 failed" in detail


def test_analyst_search_never_matches_buyer_names_and_rows_show_none_held(db: Database) -> None:
    from kinxpro_desktop.services.views import OrderFilter

    ops = with_profiles(db)
    order_id = pii_order(db)
    views = ViewService(db)
    name = views.reveal_buyer_data(order_id, "owner").buyer_name  # as owner (no sign-in yet)
    by_name = OrderFilter(text=name)
    assert views.order_keys(by_name, "purchase_date", True) == [order_id]
    assert any(r.has_buyer_data for r in views.order_page(OrderFilter(), "id", False, 0, 50))
    ops.sign_in("ana", ANALYST_PW)
    assert views.count_orders(by_name) == 0
    assert views.order_keys(by_name, "purchase_date", True) == []
    assert views.order_page(by_name, "purchase_date", True, 0, 50) == []
    assert views.order_keys(OrderFilter(text=order_id), "purchase_date", True) == [order_id]
    rows = views.order_page(OrderFilter(), "purchase_date", True, 0, 50)
    assert rows and not any(r.has_buyer_data for r in rows)
    assert not any(r.has_buyer_data for r in views.orders_by_id([order_id]).values())


def test_an_unknown_name_costs_a_password_check_too(db: Database) -> None:
    """Timing must not tell which operator names exist."""
    import time

    ops = with_profiles(db)

    def seconds(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(SignInFailed):
            ops.sign_in(name, "wrong-password")
        return time.perf_counter() - start

    known = min(seconds("olga") for _ in range(3))
    unknown = min(seconds("nobody") for _ in range(3))
    assert unknown > known * 0.5, (known, unknown)


def test_only_an_owner_changes_the_retention_period(db: Database) -> None:
    from kinxpro_desktop.services.privacy import PrivacyService

    ops = with_profiles(db)
    privacy = PrivacyService(db)
    before = privacy.retention_days()
    for name, pw in (("sam", SHIPPER_PW), ("ana", ANALYST_PW)):
        ops.sign_in(name, pw)
        with pytest.raises(PermissionDenied, match="change privacy settings"):
            privacy.set_retention(7, "owner")
        assert privacy.retention_days() == before
    ops.sign_in("olga", OWNER_PW)
    privacy.set_retention(7, "owner")
    assert privacy.retention_days() == 7
    assert log_of(db)[-1].actor in ("owner:olga", "system/owner:olga")
