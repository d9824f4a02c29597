"""The PyInstaller bundle: build it once, then run its --smoke-test as a user would.

The build goes to a pytest temp folder (never the checkout's dist/ or build/), takes about
35 s, and is shared by the tests of this module. The smoke test runs against a private
gnome-keyring over a private D-Bus session, offscreen and on a private Xvfb (xcb plugin).
Missing tools skip the tests with the reason, except under CI (CI set), where they fail.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.packaging import bundle as b
from tests.support.secret_service import missing_tools, secret_service

pytestmark = pytest.mark.frozen

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def require(missing: list[str], purpose: str) -> None:
    if not missing:
        return
    message = f"{purpose} needs {', '.join(missing)}, not installed"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must have it: see .ci/run)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> b.Bundle:
    try:
        result = b.build(tmp_path_factory.mktemp("pyinstaller"))
    except b.BuildFailed as exc:
        pytest.fail(str(exc))
    print(f"bundle built in {result.seconds:.1f} s")
    return result


def smoke(built: b.Bundle, tmp_path: Path, platform: str, display: str | None = None) -> b.Run:
    require(missing_tools(), "the keyring round trip (Secret Service)")
    with secret_service(tmp_path / "keyring") as env:
        env["QT_QPA_PLATFORM"] = platform
        if display is not None:
            env["DISPLAY"] = display
        workdir = tmp_path / "cwd"  # not the checkout: the bundle must not need it
        workdir.mkdir()
        return b.run([str(built.exe), "--smoke-test"], env, cwd=workdir)


def check_smoke(result: b.Run, *, allowed_stderr: tuple[str, ...] = ()) -> None:
    report = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, report
    assert b.smoke_problems(result.stdout) == [], report
    unexpected = [line for line in b.unexpected_stderr(result.stderr) if line not in allowed_stderr]
    assert unexpected == [], report


def test_smoke_test_offscreen(built: b.Bundle, tmp_path: Path) -> None:
    result = smoke(built, tmp_path, "offscreen")
    check_smoke(result)
    print(result.stdout + f"wall time {result.seconds:.2f} s")


def test_smoke_test_on_x11(built: b.Bundle, tmp_path: Path) -> None:
    """The xcb platform plugin and the X libraries it needs made it into the bundle."""
    require(b.missing_x_tools(), "the X11 run")
    with b.xvfb() as display:
        check_smoke(smoke(built, tmp_path, "xcb", display))


def test_demo_sync_runs_frozen(built: b.Bundle, tmp_path: Path) -> None:
    """Demo simulator in-process plus one full sync through python-amazon-sp-api and httpx: the
    part of issue 5's smoke test that --smoke-test does not cover yet."""
    require(missing_tools(), "the keyring round trip (Secret Service)")
    with secret_service(tmp_path / "keyring") as env:
        cmd = [str(built.exe), "--demo", "--data-dir", str(tmp_path / "data"), "sync"]
        result = b.run(cmd, env, cwd=tmp_path, timeout=300)
    report = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, report
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("sync: done: "), report
    assert [line for line in lines if not line.startswith("sync: ")] == [], report


def test_starts_when_the_user_asks_for_wayland(built: b.Bundle, tmp_path: Path) -> None:
    """QT_QPA_PLATFORM=wayland names a plugin the bundle leaves out: the runtime hook adds the
    xcb fallback (XWayland), so Qt warns once and starts instead of aborting."""
    require(b.missing_x_tools(), "the X11 run")
    with b.xvfb() as display:
        result = smoke(built, tmp_path, "wayland", display)
    check_smoke(
        result,
        allowed_stderr=('qt.qpa.plugin: Could not find the Qt platform plugin "wayland" in ""',),
    )


def test_bundle_has_every_command_of_the_checkout(built: b.Bundle, tmp_path: Path) -> None:
    """Same --help text frozen and from the venv: no subcommand lost to an import PyInstaller
    could not see (cli.py adds `sandbox` only if its module imports)."""
    env = {**os.environ, "COLUMNS": "100"}
    frozen = b.run([str(built.exe), "--help"], env, cwd=tmp_path)
    source = b.run([sys.executable, "-m", "kinxpro_desktop", "--help"], env, cwd=tmp_path)
    assert frozen.returncode == source.returncode == 0, frozen.stderr + source.stderr
    assert frozen.stdout == source.stdout
    sandbox = b.run([str(built.exe), "sandbox", "--help"], env, cwd=tmp_path)
    assert sandbox.returncode == 0, sandbox.stderr


def test_bundle_is_under_the_size_goal(built: b.Bundle) -> None:
    size = b.unpacked_size(built.folder)
    print(f"bundle {size / 1e6:.1f} MB unpacked")
    assert size < b.SIZE_LIMIT_BYTES, f"{size / 1e6:.1f} MB"


def test_bundle_carries_resources_and_migrations(built: b.Bundle) -> None:
    internal = built.folder / "_internal"
    icons = internal / "resources" / "icons"
    for size in ICON_SIZES:
        assert (icons / f"kinxpro-desktop-{size}.png").is_file()
    for name in ("kinxpro-desktop.ico", "kinxpro-desktop.icns", "kinxpro-desktop.svg"):
        assert (icons / name).is_file()
    fonts = internal / "resources" / "fonts"
    for name in (
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "LICENSE-DejaVu.txt",
        "NotoSansCJK-Subset.ttf",  # Japanese, Chinese and Korean in every PDF
        "LICENSE-NotoSansCJK.txt",
    ):
        assert (fonts / name).is_file()
    assert (internal / "resources" / "kinxpro-desktop.desktop").is_file()
    # marketplace-local days on a machine without an OS tz database (Windows, minimal Linux)
    for zone in ("America/Los_Angeles", "Asia/Tokyo", "Europe/London"):
        assert (internal / "tzdata" / "zoneinfo" / zone).is_file()

    source = b.ROOT / "src" / "kinxpro_desktop" / "store" / "migrations"
    bundled = internal / "kinxpro_desktop" / "store" / "migrations"

    def scripts(root: Path) -> set[str]:
        return {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.suffix in (".py", ".mako") and "__pycache__" not in p.parts
        }

    assert scripts(bundled) == scripts(source)


def test_unused_qt_parts_stay_out(built: b.Bundle) -> None:
    qt = built.folder / "_internal" / "PySide6" / "Qt"
    assert not list(qt.glob("translations/*.qm"))
    platforms = {p.name.split(".")[0] for p in (qt / "plugins" / "platforms").iterdir()}
    assert platforms <= {"libqxcb", "libqoffscreen", "qwindows", "qoffscreen", "libqcocoa"}
    plugins = {p.name for p in (qt / "plugins").iterdir()}
    assert not {p for p in plugins if p.startswith("wayland") or p == "egldeviceintegrations"}
    names = {p.name for p in built.folder.rglob("*")}
    for gone in ("libqgtk3.so", "libqtvirtualkeyboardplugin.so", "libgtk-3.so.0"):
        assert gone not in names
    dangling = [p for p in built.folder.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []
