"""Sync recovers from what an interrupted run, a restarted server or a damaged store leave:
a report that no longer exists, a watermark ahead of the server's clock, a failed buyer-data
write (whose values reach neither stderr nor the log), a damaged file (refused)."""

from __future__ import annotations

import io
import logging
import secrets
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kinxpro_desktop.core.errors import DatabaseDamaged, UserError
from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.logging_setup import setup_logging, teardown_logging
from kinxpro_desktop.sandbox import PII_MARKER, Simulator
from kinxpro_desktop.services.sync import SyncService
from kinxpro_desktop.services.sync.common import time_scale, wait_for_report
from kinxpro_desktop.services.sync.headless import run_headless_sync
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.engine import PAGE_SIZE

from .conftest import SCALE, creds_for
from .support import assert_matches_simulator, watermark


def quiet(_: object) -> None:
    pass


def gateway_for(sim: Simulator) -> SpApiGateway:
    gw = SpApiGateway.from_credentials(creds_for(sim), endpoint=sim.base_url, timeout=5)
    gw.backoff_base = 0.05
    return gw


# ---------------------------------------------------------------- a report that is gone


def test_an_orders_report_the_server_no_longer_knows_restarts_that_step(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    """Issue 9 #3: `phase: report` with a report id getReport answers 404 for (a restarted
    simulator; an expired report at Amazon) used to fail every later sync."""
    now = sim.now()
    with db.transaction() as uow:
        uow.sync_state.set(
            "orders", None, {"phase": "report", "report_id": "50123018123", "start": "x"}, now
        )
    report = service.run(CancelToken(), quiet)
    assert report.backfilled
    assert db.sync_state.get("orders").detail == {}
    assert_matches_simulator(db, sim)


def test_a_listings_report_the_server_no_longer_knows_is_requested_again(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    service.run(CancelToken(), quiet)
    markets = list(creds_for(sim).marketplaces)
    with db.transaction() as uow:
        uow.sync_state.set(
            "listings",
            None,
            {"reports": {markets[0]: "50999999999"}, "done": markets[1:]},
            sim.now(),
        )
    report = service.run(CancelToken(), quiet)
    assert report.listings_upserted > 0
    assert db.sync_state.get("listings").detail == {}


def test_an_interrupted_report_survives_a_simulator_restart(
    make_sim: Callable[..., Simulator], db: Database
) -> None:
    first = make_sim()
    cancel = CancelToken()

    def stop_while_waiting(update: object) -> None:
        if getattr(update, "phase", "").startswith("Waiting for Amazon's orders report"):
            cancel.cancel()

    from kinxpro_desktop.core.progress import Cancelled

    with gateway_for(first) as gw, pytest.raises(Cancelled):
        SyncService(db, gw, clock=first.now).run(cancel, stop_while_waiting)
    assert db.sync_state.get("orders").detail.get("phase") == "report"
    first.stop()
    second = make_sim()  # the same world, but it never heard of that report
    with gateway_for(second) as gw:
        report = SyncService(db, gw, clock=second.now).run(CancelToken(), quiet)
    assert report.backfilled
    assert_matches_simulator(db, second)


def test_report_polling_waits_in_the_servers_time(sim: Simulator, gateway: SpApiGateway) -> None:
    """Issue 8 #10: the first wait was 0.2 s of real time whatever the time scale."""

    class Recording(CancelToken):
        def __init__(self) -> None:
            super().__init__()
            self.waits: list[float] = []

        def wait(self, seconds: float) -> bool:
            self.waits.append(seconds)
            return super().wait(seconds)

    report_id = gateway.create_report("GET_MERCHANT_LISTINGS_ALL_DATA", ["ATVPDKIKX0DER"])
    token = Recording()
    assert time_scale(gateway) == pytest.approx(SCALE)  # learnt from the rate headers
    done = wait_for_report(gateway, report_id, token, quiet, "waiting")
    assert done["processingStatus"] == "DONE"
    polls = [w for w in token.waits if w > 0]
    assert polls, "the report was ready at the first poll; nothing to measure"
    assert polls[0] == pytest.approx(0.2 / SCALE)


# ---------------------------------------------------------------- a watermark in the future


def run_until_ahead(make_sim: Callable[..., Simulator], db: Database) -> None:
    first = make_sim()
    with gateway_for(first) as gw:
        service = SyncService(db, gw, clock=first.now)
        service.run(CancelToken(), quiet)
        first.advance(3 * 3600)
        service.run(CancelToken(), quiet)
    first.stop()


@pytest.mark.parametrize("our_clock_ahead", [False, True], ids=["clock-agrees", "clock-ahead"])
def test_a_watermark_ahead_of_a_restarted_servers_clock_is_clamped(
    make_sim: Callable[..., Simulator], db: Database, our_clock_ahead: bool
) -> None:
    """Issue 8 part 1 #2: "searchOrders: ... The after date must be earlier than
    lastUpdatedBefore" after the simulator restarted with an earlier clock. With our clock
    ahead too, the server's own clock is learnt from its answer."""
    run_until_ahead(make_sim, db)
    ahead = watermark(db)
    second = make_sim()  # restarted: its clock is back at the start
    assert ahead > second.now() + timedelta(hours=2)
    clock = (lambda: second.now() + timedelta(hours=5)) if our_clock_ahead else second.now
    with gateway_for(second) as gw:
        service = SyncService(db, gw, clock=clock)
        service.run(CancelToken(), quiet)
        assert watermark(db) <= second.now()
        second.advance(2 * 3600)
        later = service.run(CancelToken(), quiet)
    assert later.orders_upserted > 0
    assert watermark(db) > second.now() - timedelta(minutes=10)


# ---------------------------------------------------------------- buyer data and errors


def test_a_failed_buyer_data_write_reaches_neither_stderr_nor_the_log(
    sim: Simulator, db: Database, gateway: SpApiGateway, tmp_path: Path
) -> None:
    """Issue 9 #2: the bound values of the failing PII statement (name, e-mail, phone,
    street) were printed with the exception and logged by log.exception."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_pii BEFORE INSERT ON order_pii "
                "BEGIN SELECT RAISE(ABORT, 'order_pii write refused by the test'); END"
            )
        )
    handler = setup_logging(tmp_path / "logs" / "kinxpro.log")
    stderr = io.StringIO()
    try:
        try:
            code = run_headless_sync(
                db, creds_for(sim), endpoint=sim.base_url, stream=stderr, clock=sim.now
            )
        except Exception as exc:  # what the CLI's and the GUI's top-level handlers see
            logging.getLogger("test").exception("sync failed")
            stderr.write("".join(traceback.format_exception(exc)))
            code = -1
        handler.flush()
    finally:
        teardown_logging(handler)
    out = stderr.getvalue()
    log_text = (tmp_path / "logs" / "kinxpro.log").read_text(encoding="utf-8")
    assert code not in (0, -1), out
    assert "write refused by the test" in out  # the reason is shown ...
    assert PII_MARKER not in out  # ... but never the values
    assert PII_MARKER not in log_text
    assert "@" not in out.replace("support@", "")


def test_sync_refuses_a_damaged_database(
    sim: Simulator, db: Database, service: SyncService
) -> None:
    """Issue 9 #7: with 21 bytes overwritten in a page, sync exited 0."""
    service.run(CancelToken(), quiet)
    db.checkpoint()
    pages = db.path.stat().st_size // PAGE_SIZE
    with open(db.path, "r+b") as fh:
        fh.seek((pages // 2 - 1) * PAGE_SIZE + 1000)
        fh.write(secrets.token_bytes(21))
    with pytest.raises(DatabaseDamaged) as caught:
        service.run(CancelToken(), quiet)
    assert f"page {pages // 2}" in caught.value.message
    assert "will not write to a damaged database" in caught.value.message
    assert isinstance(caught.value, UserError)


def test_ctrl_c_during_a_headless_sync_exits_130_without_a_traceback_and_resumes(
    sim: Simulator, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9 #3: Ctrl-C gave a raw KeyboardInterrupt traceback."""
    import _thread
    import threading

    calls = {"n": 0}
    original = SpApiGateway.get_report

    def interrupt_on_poll(self: SpApiGateway, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:  # while the orders report is awaited: the main thread gets SIGINT
            threading.Timer(0, _thread.interrupt_main).start()
            threading.Event().wait(0.5)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    stderr = io.StringIO()
    with monkeypatch.context() as patched:  # the one way to press Ctrl-C at a known point
        patched.setattr(SpApiGateway, "get_report", interrupt_on_poll)
        code = run_headless_sync(
            db, creds_for(sim), endpoint=sim.base_url, stream=stderr, clock=sim.now
        )
    assert code == 130
    assert "interrupted" in stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()
    assert db.sync_state.get("orders").detail.get("phase") == "report"
    again = run_headless_sync(
        db, creds_for(sim), endpoint=sim.base_url, stream=stderr, clock=sim.now
    )
    assert again == 0
    assert_matches_simulator(db, sim)


def test_a_damaged_order_pii_root_page_keeps_buyer_data_out_of_stderr_and_the_log(
    sim: Simulator, db: Database, tmp_path: Path
) -> None:
    """Issue 9 #2's repro: corrupt the order_pii root page of a synced store, sync again."""
    stderr = io.StringIO()
    assert (
        run_headless_sync(db, creds_for(sim), endpoint=sim.base_url, stream=stderr, clock=sim.now)
        == 0
    )
    assert db.orders.count_with_pii() > 0
    with db.engine.connect() as conn:
        root = int(
            conn.execute(
                text("SELECT rootpage FROM sqlite_master WHERE name='order_pii'")
            ).scalar_one()
        )
    db.checkpoint()
    with open(db.path, "r+b") as fh:
        fh.seek((root - 1) * PAGE_SIZE + 100)
        fh.write(secrets.token_bytes(21))
    sim.advance(3600)
    handler = setup_logging(tmp_path / "logs" / "kinxpro.log")
    try:
        code = run_headless_sync(
            db, creds_for(sim), endpoint=sim.base_url, stream=stderr, clock=sim.now
        )
        handler.flush()
    finally:
        teardown_logging(handler)
    out = stderr.getvalue()
    assert code == 2
    assert f"page {root} (the root page of order_pii)" in out
    assert PII_MARKER not in out
    assert PII_MARKER not in (tmp_path / "logs" / "kinxpro.log").read_text(encoding="utf-8")
