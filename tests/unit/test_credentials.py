"""SP-API credentials: validated, stored only in the secret store, never printed in full."""

from __future__ import annotations

import pytest

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.vault.credentials import (
    SpApiCredentials,
    forget_credentials,
    load_credentials,
    save_credentials,
)
from kinxpro_desktop.vault.secret_store import MemorySecretStore


def creds() -> SpApiCredentials:
    return SpApiCredentials(
        lwa_client_id="amzn1.application-oa2-client.abc",
        lwa_client_secret="amzn1.oa2-cs.v1.secretvalue",
        refresh_token="Atzr|refreshvalue",
        region="NA",
        marketplaces=("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"),
        seller_id="A1SELLER",
    )


def test_round_trip_through_the_secret_store() -> None:
    store = MemorySecretStore()
    save_credentials(store, creds())
    assert load_credentials(store) == creds()
    forget_credentials(store)
    assert load_credentials(store) is None


def test_repr_never_shows_the_secret_or_token() -> None:
    text = repr(creds())
    assert "secretvalue" not in text
    assert "refreshvalue" not in text
    assert creds().masked("amzn1.oa2-cs.v1.secretvalue") == "amzn…ue"


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("lwa_client_id", " ", "LWA client id"),
        ("lwa_client_secret", "", "LWA client secret"),
        ("refresh_token", "", "refresh token"),
        ("region", "XX", "Region must be one of"),
    ],
)
def test_missing_or_bad_fields_say_what_to_fill_in(field: str, value: str, fragment: str) -> None:
    data = {
        "lwa_client_id": "id",
        "lwa_client_secret": "secret",
        "refresh_token": "token",
        "region": "NA",
    }
    data[field] = value
    with pytest.raises(UserError) as err:
        SpApiCredentials(**data)
    assert fragment in err.value.message


def test_unreadable_stored_credentials_ask_to_reconnect() -> None:
    store = MemorySecretStore()
    store.set("spapi-credentials", "{not json")
    with pytest.raises(UserError) as err:
        load_credentials(store)
    assert "Account ▸ Connect" in err.value.message
