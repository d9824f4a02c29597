"""The standalone ``sandbox`` command, and byte-identical output for the same seed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx

from .conftest import SimFactory
from .support import US

SCRIPT = (
    "import argparse, sys\n"
    "from kinxpro_desktop.sandbox.cli import configure_parser, run\n"
    "parser = argparse.ArgumentParser()\n"
    "configure_parser(parser)\n"
    "sys.exit(run(parser.parse_args(sys.argv[1:])))\n"
)


def test_cli_serves_until_sigterm() -> None:
    args = [sys.executable, "-c", SCRIPT, "--seed", "3", "--orders", "50", "--listings", "20"]
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("SP-API simulator listening on http://127.0.0.1:")
        base_url = first.rsplit(" ", 1)[1]
        lines = [proc.stdout.readline()]
        while lines[-1].rstrip() != "}":
            lines.append(proc.stdout.readline())
        credentials = json.loads("".join(lines))
        assert credentials["baseUrl"] == base_url and credentials["refreshToken"].startswith(
            "Atzr|"
        )
        with httpx.Client(base_url=base_url) as http:
            assert http.get("/_sandbox/credentials").json()["sellerId"] == credentials["sellerId"]
        proc.send_signal(signal.SIGTERM)
        rest = proc.stdout.read()
        assert proc.wait(timeout=10) == 0
    assert "stopped" in rest


def test_cli_rejects_a_bad_fault_spec() -> None:
    args = [sys.executable, "-c", SCRIPT, "--faults", "searchOrders:kaboom"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 2 and "bad fault item" in done.stderr


def test_same_seed_serves_byte_identical_responses(make_sim: SimFactory) -> None:
    bodies = []
    for _ in range(2):
        sim = make_sim(seed=11)
        token = sim.state.issue_access_token()
        with httpx.Client(base_url=sim.base_url, headers={"x-amz-access-token": token}) as http:
            page = http.get(
                "/orders/2026-01-01/orders",
                params={
                    "createdAfter": "2026-01-01T00:00:00Z",
                    "includedData": "BUYER,RECIPIENT,PROCEEDS",
                },
            ).content
            report_id = http.post(
                "/reports/2021-06-30/reports",
                json={"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]},
            ).json()["reportId"]
            sim.advance(60)
            document_id = http.get(f"/reports/2021-06-30/reports/{report_id}").json()[
                "reportDocumentId"
            ]
            url = http.get(f"/reports/2021-06-30/documents/{document_id}").json()["url"]
            document = http.get(url).content
        bodies.append((page.split(b'"pagination"')[0], document))
        sim.stop()
    assert bodies[0] == bodies[1]
