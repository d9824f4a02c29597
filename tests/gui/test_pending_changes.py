"""The Pending changes panel and the bulk edit dialog, offscreen, over a
real encrypted store and the simulator: old -> new, discard, Submit with Amazon's preview and
per-SKU results (a rejection shows Amazon's text), a conflict side by side with the seller's
choice, cancel keeps the rest staged; every table model passes qtmodeltester."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QLocale

from kinxpro_desktop.core.listing_edits import ChangeStatus
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.sandbox.listings import inject_issue
from kinxpro_desktop.services.connection import Connection
from kinxpro_desktop.services.listing_edits import EditValue, ListingEdits
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.ui.dialogs.bulk_edit import BulkEditDialog
from kinxpro_desktop.ui.widgets.pending_changes import (
    PendingChangesModel,
    PendingChangesPanel,
    ResultsModel,
)
from tests.integration.listings_edit.conftest import US, pick, store_listings
from tests.support.simulator import creds_for, sim_fixture
from tests.support.simulator import fresh_token_cache as _fresh_token_cache  # noqa: F401 (autouse)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


sim = sim_fixture(start=START, orders=100, listings=60, time_scale=300.0)


@pytest.fixture
def edits(database: Database, sim: Simulator) -> Iterator[ListingEdits]:
    store_listings(database, sim)
    conn = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim), timeout=5)
    yield ListingEdits(database, conn, clock=sim.now)
    conn.close()


@pytest.fixture
def panel(make_ctx: Callable[..., Any], edits: ListingEdits, qtbot: Any) -> PendingChangesPanel:
    widget = PendingChangesPanel(make_ctx(), edits=edits)
    qtbot.addWidget(widget)
    return widget


def refreshed(panel: PendingChangesPanel, qtbot: Any, rows: int) -> None:
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rowCount() == rows, timeout=5000)


def select(panel: PendingChangesPanel, row: int) -> None:
    index = panel.model.index(row, 0)
    panel.table.selectionModel().select(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def test_models_pass_qtmodeltester(
    panel: PendingChangesPanel, edits: ListingEdits, sim: Simulator, qtbot: Any, qtmodeltester: Any
) -> None:
    a, b = pick(sim, n=2)
    edits.stage(a, US, EditValue(price="9.99", quantity="3"))
    edits.stage(b, US, EditValue(price="19.99"))
    refreshed(panel, qtbot, 3)
    qtmodeltester.check(panel.model)
    qtmodeltester.check(PendingChangesModel())
    with qtbot.waitSignal(panel.submitted, timeout=20_000):
        panel.submit_button.click()
    qtmodeltester.check(panel.results)
    qtmodeltester.check(ResultsModel())


def test_shows_old_and_new_and_discards(
    panel: PendingChangesPanel, edits: ListingEdits, sim: Simulator, qtbot: Any
) -> None:
    sku = pick(sim)[0]
    old = edits.listing(sku, US).price
    assert old is not None
    edits.stage(sku, US, EditValue(price="12.34"))
    refreshed(panel, qtbot, 1)
    row = [panel.model.index(0, c).data() for c in range(panel.model.columnCount())]
    assert row[:5] == [sku, "US", "Price", str(old.amount.quantize(Decimal("0.01"))), "12.34"]
    assert row[6] == "Staged"
    select(panel, 0)
    panel.discard_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=5000)
    assert edits.pending() == []


def test_submit_shows_per_sku_results_with_amazons_text(
    panel: PendingChangesPanel, edits: ListingEdits, sim: Simulator, qtbot: Any
) -> None:
    good, bad = pick(sim, n=2)
    inject_issue(
        sim.state, bad, "The price is too far below the reference price.", code="8542", when="apply"
    )
    edits.stage(good, US, EditValue(price="25.00"))
    edits.stage(bad, US, EditValue(price="1.00"))
    refreshed(panel, qtbot, 2)
    with qtbot.waitSignal(panel.submitted, timeout=20_000) as blocker:
        panel.submit_button.click()
        assert panel.busy and panel.cancel_button.isEnabled()
    report = blocker.args[0]
    assert report.via == "patch"
    rows = {
        panel.results.index(r, 0).data(): [
            panel.results.index(r, c).data() for c in range(panel.results.columnCount())
        ]
        for r in range(panel.results.rowCount())
    }
    assert rows[good][3] == "Accepted"
    assert rows[bad][3] == "Rejected"
    assert (
        rows[bad][4] == "8542: The price is too far below the reference price. [purchasable_offer]"
    )
    assert "1 accepted, 1 rejected" in panel.status.text()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=5000)
    assert not panel.busy


def test_preview_only_sends_nothing(
    panel: PendingChangesPanel, edits: ListingEdits, sim: Simulator, qtbot: Any
) -> None:
    sku = pick(sim)[0]
    before = sim.state.world.by_sku[sku].price_cents
    inject_issue(sim.state, sku, "Missing the list price.", code="90220", when="preview")
    edits.stage(sku, US, EditValue(price="31.00"))
    refreshed(panel, qtbot, 1)
    with qtbot.waitSignal(panel.submitted, timeout=20_000):
        panel.preview_button.click()
    assert panel.results.index(0, 3).data() == "Invalid (preview)"
    assert "90220: Missing the list price." in panel.results.index(0, 4).data()
    assert sim.state.world.by_sku[sku].price_cents == before
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    assert panel.model.change(0).status is ChangeStatus.STAGED


def test_conflict_side_by_side_and_keep_mine(
    panel: PendingChangesPanel, edits: ListingEdits, sim: Simulator, qtbot: Any
) -> None:
    sku = pick(sim)[0]
    edits.stage(sku, US, EditValue(price="40.00"))
    sim.state.world.by_sku[sku].price_cents = 4444
    refreshed(panel, qtbot, 1)
    with qtbot.waitSignal(panel.submitted, timeout=20_000):
        panel.submit_button.click()
    qtbot.waitUntil(
        lambda: (
            panel.model.rowCount() == 1 and panel.model.change(0).status is ChangeStatus.CONFLICT
        ),
        timeout=5000,
    )
    select(panel, 0)
    assert panel.conflict_box.isVisibleTo(panel)
    assert panel.mine_label.text() == "Yours: price 40.00"
    assert panel.amazon_label.text().startswith("Amazon now: 44.44")
    panel.keep_button.click()
    qtbot.waitUntil(
        lambda: panel.model.rowCount() == 1 and panel.model.change(0).status is ChangeStatus.STAGED,
        timeout=5000,
    )
    assert panel.model.change(0).old_value == "44.44"


def test_cancel_keeps_the_rest_staged(
    panel: PendingChangesPanel, edits: ListingEdits, sim: Simulator, qtbot: Any
) -> None:
    for sku in pick(sim, n=4):
        edits.stage(sku, US, EditValue(quantity="2"))
    refreshed(panel, qtbot, 4)
    panel.submit_button.click()
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=20_000)
    assert "Cancelled" in panel.status.text()
    staged = [c for c in edits.pending() if c.status is ChangeStatus.STAGED]
    assert staged, "a cancelled submit leaves the unsent changes staged"


def test_bulk_edit_reads_the_locales_decimal_comma(
    make_ctx: Callable[..., Any], edits: ListingEdits, sim: Simulator, qtbot: Any
) -> None:
    skus = pick(sim, n=2)
    dialog = BulkEditDialog(
        make_ctx(), [(s, US) for s in skus], edits=edits, locale=QLocale(QLocale.Language.German)
    )
    qtbot.addWidget(dialog)
    dialog.value.setText("abc")
    dialog.ok.click()
    assert "is not a number" in dialog.error.text()
    assert edits.pending() == []
    dialog.value.setText("12,50")
    with qtbot.waitSignal(dialog.staged, timeout=5000) as blocker:
        dialog.ok.click()
    assert {c.new_value for c in blocker.args[0]} == {"12.50"}
    assert {c.sku for c in edits.pending()} == set(skus)


def test_bulk_edit_names_the_bad_sku_and_stages_nothing(
    make_ctx: Callable[..., Any], edits: ListingEdits, sim: Simulator, qtbot: Any
) -> None:
    fba = pick(sim, channel="AFN")[0]
    dialog = BulkEditDialog(make_ctx(), [(fba, US)], edits=edits, locale=QLocale.c())
    qtbot.addWidget(dialog)
    dialog.field.setCurrentIndex(1)  # quantity
    dialog.value.setText("5")
    dialog.ok.click()
    qtbot.waitUntil(lambda: "fulfilled by Amazon" in dialog.error.text(), timeout=5000)
    assert edits.pending() == []


def test_context_services_wait_for_a_connection(
    make_ctx: Callable[..., Any], edits: ListingEdits, sim: Simulator, qtbot: Any
) -> None:
    """build_context gives the panel its service; without an account Submit says how to
    connect and the staged change stays."""
    ctx = make_ctx()
    panel = PendingChangesPanel(ctx)
    qtbot.addWidget(panel)
    sku = pick(sim)[0]
    ctx.listing_edits.stage(sku, US, EditValue(price="3.33"))
    refreshed(panel, qtbot, 1)
    panel.submit_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    assert "No Amazon account is connected" in panel.status.text()
    assert [c.status for c in ctx.listing_edits.pending()] == [ChangeStatus.STAGED]
    assert ctx.shipments.carriers and ctx.documents.printer is not None


def test_staged_changes_go_when_the_connection_returns(
    make_ctx: Callable[..., Any], database: Database, sim: Simulator, qtbot: Any
) -> None:
    store_listings(database, sim)
    real = Connection(None, endpoint=sim.base_url, fixed_credentials=creds_for(sim), timeout=5)

    class Offline:
        online = False

        def gateway(self) -> Any:
            if not self.online:
                from kinxpro_desktop.core.errors import UserError
                from kinxpro_desktop.services.connection import NOT_CONNECTED

                raise UserError(NOT_CONNECTED)
            return real.gateway()

    link = Offline()
    edits = ListingEdits(database, link, clock=sim.now)
    ctx = make_ctx()
    panel = PendingChangesPanel(ctx, edits=edits)
    qtbot.addWidget(panel)
    sku = pick(sim)[0]
    edits.stage(sku, US, EditValue(price="77.70"))
    refreshed(panel, qtbot, 1)
    panel.submit_button.click()
    qtbot.waitUntil(lambda: panel.waiting_for_connection, timeout=10_000)
    assert "sent when Kinxpro reaches Amazon again" in panel.status.text()
    link.online = True
    with qtbot.waitSignal(panel.submitted, timeout=20_000) as blocker:
        ctx.sync.finished.emit(object())  # what the sync controller says after a good sync
    assert [r.status for r in blocker.args[0].results] == [ChangeStatus.ACCEPTED]
    assert sim.state.world.by_sku[sku].price_cents == 7770
    real.close()
