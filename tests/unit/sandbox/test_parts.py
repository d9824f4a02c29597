"""Fault specs, token buckets, the clock and labels."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from kinxpro_desktop.sandbox import clock, labels, ratelimit
from kinxpro_desktop.sandbox.faults import FaultInjector, FaultSpecError, parse_spec


def test_fault_spec_syntax() -> None:
    faults = parse_spec(
        "searchOrders:429x5, getReportDocument:gzip-truncated,*:slow@6.5x*,lwa:invalid-grant"
    )
    assert [(f.operation, f.kind, f.remaining, f.seconds) for f in faults] == [
        ("searchOrders", "429", 5, 10.0),
        ("getReportDocument", "gzip-truncated", 1, 10.0),
        ("*", "slow", None, 6.5),
        ("lwa", "invalid-grant", 1, 10.0),
    ]
    for bad in ("searchOrders", "searchOrders:boom", "x:429x0", ":500", "a:500xz"):
        with pytest.raises(FaultSpecError):
            parse_spec(bad)


def test_faults_are_consumed_in_order_and_wildcards_skip_lwa() -> None:
    injector = FaultInjector("getReport:500x2,*:503")
    kinds = frozenset({"500", "503"})
    assert [injector.take("getReport", kinds).kind for _ in range(3)] == ["500", "500", "503"]  # type: ignore[union-attr]
    injector.set("*:503x*")
    assert injector.take("lwa", kinds) is None
    assert all(injector.take("getFeed", kinds) is not None for _ in range(10))


def test_bucket_refills_at_rate_times_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])
    for operation, (rate, burst) in ratelimit.RATE_TABLE.items():
        limiter = ratelimit.RateLimiter(time_scale=100)
        assert all(limiter.try_acquire(operation) for _ in range(burst))
        assert not limiter.try_acquire(operation)
        now[0] += 10 / (rate * 100)  # exactly ten tokens' worth of time
        granted = sum(limiter.try_acquire(operation) for _ in range(burst + 5))
        assert granted == min(10, burst), operation


def test_clock_scales_and_only_moves_forward() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sim_clock = clock.SimClock(start, time_scale=1000)
    assert sim_clock.now() >= start.timestamp()
    assert sim_clock.advance(3600) >= start.timestamp() + 3600
    with pytest.raises(ValueError):
        sim_clock.advance(-1)
    assert clock.iso(start.timestamp()) == "2026-01-01T00:00:00Z"
    assert clock.parse_iso("2026-01-01T01:00:00+01:00") == start.timestamp()
    assert clock.parse_iso("2026-01-01") == start.timestamp()
    for bad in ("TEST_CASE_400", "02/21/2022"):
        with pytest.raises(ValueError):
            clock.parse_iso(bad)


INFO = labels.LabelInfo(
    "UPS", "UPS Ground", "1Z999AA10123456784", "111-1234567-1234567",
    ("Kinxpro Demo", "1 Main St", "Seattle, WA 98101"),
    ("Olivia Harris-Simbuyer", "12 Elm St", "Denver, CO 80206", "US"),
)  # fmt: skip


def test_labels_in_every_format() -> None:
    pdf, mime = labels.render("PDF", INFO)
    assert (
        mime == "application/pdf"
        and pdf.startswith(b"%PDF")
        and labels.render("PDF", INFO)[0] == pdf
    )
    png, mime = labels.render("PNG", INFO)
    with Image.open(io.BytesIO(png)) as image:
        assert mime == "image/png" and image.size == (812, 1218)
    zpl203, mime = labels.render("ZPL203", INFO)
    zpl300, _ = labels.render("ZPL300", INFO)
    assert mime == "application/zpl"
    assert zpl203.startswith(b"^XA") and zpl203.rstrip().endswith(b"^XZ")
    assert b"^FD1Z999AA10123456784^FS" in zpl203 and b"^PW812" in zpl203 and b"^PW1200" in zpl300
    assert b"Olivia Harris-Simbuyer" in zpl300
    with pytest.raises(ValueError):
        labels.render("GIF", INFO)
