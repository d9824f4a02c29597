"""How the window writes dates, times, money and counts: the seller's local time and QLocale.

One place, so every table, pane and label agrees. QLocale() is the default locale (the
system's unless QLocale.setDefault changed it). The "C" locale, which has no real date
format, gets ISO dates.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, QTimeZone

from kinxpro_desktop.core.marketplaces import currency_decimals
from kinxpro_desktop.core.models import Money


def _locale() -> QLocale:
    return QLocale()


def _numbers(loc: QLocale) -> QLocale:
    """The C locale does not group digits; "2,000 orders" reads better than "2000 orders"."""
    if _is_c(loc):
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return loc


def _is_c(loc: QLocale) -> bool:
    return loc.language() == QLocale.Language.C


def _date_format(loc: QLocale) -> str:
    if _is_c(loc):
        return "yyyy-MM-dd"
    fmt = loc.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in fmt:
        fmt = fmt.replace("yy", "yyyy")  # "12/1/26" is ambiguous in a list spanning years
    return fmt


def _time_format(loc: QLocale) -> str:
    return "HH:mm" if _is_c(loc) else loc.timeFormat(QLocale.FormatType.ShortFormat)


def _qdatetime(moment: datetime) -> QDateTime:
    local = moment.astimezone() if moment.tzinfo else moment.replace(tzinfo=UTC).astimezone()
    return QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute, local.second),
        QTimeZone.systemTimeZone(),
    )


def local_datetime(moment: datetime | None, seconds: bool = False) -> str:
    """A UTC (or aware) moment in the seller's local time: "2026-12-01 21:06"."""
    if moment is None:
        return ""
    loc = _locale()
    time_fmt = _time_format(loc)
    if seconds and "ss" not in time_fmt:
        time_fmt = time_fmt.replace("mm", "mm:ss")
    return loc.toString(_qdatetime(moment), f"{_date_format(loc)} {time_fmt}")


def local_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    loc = _locale()
    return loc.toString(_qdatetime(moment).date(), _date_format(loc))


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    loc = _locale()
    return loc.toString(_qdatetime(moment).time(), _time_format(loc))


def number(value: int | float | Decimal, decimals: int = 0) -> str:
    loc = _numbers(_locale())
    if decimals == 0 and isinstance(value, int):
        return loc.toString(value)
    return loc.toString(float(value), "f", decimals)


def money(value: Money | None) -> str:
    """Amount with the currency's own decimals (JPY none): "$19.99" in the seller's own
    currency, "1,234.50 EUR" in any other (a list may mix marketplaces)."""
    if value is None:
        return ""
    loc = _locale()
    decimals = currency_decimals(value.currency)
    amount = float(value.amount)
    own = "" if _is_c(loc) else loc.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode)
    if own and own == value.currency:
        return loc.toCurrencyString(amount, loc.currencySymbol(), decimals)
    return f"{_numbers(loc).toString(amount, 'f', decimals)} {value.currency}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 day", "2 days", "1,234 orders"."""
    word = one if count == 1 else (many or one + "s")
    return f"{number(count)} {word}"


def decimal_point() -> str:
    """The seller's decimal separator ("." or ","), as typed numbers are read."""
    point = _numbers(_locale()).decimalPoint()
    return point if point in (".", ",") else "."


def edit_amount(value: Money) -> str:
    """An amount as the seller would type it: no grouping, the locale's decimal point."""
    decimals = currency_decimals(value.currency)
    text = f"{value.amount:.{decimals}f}"
    return text.replace(".", decimal_point()) if decimals else text
