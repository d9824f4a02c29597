"""Privacy tab: encryption status, retention, wipes, disposal check and the audit log.

Every database call goes through the task runner; this widget only shows results.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.models import AuditEntry, ChainCheck, PrivacyStatus, WipeResult
from kinxpro_desktop.core.retention import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS
from kinxpro_desktop.services.privacy import VerifyReport
from kinxpro_desktop.ui import fmt
from kinxpro_desktop.ui.models.audit import AuditTableModel
from kinxpro_desktop.ui.widgets.export_button import ExportButton
from kinxpro_desktop.ui.widgets.privacy_center import PrivacyCenterPanel

RANGE_HINT = f"{MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS} days"
#: the spin box accepts any typed number, so "40" stays "40" and is refused in words
TYPED_MAX = 9999


def _fmt(moment: datetime | None) -> str:
    return fmt.local_datetime(moment, seconds=True) if moment else "never"


class PrivacyTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("privacyTab")
        self._ctx = ctx
        self.next_wipe_at: datetime | None = None
        self.status: PrivacyStatus | None = None

        enc = QGroupBox("Encryption at rest")
        form = QFormLayout(enc)
        self.sqlcipher_label = QLabel("…")
        self.cipher_label = QLabel("…")
        self.key_source_label = QLabel("…")
        self.db_path_label = QLabel("…")
        self.db_path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("SQLCipher:", self.sqlcipher_label)
        form.addRow("Cipher:", self.cipher_label)
        form.addRow("Key source:", self.key_source_label)
        form.addRow("Database:", self.db_path_label)

        ret = QGroupBox("Buyer data retention")
        rform = QFormLayout(ret)
        self.retention_spin = QSpinBox()
        self.retention_spin.setObjectName("retentionDays")
        self.retention_spin.setRange(0, TYPED_MAX)
        self.retention_spin.setValue(MAX_RETENTION_DAYS)
        self.retention_spin.setCorrectionMode(
            QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue
        )
        self.retention_spin.setToolTip(
            "Buyer names, e-mails, phones and addresses, and label documents, are deleted once "
            f"this many days have passed since the order was placed ({RANGE_HINT})."
        )
        self.retention_spin.valueChanged.connect(self._retention_typed)
        self.apply_button = QPushButton("&Apply and wipe…")
        self.apply_button.clicked.connect(self.apply_retention)
        self.retention_error = QLabel("")
        self.retention_error.setObjectName("retentionError")
        self.retention_error.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.retention_spin)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        rform.addRow("Keep buyer data for:", row)
        rform.addRow(self.retention_error)
        self.confirm_box: QMessageBox | None = None
        self._retention_typed(self.retention_spin.value())
        self.last_wipe_label = QLabel("…")
        self.next_wipe_label = QLabel("…")
        self.pii_count_label = QLabel("…")
        rform.addRow("Last wipe:", self.last_wipe_label)
        rform.addRow("Next wipe:", self.next_wipe_label)
        rform.addRow("Orders holding buyer data:", self.pii_count_label)
        self.verify_disposal_button = QPushButton("&Verify disposal now")
        self.verify_disposal_button.clicked.connect(self.verify_disposal)
        self.disposal_result = QLabel("")
        self.disposal_result.setWordWrap(True)
        vrow = QHBoxLayout()
        vrow.addWidget(self.verify_disposal_button)
        vrow.addWidget(self.disposal_result, 1)
        rform.addRow(vrow)

        audit = QGroupBox("Audit log (tamper-evident, kept 365 days)")
        alay = QVBoxLayout(audit)
        self.audit_model = AuditTableModel(self)
        self.audit_view = QTableView()
        self.audit_view.setModel(self.audit_model)
        self.audit_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.audit_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.audit_view.horizontalHeader().setStretchLastSection(True)
        self.audit_view.verticalHeader().setVisible(False)
        self.audit_view.setAlternatingRowColors(True)
        self.audit_view.setShowGrid(False)
        self.audit_view.setWordWrap(False)
        self.audit_view.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        metrics = self.audit_view.fontMetrics()
        for col, sample in enumerate(
            ("00000", "00/00/0000 00:00:00 PM", "Amazon account connected", "Kinxpro (sched.)")
        ):
            self.audit_view.setColumnWidth(col, metrics.horizontalAdvance(sample) + 24)
        self.audit_view.setColumnWidth(4, metrics.horizontalAdvance("000-0000000-0000000") + 24)
        self.verify_chain_button = QPushButton("Verify &chain")
        self.verify_chain_button.clicked.connect(self.verify_chain)
        self.chain_result = QLabel("")
        self.chain_result.setWordWrap(True)
        arow = QHBoxLayout()
        arow.addWidget(self.verify_chain_button)
        arow.addWidget(self.chain_result, 1)
        self.audit_export = ExportButton(ctx, "audit")
        arow.addWidget(self.audit_export)
        alay.addWidget(self.audit_view)
        alay.addLayout(arow)

        top = QHBoxLayout()
        top.addWidget(enc, 1)
        top.addWidget(ret, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(audit, 1)
        self.center = PrivacyCenterPanel.for_context(ctx, self)  # reports, backup, wipe job
        layout.addWidget(self.center.scrollable())

        ctx.events.wiped.connect(self._on_wiped)
        ctx.events.audit_changed.connect(self.refresh)

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        privacy = self._ctx.privacy
        self._ctx.runner.submit(
            lambda: (privacy.status(), privacy.audit_entries()),
            on_done=self._show,
            on_error=self._show_error,
        )
        self.center.refresh()

    def _show(self, result: tuple[PrivacyStatus, list[AuditEntry]]) -> None:
        status, entries = result
        self.status = status
        enc = status.encryption
        self.sqlcipher_label.setText(enc.sqlcipher_version)
        self.cipher_label.setText(enc.cipher)
        self.key_source_label.setText(enc.key_source)
        self.db_path_label.setText(enc.database_path)
        if not self.retention_spin.hasFocus():
            self.retention_spin.setValue(status.retention_days)
            self._retention_typed(status.retention_days)
        count = (
            ""
            if status.last_wipe_orders is None
            else f" ({fmt.plural(status.last_wipe_orders, 'order')})"
        )
        self.last_wipe_label.setText(_fmt(status.last_wipe_at) + count)
        self.next_wipe_label.setText(_fmt(self.next_wipe_at))
        self.pii_count_label.setText(fmt.number(status.orders_with_pii))
        self.audit_model.set_entries(entries)

    def _show_error(self, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__} (see the log)"
        self._ctx.events.status_message.emit(f"Privacy: {text}")
        self.disposal_result.setText(text)

    def set_next_wipe(self, moment: datetime) -> None:
        self.next_wipe_at = moment
        self.next_wipe_label.setText(_fmt(moment))

    # -- actions -------------------------------------------------------------------------
    def _retention_typed(self, days: int) -> None:
        """Say at once when a typed number is outside what is allowed; never change it."""
        self.retention_spin.setSuffix(" day" if days == 1 else " days")
        ok = MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS
        self.apply_button.setEnabled(ok)
        self.retention_error.setVisible(not ok)
        if ok:
            self.retention_error.setText("")
        elif days > MAX_RETENTION_DAYS:
            self.retention_error.setText(
                f"Choose {RANGE_HINT}: buyer data may not be kept longer than "
                f"{MAX_RETENTION_DAYS} days (Amazon's Data Protection Policy)."
            )
        else:
            self.retention_error.setText(
                f"Choose {RANGE_HINT}: buyer data is needed for at least a day to ship."
            )

    def apply_retention(self) -> None:
        """Ask first (saying how many orders lose their buyer data), then apply and wipe."""
        days = self.retention_spin.value()
        if not (MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS):
            self._retention_typed(days)
            return
        self.apply_button.setEnabled(False)
        self._ctx.runner.submit(
            self._ctx.views.buyer_data_to_delete,
            days,
            on_done=lambda count: self._confirm(days, count),
            on_error=lambda _exc: self._confirm(days, None),
        )

    def _confirm(self, days: int, count: int | None) -> None:
        if count is None:
            what = "Buyer data older than that is deleted now and cannot be recovered."
        elif count == 0:
            what = "No order's buyer data is old enough to be deleted now."
        else:
            what = (
                f"The buyer data of {fmt.plural(count, 'order')} placed more than "
                f"{fmt.plural(days, 'day')} ago is deleted now and cannot be recovered."
            )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Apply retention and wipe",
            f"Keep buyer data for {fmt.plural(days, 'day')}?\n\n{what}",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        wipe = box.addButton(
            "Delete now" if count else "Apply", QMessageBox.ButtonRole.DestructiveRole
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirm_box = box
        box.finished.connect(lambda _r: self._confirmed(days, box.clickedButton() is wipe))
        box.open()

    def _confirmed(self, days: int, yes: bool) -> None:
        self.confirm_box = None
        if not yes:
            self.apply_button.setEnabled(True)
            self.disposal_result.setText("Retention unchanged.")
            return
        self.apply_button.setEnabled(False)
        self.disposal_result.setText(f"Applying {fmt.plural(days, 'day')} and wiping…")
        self._ctx.runner.submit(
            self._ctx.privacy.set_retention,
            days,
            self._ctx.actor,
            on_done=self._retention_applied,
            on_error=self._retention_failed,
        )

    def _retention_applied(self, result: WipeResult) -> None:
        self.apply_button.setEnabled(True)
        self.disposal_result.setText(
            f"Retention saved. Wiped buyer data of {fmt.plural(result.orders_wiped, 'order')} "
            f"and {fmt.plural(result.labels_wiped, 'label document')}."
        )
        self._ctx.events.wiped.emit(result)

    def _retention_failed(self, exc: BaseException) -> None:
        self.apply_button.setEnabled(True)
        self._show_error(exc)

    def verify_disposal(self) -> None:
        self.verify_disposal_button.setEnabled(False)
        self.disposal_result.setText("Checking…")
        self._ctx.runner.submit(
            self._ctx.privacy.verify,
            self._ctx.actor,
            on_done=self._disposal_checked,
            on_error=self._retention_failed,
        )

    def _disposal_checked(self, report: VerifyReport) -> None:
        self.verify_disposal_button.setEnabled(True)
        if report.ok:
            self.disposal_result.setText("✔ " + "; ".join(report.lines()))
        else:
            self.disposal_result.setText("✘ " + "; ".join(report.lines()))
        self.refresh()

    def verify_chain(self) -> None:
        self.verify_chain_button.setEnabled(False)
        self.chain_result.setText("Checking…")
        self._ctx.runner.submit(
            self._ctx.privacy.verify_chain,
            self._ctx.actor,
            on_done=self._chain_checked,
            on_error=self._chain_failed,
        )

    def _chain_checked(self, check: ChainCheck) -> None:
        self.verify_chain_button.setEnabled(True)
        self.chain_result.setText(("✔ " if check.ok else "✘ ") + check.describe())
        self.refresh()

    def _chain_failed(self, exc: BaseException) -> None:
        self.verify_chain_button.setEnabled(True)
        self._show_error(exc)

    def _on_wiped(self, _result: WipeResult) -> None:
        self.refresh()
