"""Account ▸ Connect against the simulator: tested, saved to the vault, audited, never shown."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from kinxpro_desktop.app import account_actions
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.connection import AccountSync
from kinxpro_desktop.ui.dialogs.connect import ConnectDialog
from kinxpro_desktop.vault.credentials import load_credentials
from kinxpro_desktop.vault.secret_store import MemorySecretStore


def test_connect_tests_then_saves_credentials_to_the_vault(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    from sp_api.auth import access_token_client

    access_token_client.cache.clear()
    secrets = MemorySecretStore()
    with Simulator(orders=20, listings=5, time_scale=300.0) as sim:
        account = AccountSync(database, secrets, endpoint=sim.base_url)
        dialog = ConnectDialog(make_ctx(accounts=account_actions(account, "owner")))
        qtbot.addWidget(dialog)
        c = sim.credentials
        dialog.client_id.setText(c.client_id)
        dialog.client_secret.setText(c.client_secret)
        dialog.refresh_token.setText(c.refresh_token)
        dialog.seller_id.setText(c.seller_id)
        assert dialog.client_secret.echoMode() == QLineEdit.EchoMode.Password
        assert not dialog.save_button.isEnabled()  # only after a successful test
        dialog.test_button.click()
        qtbot.waitUntil(lambda: dialog.result_label.text().startswith(("✔", "✘")), timeout=20_000)
        assert dialog.result_label.text().startswith("✔"), dialog.result_label.text()
        assert c.client_secret not in dialog.result_label.text()
        dialog.save_button.click()
        qtbot.waitUntil(lambda: load_credentials(secrets) is not None, timeout=10_000)
    access_token_client.cache.clear()
    saved = load_credentials(secrets)
    assert saved is not None and saved.refresh_token == c.refresh_token
    assert saved.seller_id == c.seller_id
    entry = database.audit.latest("credentials_changed")
    assert entry is not None
    assert c.client_secret not in str(entry.detail) and c.refresh_token not in str(entry.detail)


def test_a_bad_refresh_token_says_what_to_do(qtbot, make_ctx, database) -> None:  # type: ignore[no-untyped-def]
    from sp_api.auth import access_token_client

    access_token_client.cache.clear()
    with Simulator(orders=20, listings=5, time_scale=300.0) as sim:
        account = AccountSync(database, MemorySecretStore(), endpoint=sim.base_url)
        dialog = ConnectDialog(make_ctx(accounts=account_actions(account, "owner")))
        qtbot.addWidget(dialog)
        dialog.client_id.setText(sim.credentials.client_id)
        dialog.client_secret.setText(sim.credentials.client_secret)
        dialog.refresh_token.setText("Atzr|not-the-right-token")
        dialog.test_button.click()
        qtbot.waitUntil(lambda: dialog.result_label.text().startswith(("✔", "✘")), timeout=20_000)
    access_token_client.cache.clear()
    assert dialog.result_label.text().startswith("✘")
    assert (
        "Account ▸ Connect" in dialog.result_label.text()
        or "refresh token" in dialog.result_label.text()
    )
    assert not dialog.save_button.isEnabled()
