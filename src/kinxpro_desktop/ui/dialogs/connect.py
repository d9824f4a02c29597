"""Account ▸ Connect: the seller's own private SP-API app credentials, tested, then kept in
the keyring. Secrets are typed in, never shown back."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.sync import AccountInfo
from kinxpro_desktop.tasks.runner import TaskRunner

REGION_MARKETPLACES = {
    "NA": (
        ("US", "ATVPDKIKX0DER"),
        ("CA", "A2EUQ1WTGCTBG2"),
        ("MX", "A1AM78C64UM0Y8"),
        ("BR", "A2Q3Y263D00KWC"),
    ),
    "EU": (
        ("UK", "A1F83G8C2ARO7P"),
        ("DE", "A1PA6795UKMFR9"),
        ("FR", "A13V1IB3VIYZZH"),
        ("IT", "APJ6JRA9NG5V4"),
        ("ES", "A1RKKUPIHCS9HS"),
    ),
    "FE": (("JP", "A1VC38T7YXB528"), ("AU", "A39IBJ37TRP1C6"), ("SG", "A19VAU5U5O7RUS")),
}

HELP = (
    "Kinxpro ships no Amazon credentials. Register a private SP-API application in Seller "
    "Central (Apps and Services ▸ Develop Apps), self-authorise it, and paste its LWA client "
    "id, client secret and refresh token here. They are kept in your system keyring only."
)


class ConnectDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect your Amazon seller account")
        self._ctx = ctx
        self.info: AccountInfo | None = None
        layout = QVBoxLayout(self)
        if ctx.demo:
            note = QLabel(
                "You are in demo mode: a simulated Amazon on this computer, with fake orders. "
                "Your own account gets its own encrypted data folder, separate from the demo."
            )
            note.setWordWrap(True)
            layout.addWidget(note)
            self.switch_button = QPushButton("Use my own account…")
            self.switch_button.setEnabled(ctx.switch_to_own_account is not None)
            if ctx.switch_to_own_account is not None:
                self.switch_button.clicked.connect(ctx.switch_to_own_account)
            layout.addWidget(self.switch_button)
        intro = QLabel(HELP)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.client_id = QLineEdit()
        self.client_id.setPlaceholderText("amzn1.application-oa2-client.…")
        self.client_secret = QLineEdit()
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.refresh_token = QLineEdit()
        self.refresh_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.refresh_token.setPlaceholderText("Atzr|…")
        self.seller_id = QLineEdit()
        self.seller_id.setPlaceholderText(
            "Seller Central ▸ Settings ▸ Account Info ▸ Merchant token"
        )
        self.region = QComboBox()
        for region in REGION_MARKETPLACES:
            self.region.addItem(region, region)
        self.region.currentIndexChanged.connect(self._fill_marketplaces)
        self.market_row = QHBoxLayout()
        self.market_boxes: list[QCheckBox] = []
        form.addRow("LWA client id:", self.client_id)
        form.addRow("LWA client secret:", self.client_secret)
        form.addRow("Refresh token:", self.refresh_token)
        form.addRow("Seller id (merchant token):", self.seller_id)
        form.addRow("Region:", self.region)
        form.addRow("Marketplaces:", self.market_row)
        layout.addLayout(form)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        self.test_button = QPushButton("&Test connection")
        self.test_button.clicked.connect(self.test_connection)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for edit in (self.client_id, self.client_secret, self.refresh_token, self.seller_id):
            edit.textChanged.connect(self._invalidate)
        self._fill_marketplaces()
        if ctx.accounts is None:
            self.test_button.setEnabled(False)
            self.result_label.setText("Connecting is not available in this session.")

    def _fill_marketplaces(self) -> None:
        for box in self.market_boxes:
            self.market_row.removeWidget(box)
            box.deleteLater()
        self.market_boxes = []
        for i, (country, marketplace_id) in enumerate(
            REGION_MARKETPLACES[self.region.currentData()]
        ):
            box = QCheckBox(country)
            box.setProperty("marketplace_id", marketplace_id)
            box.setChecked(i == 0)
            box.toggled.connect(self._invalidate)
            self.market_row.addWidget(box)
            self.market_boxes.append(box)
        self._invalidate()

    def _invalidate(self, *_args: object) -> None:
        self.info = None
        self.save_button.setEnabled(False)

    def fields(self) -> dict[str, object]:
        return {
            "lwa_client_id": self.client_id.text().strip(),
            "lwa_client_secret": self.client_secret.text().strip(),
            "refresh_token": self.refresh_token.text().strip(),
            "seller_id": self.seller_id.text().strip(),
            "region": self.region.currentData(),
            "marketplaces": tuple(
                str(b.property("marketplace_id")) for b in self.market_boxes if b.isChecked()
            ),
        }

    def test_connection(self) -> None:
        accounts = self._ctx.accounts
        if accounts is None:
            return
        self.test_button.setEnabled(False)
        self.result_label.setText("Testing the connection with Amazon…")
        self._ctx.runner.submit(
            accounts.test,
            self.fields(),
            on_done=self._tested,
            on_error=self._failed,
            kind=TaskRunner.NET,
        )

    def _tested(self, info: AccountInfo) -> None:
        self.test_button.setEnabled(True)
        self.info = info
        markets = ", ".join(f"{m[1]} ({m[3]})" for m in info.marketplaces)
        self.result_label.setText(
            f"✔ Connected to seller {info.seller_id}. Marketplaces: {markets}."
        )
        self.save_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        message = (
            exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}; see the log"
        )
        self.result_label.setText("✘ " + message)

    def save(self) -> None:
        accounts, info = self._ctx.accounts, self.info
        if accounts is None or info is None:
            return
        self.save_button.setEnabled(False)
        self._ctx.runner.submit(
            accounts.save,
            self.fields(),
            info,
            on_done=lambda _r: self._saved(),
            on_error=self._failed,
        )

    def _saved(self) -> None:
        if self._ctx.sync is not None:
            self._ctx.sync.start()
        self._ctx.events.audit_changed.emit()
        self._ctx.events.status_message.emit("Amazon account connected; syncing starts now.")
        self.accept()
