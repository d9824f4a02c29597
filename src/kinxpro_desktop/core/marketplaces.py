"""Every SP-API marketplace, defined once: id, country, currency, region, locale, domain,
time zone.

Source: Amazon's "Marketplace IDs" developer page (2026). The region is the SP-API endpoint
that serves the marketplace (NA, EU, FE).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Marketplace:
    marketplace_id: str
    country_code: str
    name: str
    currency: str
    region: str  # "NA", "EU" or "FE"
    locale: str  # BCP 47, e.g. "en-US", "ja-JP" (QLocale takes the "_" form)
    domain: str  # sales channel as Amazon writes it in reports, e.g. "Amazon.com"
    #: IANA zone whose days Seller Central and Amazon's reports use for this marketplace
    time_zone: str = "UTC"

    @property
    def label(self) -> str:
        """What a seller reads: "US (Amazon.com)"."""
        return f"{self.country_code} ({self.domain})"

    @property
    def currency_decimals(self) -> int:
        return currency_decimals(self.currency)


def _m(
    mid: str, cc: str, name: str, cur: str, region: str, locale: str, domain: str
) -> Marketplace:
    return Marketplace(mid, cc, name, cur, region, locale, domain, _TIME_ZONES.get(cc, "UTC"))


#: country code -> the marketplace's reporting time zone (the zones Amazon Ads reports use per
#: marketplace, as listed by ScaleLeap/amazon-marketplaces; CA and MX report on Pacific time
#: like the US; IE, absent there, on Ireland's own time)
_TIME_ZONES = {
    "US": "America/Los_Angeles",
    "CA": "America/Los_Angeles",
    "MX": "America/Los_Angeles",
    "BR": "America/Sao_Paulo",
    "ES": "Europe/Paris",
    "GB": "Europe/London",
    "FR": "Europe/Paris",
    "BE": "Europe/Brussels",
    "NL": "Europe/Amsterdam",
    "DE": "Europe/Paris",
    "IT": "Europe/Paris",
    "SE": "Europe/Stockholm",
    "ZA": "Africa/Johannesburg",
    "PL": "Europe/Warsaw",
    "EG": "Africa/Cairo",
    "TR": "Europe/Istanbul",
    "SA": "Asia/Riyadh",
    "AE": "Asia/Dubai",
    "IN": "Asia/Kolkata",
    "SG": "Asia/Singapore",
    "AU": "Australia/Sydney",
    "JP": "Asia/Tokyo",
    "IE": "Europe/Dublin",
}


MARKETPLACES: tuple[Marketplace, ...] = (
    _m("ATVPDKIKX0DER", "US", "United States", "USD", "NA", "en-US", "Amazon.com"),
    _m("A2EUQ1WTGCTBG2", "CA", "Canada", "CAD", "NA", "en-CA", "Amazon.ca"),
    _m("A1AM78C64UM0Y8", "MX", "Mexico", "MXN", "NA", "es-MX", "Amazon.com.mx"),
    _m("A2Q3Y263D00KWC", "BR", "Brazil", "BRL", "NA", "pt-BR", "Amazon.com.br"),
    _m("A1RKKUPIHCS9HS", "ES", "Spain", "EUR", "EU", "es-ES", "Amazon.es"),
    _m("A1F83G8C2ARO7P", "GB", "United Kingdom", "GBP", "EU", "en-GB", "Amazon.co.uk"),
    _m("A13V1IB3VIYZZH", "FR", "France", "EUR", "EU", "fr-FR", "Amazon.fr"),
    _m("AMEN7PMS3EDWL", "BE", "Belgium", "EUR", "EU", "fr-BE", "Amazon.com.be"),
    _m("A1805IZSGTT6HS", "NL", "Netherlands", "EUR", "EU", "nl-NL", "Amazon.nl"),
    _m("A1PA6795UKMFR9", "DE", "Germany", "EUR", "EU", "de-DE", "Amazon.de"),
    _m("APJ6JRA9NG5V4", "IT", "Italy", "EUR", "EU", "it-IT", "Amazon.it"),
    _m("A2NODRKZP88ZB9", "SE", "Sweden", "SEK", "EU", "sv-SE", "Amazon.se"),
    _m("AE08WJ6YKNBMC", "ZA", "South Africa", "ZAR", "EU", "en-ZA", "Amazon.co.za"),
    _m("A1C3SOZRARQ6R3", "PL", "Poland", "PLN", "EU", "pl-PL", "Amazon.pl"),
    _m("ARBP9OOSHTCHU", "EG", "Egypt", "EGP", "EU", "ar-EG", "Amazon.eg"),
    _m("A33AVAJ2PDY3EV", "TR", "Turkey", "TRY", "EU", "tr-TR", "Amazon.com.tr"),
    _m("A17E79C6D8DWNP", "SA", "Saudi Arabia", "SAR", "EU", "ar-SA", "Amazon.sa"),
    _m("A2VIGQ35RCS4UG", "AE", "United Arab Emirates", "AED", "EU", "ar-AE", "Amazon.ae"),
    _m("A21TJRUUN4KGV", "IN", "India", "INR", "EU", "en-IN", "Amazon.in"),
    _m("A19VAU5U5O7RUS", "SG", "Singapore", "SGD", "FE", "en-SG", "Amazon.sg"),
    _m("A39IBJ37TRP1C6", "AU", "Australia", "AUD", "FE", "en-AU", "Amazon.com.au"),
    _m("A1VC38T7YXB528", "JP", "Japan", "JPY", "FE", "ja-JP", "Amazon.co.jp"),
    _m("A28R8C7NBKEWEA", "IE", "Ireland", "EUR", "EU", "en-IE", "Amazon.ie"),
)

DEFAULT_MARKETPLACE_ID = "ATVPDKIKX0DER"

_BY_ID = {m.marketplace_id: m for m in MARKETPLACES}
_BY_DOMAIN = {m.domain.lower(): m for m in MARKETPLACES}

#: ISO 4217 minor-unit exponents that are not 2 (for the currencies Amazon settles in)
_DECIMALS = {"JPY": 0, "KRW": 0, "CLP": 0, "HUF": 2}


def currency_decimals(currency: str) -> int:
    """Digits after the decimal point in `currency` (0 for JPY, 2 for most)."""
    return _DECIMALS.get(currency.upper(), 2)


def by_id(marketplace_id: str) -> Marketplace | None:
    return _BY_ID.get(marketplace_id)


def by_domain(sales_channel: str) -> Marketplace | None:
    """From a report's sales-channel column ("Amazon.com", "amazon.co.jp", "Non-Amazon" -> None)."""
    return _BY_DOMAIN.get(sales_channel.strip().lower())


def in_region(region: str) -> tuple[Marketplace, ...]:
    return tuple(m for m in MARKETPLACES if m.region == region)


def label(marketplace_id: str) -> str:
    """Country code for a known id, the id itself otherwise (never blank)."""
    m = by_id(marketplace_id)
    return m.country_code if m is not None else marketplace_id


def currency_of(marketplace_id: str, default: str = "USD") -> str:
    m = by_id(marketplace_id)
    return m.currency if m is not None else default
