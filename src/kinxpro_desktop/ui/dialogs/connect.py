"""Account ▸ Connect: the seller's own private SP-API app credentials, tested, then kept in
the keyring (or, in passphrase mode, in the encrypted database). Secrets are typed in, never
shown back."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kinxpro_desktop.context import AppContext
from kinxpro_desktop.core import marketplaces
from kinxpro_desktop.core.credentials import REGIONS, client_id_problem
from kinxpro_desktop.core.dbkey import PASSPHRASE
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.sync import AccountInfo
from kinxpro_desktop.tasks.runner import TaskRunner

MARKET_COLUMNS = 6


HELP = (
    "Kinxpro ships no Amazon credentials. Register a private SP-API application in Seller "
    "Central (Apps and Services ▸ Develop Apps), self-authorise it, and paste its LWA client "
    "id, client secret and refresh token here. "
)
KEPT_IN_KEYRING = "They are kept in your system keyring only."
KEPT_IN_DATABASE = (
    "This data folder uses passphrase mode, so they are kept in its encrypted database, "
    "protected by your passphrase (never in a plain file)."
)


def help_text(key_mode: str) -> str:
    return HELP + (KEPT_IN_DATABASE if key_mode == PASSPHRASE else KEPT_IN_KEYRING)


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
        intro = QLabel(help_text(ctx.key_mode))
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
        for region in REGIONS:
            self.region.addItem(region, region)
        self.region.currentIndexChanged.connect(self._fill_marketplaces)
        self.market_row = QGridLayout()
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
        for i, market in enumerate(marketplaces.in_region(self.region.currentData())):
            box = QCheckBox(market.country_code)
            box.setToolTip(market.label)
            box.setProperty("marketplace_id", market.marketplace_id)
            box.setChecked(i == 0)
            box.toggled.connect(self._invalidate)
            self.market_row.addWidget(box, i // MARKET_COLUMNS, i % MARKET_COLUMNS)
            self.market_boxes.append(box)
        self._invalidate()

    def _invalidate(self, *_args: object) -> None:
        """A field changed: the last test no longer holds, and its verdict is stale."""
        self.info = None
        self.save_button.setEnabled(False)
        if self.result_label.text().startswith(("✘", "✔")):
            self.result_label.setText("")

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
        problem = client_id_problem(self.client_id.text())
        if problem:
            self.result_label.setText("✘ " + problem)
            self.client_id.setFocus()
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
