"""`kinxpro-desktop listings set|pending|submit` in child processes against the simulator, in
passphrase mode: the same validation (a bad value: one clean line, exit 2, nothing staged),
one line per SKU on submit, exit 1 when Amazon rejected a change."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kinxpro_desktop.sandbox import Simulator
from tests.integration.test_cli import cli, one_clean_line
from tests.support.simulator import sim_fixture

from .conftest import US, pick

sim = sim_fixture(orders=200, days=4, listings=30, time_scale=300.0)


def run(data: Path, sim: Simulator, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(data, "--key-source", "passphrase", "--demo", "--endpoint", sim.base_url, *args)


def test_listings_commands_end_to_end(tmp_path: Path, sim: Simulator) -> None:
    data = tmp_path / "data"
    synced = run(data, sim, "sync")
    assert synced.returncode == 0, synced.stderr
    mfn, other = pick(sim, n=2)
    fba = pick(sim, channel="AFN")[0]
    for args, words in (
        (("--price", "abc"), "'abc' is not a price"),
        (("--price", "0"), "more than 0"),
        (("--price", "0.001"), "at most 2 decimals"),
        (("--quantity", "-1"), "cannot be negative"),
        (("--price", "12,50"), "use '.' as the decimal point"),
    ):
        bad = run(data, sim, "listings", "set", mfn, *args)
        assert bad.returncode == 2, bad.stderr
        assert words in one_clean_line(bad)
    fba_qty = run(data, sim, "listings", "set", fba, "--quantity", "4")
    assert fba_qty.returncode == 2 and "fulfilled by Amazon" in one_clean_line(fba_qty)
    empty = run(data, sim, "listings", "pending")
    assert empty.returncode == 0 and "No pending changes." in empty.stdout

    staged = run(data, sim, "listings", "set", mfn, "--price", "12,50", "--decimal-comma",
                 "--quantity", "6", "--marketplace", "US")  # fmt: skip
    assert staged.returncode == 0, staged.stderr
    assert "-> 12.50" in staged.stdout and "-> 6" in staged.stdout
    assert run(data, sim, "listings", "set", other, "--price", "99999.99").returncode == 0
    pending = run(data, sim, "listings", "pending")
    assert pending.stdout.count("[Staged]") == 3, pending.stdout

    preview = run(data, sim, "listings", "submit", "--preview-only")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert f"{mfn} (US) price/quantity valid" in preview.stdout
    assert sim.state.world.by_sku[mfn].quantity != 6

    from kinxpro_desktop.sandbox.listings import inject_issue

    inject_issue(sim.state, other, "The price is above the maximum allowed.", code="8026",
                 when="apply")  # fmt: skip
    submitted = run(data, sim, "listings", "submit")
    assert submitted.returncode == 1, submitted.stdout + submitted.stderr
    assert f"{mfn} (US) price/quantity accepted" in submitted.stdout
    assert (
        f"{other} (US) price REJECTED: 8026: The price is above the maximum allowed. "
        "[purchasable_offer]" in submitted.stdout
    )
    assert sim.state.world.by_sku[mfn].quantity == 6
    assert sim.state.world.by_sku[mfn].price_cents == 1250
    after = run(data, sim, "listings", "pending")
    assert "No pending changes." in after.stdout
    assert US
