"""A tab that shows its empty state until its table has rows (or a filter is applied).

The empty state matches the app's state (not connected, first sync running, no data yet).
Data-change refreshes update the table in place, and wait while the tab is hidden.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLayout,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.changes import Changes, Ids
from kinxpro_desktop.ui.models.paged import PagedTableModel
from kinxpro_desktop.ui.tabs.empty import EmptyStateTab

SEARCH_DEBOUNCE_MS = 250


class DataTab(QWidget):
    def __init__(self, name: str, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name.lower()}Tab")
        self.empty = EmptyStateTab(name)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._name = name
        self._ctx = ctx
        self._model: PagedTableModel | None = None
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self.search_timer.timeout.connect(self.apply_filter)
        ctx.sync.health_changed.connect(lambda _h: self.update_empty_state())

    def set_content(self, bar: QLayout, body: QWidget, model: PagedTableModel) -> None:
        """The filter bar and table page; the model's loads switch empty state and page."""
        page = QWidget()
        pl = QVBoxLayout(page)
        pl.setContentsMargins(6, 6, 6, 0)
        pl.addLayout(bar)
        pl.addWidget(body, 1)
        self.stack.addWidget(page)
        self._model = model
        model.active = False
        model.loaded.connect(self._loaded)
        model.failed.connect(
            lambda text: self._ctx.events.status_message.emit(f"{self._name}: {text}")
        )
        self._ctx.events.data_changed.connect(self._data_changed)

    def compact_filters(self, status: QComboBox, channel: QComboBox, market: QComboBox) -> None:
        """The filter combos keep a small minimum width (9, 9 and 13 characters), so the bar
        fits the window's minimum size whatever the longest entry."""
        for combo, chars in ((status, 9), (channel, 9), (market, 13)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(chars)

    def search_as_you_type(self, search: QLineEdit) -> None:
        """Filter ~250 ms after the last key press; Enter filters at once."""
        search.textChanged.connect(lambda _t: self.search_timer.start())
        search.returnPressed.connect(self.apply_filter)

    def apply_filter(self) -> None:
        raise NotImplementedError

    def changed_ids(self, changes: Changes) -> tuple[bool, Ids]:
        """(whether this tab's rows are touched, which ids) — subclasses pick their field."""
        raise NotImplementedError

    def _data_changed(self, changes: Changes) -> None:
        touched, ids = self.changed_ids(changes)
        if touched and self._model is not None:
            self._model.refresh(ids)

    def is_filtered(self) -> bool:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._model is not None:
            self._model.set_active(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self._model is not None:
            self._model.set_active(False)

    def _loaded(self, total: int) -> None:
        self.stack.setCurrentIndex(1 if total or self.is_filtered() else 0)
        self.update_empty_state()
        self.on_loaded(total)

    def update_empty_state(self) -> None:
        sync = self._ctx.sync
        if sync.health.running:
            self.empty.set_state("syncing")
        elif sync.connected and sync.health.last_success is None:
            self.empty.set_state("waiting")
        elif sync.connected:
            self.empty.set_state("connected")
        else:
            self.empty.set_state("not_connected")

    def on_loaded(self, total: int) -> None:
        """Subclasses update their counts here."""
