"""A tab that shows its empty state until its table has rows (or a filter is applied)."""

from __future__ import annotations

from PySide6.QtWidgets import QLayout, QStackedWidget, QVBoxLayout, QWidget

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.ui.models.paged import PagedTableModel
from kinxpro_desktop.ui.tabs.empty import EmptyStateTab


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

    def set_content(self, bar: QLayout, body: QWidget, model: PagedTableModel) -> None:
        """The filter bar and table page; the model's loads switch empty state and page."""
        page = QWidget()
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addLayout(bar)
        pl.addWidget(body, 1)
        self.stack.addWidget(page)
        model.loaded.connect(self._loaded)
        model.failed.connect(
            lambda text: self._ctx.events.status_message.emit(f"{self._name}: {text}")
        )
        self._ctx.events.data_changed.connect(model.reload)

    def is_filtered(self) -> bool:
        raise NotImplementedError

    def _loaded(self, total: int) -> None:
        self.stack.setCurrentIndex(1 if total or self.is_filtered() else 0)
        self.on_loaded(total)

    def on_loaded(self, total: int) -> None:
        """Subclasses update their counts here."""
