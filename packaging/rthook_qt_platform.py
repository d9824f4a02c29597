"""PyInstaller runtime hook: pick a Qt platform plugin that the Linux bundle actually ships.

The bundle carries only the xcb and offscreen platform plugins (Wayland's are left out, see the
spec). On a Wayland desktop the app therefore runs through XWayland. Without this hook Qt would
first look for the missing "wayland" plugin and print a warning on every start, and a user who
exported QT_QPA_PLATFORM=wayland (common on Sway, Hyprland, some KDE setups) could not start the
app at all. Runs before any app code; does nothing outside a frozen Linux build.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

SHIPPED = ("xcb", "offscreen")


def choose(env: Mapping[str, str]) -> str | None:
    """The QT_QPA_PLATFORM value to set, or None to leave the environment alone."""
    requested = env.get("QT_QPA_PLATFORM", "")
    if requested:
        names = [n.split(":")[0].strip() for n in requested.split(";")]
        return None if any(n in SHIPPED for n in names) else requested + ";xcb"
    on_wayland = bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"
    if on_wayland and env.get("DISPLAY"):
        return "xcb"  # XWayland
    return None  # X11 session: Qt picks xcb itself; no display: let the app decide


if getattr(sys, "frozen", False) and sys.platform.startswith("linux"):
    chosen = choose(os.environ)
    if chosen is not None:
        os.environ["QT_QPA_PLATFORM"] = chosen
