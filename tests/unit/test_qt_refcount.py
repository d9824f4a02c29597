"""PySide6 must not leak references to None: 6.12.0 on CPython 3.11 dropped one per call of a
method returning nothing, and a window aborted ("none_dealloc") after some thousands of
repaints. Run in a child process so that an abort fails this test instead of killing pytest."""

from __future__ import annotations

import os
import subprocess
import sys

CHILD = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView
app = QApplication([])
obj = QObject()
view = QTableView()
view.setModel(QStandardItemModel(40, 6))
view.resize(600, 400)
view.show()
before = sys.getrefcount(None)
for _ in range(30_000):          # more than None's whole refcount at start-up
    obj.setObjectName("x")
for _ in range(300):
    view.viewport().repaint()
print(sys.getrefcount(None) - before)
"""


def test_thirty_thousand_void_calls_and_repaints_keep_none_alive() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, f"the Qt process died: {done.stderr[-400:]}"
    # A healthy binding leaves None's count where it was (give or take cached objects).
    assert int(done.stdout.strip()) > -100, done.stdout
