"""``kinxpro-desktop sandbox``: run the SP-API simulator in the foreground.

The application's CLI calls :func:`configure_parser` on its ``sandbox`` sub-parser and
:func:`run` with the parsed arguments.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .faults import FaultSpecError, parse_spec
from .simulator import Simulator


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)"
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of the generated data")
    parser.add_argument("--orders", type=int, default=2000, help="orders in the past window")
    parser.add_argument("--days", type=int, default=60, help="length of the past window in days")
    parser.add_argument("--listings", type=int, default=300, help="listings across US, CA and MX")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="simulated seconds per real second; also scales every rate-limit bucket",
    )
    parser.add_argument(
        "--faults",
        default="",
        help="fault spec, e.g. 'searchOrders:429x5,getReportDocument:gzip-truncated' "
        "(OP:KIND[@SECONDS][xCOUNT], comma-separated)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        parse_spec(args.faults or "")
    except FaultSpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.orders < 0 or args.days <= 0 or args.listings <= 0 or args.time_scale <= 0:
        print(
            "error: --orders must be >= 0; --days, --listings and --time-scale > 0", file=sys.stderr
        )
        return 2
    sim = Simulator(
        seed=args.seed,
        orders=args.orders,
        days=args.days,
        listings=args.listings,
        time_scale=args.time_scale,
        faults=args.faults or "",
        port=args.port,
    )
    try:
        sim.start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    print(f"SP-API simulator listening on {sim.base_url}")
    print(sim.describe(), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sim.stop()
    print("SP-API simulator stopped", flush=True)
    return 0
