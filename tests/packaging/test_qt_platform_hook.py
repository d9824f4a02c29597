"""The bundle's runtime hook steers Qt to the platform plugins the Linux bundle ships."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from types import ModuleType

import pytest

from tests.packaging.bundle import ROOT

HOOK = ROOT / "packaging" / "rthook_qt_platform.py"


def load_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rthook_qt_platform", HOOK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not frozen: defines choose() and changes nothing
    return module


@pytest.fixture(scope="module")
def choose() -> Callable[[Mapping[str, str]], str | None]:
    return load_hook().choose  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),  # no display at all: the app decides (the smoke test picks offscreen)
        ({"DISPLAY": ":0"}, None),  # X11 session: Qt picks xcb
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, None),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "xcb"),  # XWayland
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, "xcb"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),  # no XWayland: nothing to steer to
        ({"QT_QPA_PLATFORM": "offscreen"}, None),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, None),
        ({"QT_QPA_PLATFORM": "xcb:nograb"}, None),
        ({"QT_QPA_PLATFORM": "wayland"}, "wayland;xcb"),  # would abort: not shipped
        ({"QT_QPA_PLATFORM": "wayland-egl", "DISPLAY": ":0"}, "wayland-egl;xcb"),
    ],
)
def test_choice(
    choose: Callable[[Mapping[str, str]], str | None],
    env: dict[str, str],
    expected: str | None,
) -> None:
    assert choose(env) == expected
