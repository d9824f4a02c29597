"""`kinxpro-desktop labels list|rates|buy|print|void|ship-from` in child processes against the
simulator (demo credentials it publishes), in passphrase mode: the same services, a clear
one-line message and a non-zero exit on failure, no buyer data on stdout or stderr."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kinxpro_desktop.core.printing import PageSize
from kinxpro_desktop.sandbox import Simulator
from tests.integration.printing.test_cups_printing import assert_size, text_of
from tests.integration.test_cli import cli, one_clean_line
from tests.support.cups import PrivateCups
from tests.support.simulator import sim_fixture

sim = sim_fixture(orders=600, days=4, listings=20, time_scale=300.0)


def run(data: Path, sim: Simulator, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(data, "--key-source", "passphrase", "--demo", "--endpoint", sim.base_url, *args)


def listed_ids(stdout: str) -> list[str]:
    """Order ids from `labels list` (an optional LATE/TODAY mark comes first)."""
    return [
        line.split()[1] if line.startswith(("LATE", "TODAY")) else line.split()[0]
        for line in stdout.splitlines()
        if line.strip()
    ]


def buyer_data(sim: Simulator) -> list[str]:
    world = sim.state.world
    out = []
    for order in world.by_id.values():
        if order.channel == "MFN":
            b = world.buyer(order)
            out += [b.name, b.line1, b.email, b.phone]
    return [x for x in out if x]


def test_labels_commands_end_to_end_without_buyer_data(tmp_path: Path, sim: Simulator) -> None:
    data = tmp_path / "data"
    synced = run(data, sim, "sync")
    assert synced.returncode == 0, synced.stderr
    outputs = [synced.stdout + synced.stderr]

    listed = run(data, sim, "labels", "list")
    assert listed.returncode == 0, listed.stderr
    ids = listed_ids(listed.stdout)
    assert ids, listed.stdout
    order_id = ids[0]
    rates = run(data, sim, "labels", "rates", order_id)
    assert rates.returncode == 0, rates.stderr
    assert "* " in rates.stdout and "not offered: DHL_ECOMMERCE" in rates.stdout
    bought = run(data, sim, "labels", "buy", order_id, "--format", "PDF")
    assert bought.returncode == 0, bought.stderr
    assert "Bought a" in bought.stdout and "Void deadline" in bought.stdout
    again = run(data, sim, "labels", "buy", order_id)
    assert again.returncode == 2
    assert "give a reason" in one_clean_line(again)
    no_printer = run(data, sim, "labels", "print", order_id, "--printer", "no-such-printer")
    assert no_printer.returncode == 2
    one_clean_line(no_printer)
    voided = run(data, sim, "labels", "void", order_id)
    assert voided.returncode == 0, voided.stderr
    assert "voided (Voided (refund pending))" in voided.stdout
    unknown = run(data, sim, "labels", "buy", "111-0000000-0000000")
    assert unknown.returncode == 2 and "sync first" in one_clean_line(unknown)
    ship_from = run(data, sim, "labels", "ship-from", "--country", "USA")
    assert ship_from.returncode == 2 and "two-letter" in one_clean_line(ship_from)
    for result in (listed, rates, bought, again, no_printer, voided, unknown, ship_from):
        outputs.append(result.stdout + result.stderr)
    text = "\n".join(outputs)
    leaked = [x for x in buyer_data(sim) if x in text]
    assert leaked == []


@pytest.mark.cups
def test_buy_with_printer_prints_headless_to_cups(
    tmp_path: Path, sim: Simulator, cups: PrivateCups
) -> None:
    data = tmp_path / "data"
    assert run(data, sim, "sync").returncode == 0
    order_id = listed_ids(run(data, sim, "labels", "list").stdout)[0]
    env = {"CUPS_SERVER": cups.server}
    bought = cli(
        data, "--key-source", "passphrase", "--demo", "--endpoint", sim.base_url,
        "labels", "buy", order_id, "--printer", cups.pdf_queue, env=env,
    )  # fmt: skip
    assert bought.returncode == 0, bought.stderr
    assert "Printed 1 label(s) on" in bought.stdout
    (pdf,) = cups.new_pdfs(1)
    assert_size(pdf, PageSize.LABEL_4X6)
    tracking = bought.stdout.split("tracking ")[1].split(".")[0]
    assert tracking in text_of(pdf)
    reprint = cli(
        data, "--key-source", "passphrase", "--demo", "--endpoint", sim.base_url,
        "labels", "print", order_id, "--printer", cups.pdf_queue, env=env,
    )  # fmt: skip
    assert reprint.returncode == 2 and "reprint needs a reason" in one_clean_line(reprint)
    names = [x for x in buyer_data(sim) if x in bought.stdout + bought.stderr]
    assert names == []
