"""What the built bundle carries: the Qt parts a tray app needs, none of the dropped ones, the service's data.

Reads the onedir folder only (no process started), so it runs whenever a
current bundle exists; building is opt-in as for the smoke test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ship import bundle

pytestmark = pytest.mark.slow
QT = Path("_internal") / "PySide6" / "Qt"


@pytest.fixture(scope="module")
def dist() -> Path:
    if not bundle.is_fresh():
        if os.environ.get(bundle.OPT_IN_ENV) != "1":
            pytest.skip(f"bundle not current ({bundle.stale_reason()}); set {bundle.OPT_IN_ENV}=1 to build it")
        bundle.build()
    return bundle.DIST


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_platforms_xcb_and_offscreen_only(dist: Path) -> None:
    assert _names(dist / QT / "plugins" / "platforms") == {"libqxcb.so", "libqoffscreen.so"}


def test_image_formats_we_read_and_write(dist: Path) -> None:
    formats = _names(dist / QT / "plugins" / "imageformats")
    assert {"libqjpeg.so", "libqwebp.so", "libqsvg.so", "libqico.so"} <= formats
    assert not formats & {"libqtiff.so", "libqicns.so", "libqtga.so", "libqwbmp.so", "libqpdf.so"}
    assert "libqsvgicon.so" in _names(dist / QT / "plugins" / "iconengines")


def test_dropped_plugins_and_libraries_are_gone(dist: Path) -> None:
    plugins = _names(dist / QT / "plugins")
    assert not {p for p in plugins if p.startswith("wayland")} | (plugins & {"egldeviceintegrations", "generic",
                                                                             "tls", "networkinformation"})
    everything = {p.name for p in dist.rglob("*.so*")}
    assert not {n for n in everything if n.startswith(("libgtk-3", "libgdk-3", "libQt6Wayland", "libQt6EglFS",
                                                       "libQt6Qml", "libQt6Quick", "libqgtk3"))}
    translations = _names(dist / QT / "translations")
    assert all(name.startswith("qtbase_") for name in translations)


def test_dbus_and_svg_for_the_tray_icon(dist: Path) -> None:
    libs = _names(dist / QT / "lib")
    assert {"libQt6DBus.so.6", "libQt6Svg.so.6", "libQt6XcbQpa.so.6"} <= libs


def test_service_data_files_travel(dist: Path) -> None:
    internal = dist / "_internal"
    migrations = internal / "intake_app" / "service" / "migrations"
    assert (migrations / "env.py").is_file() and list((migrations / "versions").glob("*.py"))
    assert list((internal / "holidays" / "locale").rglob("*.mo"))
    assert (internal / "certifi" / "cacert.pem").is_file()
    assert (internal / "resources" / "icons" / "intake.svg").is_file()
    assert (internal / "resources" / "linux" / "intake-app.desktop").is_file()
