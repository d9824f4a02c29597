"""Table model over audit entries (newest first)."""

from __future__ import annotations

import json

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from kinxpro_desktop.core.models import AuditEntry

COLUMNS = ("#", "Time (UTC)", "Event", "Actor", "Orders", "Detail")
Index = QModelIndex | QPersistentModelIndex


class AuditTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[AuditEntry] = []

    def set_entries(self, entries: list[AuditEntry]) -> None:
        self.beginResetModel()
        self._rows = list(entries)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        e = self._rows[index.row()]
        col = index.column()
        if col == 0:
            return e.entry_id
        if col == 1:
            return e.at.strftime("%Y-%m-%d %H:%M:%S")
        if col == 2:
            return e.event
        if col == 3:
            return e.actor
        if col == 4:
            return ", ".join(e.object_ids[:3]) + (" …" if len(e.object_ids) > 3 else "")
        if col == 5:
            return json.dumps(e.detail, sort_keys=True)
        return None
