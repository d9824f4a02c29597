"""Look and feel: Fusion with a considered palette, light or dark following the system.

``KINXPRO_THEME=light|dark|system`` (or ``apply_style(app, theme=...)``) forces a scheme, for
screenshots and for sellers whose desktop reports no preference. Icons come from the desktop
theme when it has them, else from the small SVGs bundled under ``resources/icons/ui``.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionHeader,
)
from PySide6.QtWidgets import QWidget as _QWidget

from kinxpro_desktop.resources import resource

THEME_ENV = "KINXPRO_THEME"
THEMES = ("system", "light", "dark")

LIGHT = {
    "window": "#f4f5f7",
    "base": "#ffffff",
    "alt": "#f7f8fa",
    "text": "#1d2330",
    "muted": "#687182",
    "button": "#eceef2",
    "highlight": "#2f6fde",
    "highlighted_text": "#ffffff",
    "link": "#2a62c9",
    "tooltip": "#ffffe6",
    "border": "#d5d9e0",
}
DARK = {
    "window": "#1f2228",
    "base": "#262a31",
    "alt": "#2b3038",
    "text": "#e6e8ec",
    "muted": "#98a1b0",
    "button": "#30353e",
    "highlight": "#3d7ef0",
    "highlighted_text": "#ffffff",
    "link": "#7fb0ff",
    "tooltip": "#30353e",
    "border": "#3b414c",
}

#: icon name -> (freedesktop theme name, bundled fallback)
ICONS = {
    "listings": ("", "listings"),
    "orders": ("", "orders"),
    "labels": ("", "labels"),
    "reports": ("", "reports"),
    "privacy": ("", "privacy"),
    "sync": ("view-refresh", "sync"),
    "cancel": ("process-stop", "cancel"),
    "quit": ("application-exit", "quit"),
    "connect": ("", "connect"),
    "about": ("help-about", "about"),
    "status": ("", "status"),
    "search": ("edit-find", "search"),
}


def icon(name: str) -> QIcon:
    theme_name, bundled = ICONS.get(name, ("", name))
    try:
        fallback = QIcon(str(resource("icons", "ui", f"{bundled}.svg")))
    except FileNotFoundError:
        fallback = QIcon()
    if theme_name and QIcon.hasThemeIcon(theme_name):
        return QIcon.fromTheme(theme_name, fallback)
    return fallback


def wanted_theme(theme: str | None = None) -> str:
    """'light' or 'dark': a forced theme, else the system's colour scheme."""
    choice = (theme or os.environ.get(THEME_ENV, "system")).strip().lower()
    if choice in ("light", "dark"):
        return choice
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"


def palette_for(theme: str) -> QPalette:
    c = DARK if theme == "dark" else LIGHT
    p = QPalette()
    role = QPalette.ColorRole
    for r, key in (
        (role.Window, "window"),
        (role.WindowText, "text"),
        (role.Base, "base"),
        (role.AlternateBase, "alt"),
        (role.Text, "text"),
        (role.Button, "button"),
        (role.ButtonText, "text"),
        (role.Highlight, "highlight"),
        (role.HighlightedText, "highlighted_text"),
        (role.Link, "link"),
        (role.ToolTipBase, "tooltip"),
        (role.ToolTipText, "text"),
        (role.PlaceholderText, "muted"),
        (role.Mid, "border"),
    ):
        p.setColor(r, QColor(c[key]))
    window = QColor(c["window"])  # bevel roles Fusion derives frames and handles from
    p.setColor(role.Light, window.lighter(150 if theme == "dark" else 112))
    p.setColor(role.Midlight, window.lighter(125 if theme == "dark" else 106))
    p.setColor(role.Dark, window.darker(160 if theme == "dark" else 135))
    p.setColor(role.Shadow, window.darker(250 if theme == "dark" else 180))
    p.setColor(role.BrightText, QColor("#ff6b6b" if theme == "dark" else "#c62828"))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(disabled, r, QColor(c["muted"]))
    return p


def stylesheet(theme: str) -> str:
    c = DARK if theme == "dark" else LIGHT
    try:
        check = resource("icons", "ui", "check.svg").as_posix()
    except FileNotFoundError:
        check = ""
    return f"""
QTabWidget::pane {{ border: 1px solid {c["border"]}; border-radius: 4px; top: -1px; }}
QTabBar::tab {{ padding: 6px 16px; margin-right: 2px; border: 1px solid {c["border"]};
                border-bottom: none; border-top-left-radius: 5px; border-top-right-radius: 5px;
                background: {c["button"]}; color: {c["muted"]}; }}
QTabBar::tab:selected {{ background: {c["base"]}; color: {c["text"]}; }}
QTabBar::tab:hover:!selected {{ background: {c["alt"]}; color: {c["text"]}; }}
QGroupBox {{ font-weight: 600; border: 1px solid {c["border"]}; border-radius: 6px;
             margin-top: 12px; padding-top: 6px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; }}
QTableView {{ border: 1px solid {c["border"]}; gridline-color: {c["border"]};
              selection-background-color: {c["highlight"]}; }}
QHeaderView::section {{ padding: 4px 6px; border: none;
                        border-bottom: 1px solid {c["border"]}; background: {c["button"]}; }}
QLabel#emptyStateText, QLabel#countLabel {{ color: {c["muted"]}; }}
QLabel#demoBadge {{ background: #e8a200; color: #1d2330; font-weight: bold;
                    border-radius: 3px; padding: 1px 6px; }}
QLabel#keyBadge {{ color: {c["muted"]}; }}
QStatusBar::item {{ border: none; }}
QCheckBox::indicator {{ width: 14px; height: 14px; border: 1px solid {c["muted"]};
                        border-radius: 3px; background: {c["base"]}; }}
QCheckBox::indicator:checked {{ background: {c["highlight"]}; border-color: {c["highlight"]};
                                image: url("{check}"); }}
QCheckBox::indicator:disabled {{ border-color: {c["border"]}; }}
"""


class _Style(QProxyStyle):
    """Fusion, with header sort arrows the way sellers read them: ▼ newest/largest first."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: object,
        widget: _QWidget | None = None,
    ) -> None:
        arrow = element == QStyle.PrimitiveElement.PE_IndicatorHeaderArrow
        if arrow and isinstance(option, QStyleOptionHeader):
            flipped = QStyleOptionHeader(option)
            flipped.sortIndicator = sort_arrow(option.sortIndicator)
            super().drawPrimitive(element, flipped, painter, widget)  # type: ignore[arg-type]
            return
        super().drawPrimitive(element, option, painter, widget)  # type: ignore[arg-type]


def sort_arrow(indicator: QStyleOptionHeader.SortIndicator) -> QStyleOptionHeader.SortIndicator:
    """Qt paints a descending sort as SortUp (an up arrow) in Fusion; sellers read ▲ as
    "ascending". Swap, so a newest-first column shows ▼."""
    if indicator == QStyleOptionHeader.SortIndicator.SortUp:
        return QStyleOptionHeader.SortIndicator.SortDown
    if indicator == QStyleOptionHeader.SortIndicator.SortDown:
        return QStyleOptionHeader.SortIndicator.SortUp
    return indicator


def apply_style(app: QApplication, theme: str | None = None) -> str:
    """Fusion, palette and stylesheet for ``theme`` (or the system's scheme). Returns the
    theme applied; follows later system changes unless a theme was forced."""
    chosen = wanted_theme(theme)
    base = QStyleFactory.create("Fusion")
    app.setStyle(_Style(base))
    app.setPalette(palette_for(chosen))
    app.setStyleSheet(stylesheet(chosen))
    app.setProperty("kinxproTheme", chosen)
    forced = (theme or os.environ.get(THEME_ENV, "system")).strip().lower() in ("light", "dark")
    if not forced and not app.property("kinxproFollowsScheme"):
        app.setProperty("kinxproFollowsScheme", True)
        QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _s: apply_style(app))
    return chosen
