"""One private CUPS daemon for the printing tests (start ~0.1 s, stop ~2 s)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_tools
from tests.support import cups as cups_support


def _reset_libcups_server() -> None:
    """libcups caches the server per thread on first use; make it read CUPS_SERVER again."""
    name = ctypes.util.find_library("cups")
    if name:
        ctypes.CDLL(name).cupsSetServer(None)


@pytest.fixture(scope="session")
def private_cups() -> Iterator[cups_support.PrivateCups]:
    require_tools(cups_support.missing_tools(), "the CUPS printing tests")
    # filters run as lp and must reach the spool and temp dirs: pytest's tmp dirs are 0700
    root = Path(tempfile.mkdtemp(prefix="kx-cups-"))
    root.chmod(0o755)
    saved = {k: os.environ.get(k) for k in ("CUPS_SERVER", "TMPDIR")}
    with cups_support.private_cups(root) as cups:
        client_tmp = root / "client-tmp"  # Qt's CUPS engine spools through a file here
        client_tmp.mkdir()
        os.environ["CUPS_SERVER"] = cups.server
        os.environ["TMPDIR"] = str(client_tmp)
        _reset_libcups_server()
        try:
            yield cups
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            _reset_libcups_server()
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def cups(private_cups: cups_support.PrivateCups) -> Iterator[cups_support.PrivateCups]:
    """The session's daemon, made the one Qt and lp talk to for this test (modules that import
    ``private_cups`` get a daemon of their own, and the last one started would win)."""
    os.environ["CUPS_SERVER"] = private_cups.server
    os.environ["TMPDIR"] = str(private_cups.root / "client-tmp")
    _reset_libcups_server()
    private_cups.new_pdfs(0, timeout=0)  # forget earlier tests' output
    yield private_cups


def leftovers(cups: cups_support.PrivateCups, *needles: bytes) -> list[str]:
    """Files anywhere under the private CUPS (spool, temp dirs, logs, cache), except cups-pdf's
    own output, that still hold any of the needles."""
    hits = []
    for path in cups.root.rglob("*"):
        if not path.is_file() or cups.pdf_dir in path.parents or path.is_socket():
            continue
        data = path.read_bytes()
        hits += [f"{path.relative_to(cups.root)}: {n[:30]!r}" for n in needles if n in data]
    return hits


def client_tmp(cups: cups_support.PrivateCups) -> list[Path]:
    return list((cups.root / "client-tmp").iterdir())
