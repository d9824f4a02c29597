"""Inline editors for table cells whose commit is a service call, not ``setData``.

The delegate hands the typed text to a callback (the tab validates it and stages it through
a service on the task runner); the model is never written from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QLineEdit, QStyleOptionViewItem, QWidget

from kinxpro_desktop.ui.widgets.tables import ChipDelegate

Index = QModelIndex | QPersistentModelIndex
Commit = Callable[[QModelIndex, str], None]


class CommitDelegate(ChipDelegate):
    """A line edit; on commit ``commit(index, text)`` decides what happens."""

    def __init__(self, commit: Commit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._commit = commit

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("cellEditor")
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            value = index.data(Qt.ItemDataRole.EditRole)
            editor.setText("" if value is None else str(value))
            editor.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if not isinstance(editor, QLineEdit) or editor.property("kxCommitted"):
            return
        editor.setProperty("kxCommitted", True)  # Enter then focus-out: one commit
        before = index.data(Qt.ItemDataRole.EditRole)
        text = editor.text()
        if before is not None and text == str(before):
            return  # nothing changed: nothing to stage
        self._commit(index.model().index(index.row(), index.column()), text)
