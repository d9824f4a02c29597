"""Static vocabularies for the data generator: marketplaces, products, places, names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Market:
    marketplace_id: str
    country: str
    name: str
    currency: str
    language: str
    domain: str
    tax_rate: float
    price_factor: float
    order_prefixes: tuple[str, ...]


US = Market(
    "ATVPDKIKX0DER",
    "US",
    "Amazon.com",
    "USD",
    "en_US",
    "www.amazon.com",
    0.0725,
    1.0,
    ("111", "112", "113", "114"),
)
CA = Market(
    "A2EUQ1WTGCTBG2",
    "CA",
    "Amazon.ca",
    "CAD",
    "en_CA",
    "www.amazon.ca",
    0.13,
    1.35,
    ("701", "702"),
)
MX = Market(
    "A1AM78C64UM0Y8",
    "MX",
    "Amazon.com.mx",
    "MXN",
    "es_MX",
    "www.amazon.com.mx",
    0.16,
    17.0,
    ("701", "702"),
)
MARKETS: dict[str, Market] = {m.marketplace_id: m for m in (US, CA, MX)}
#: share of listings (and so of orders) per marketplace
MARKET_WEIGHTS: tuple[tuple[Market, float], ...] = ((US, 0.6), (CA, 0.25), (MX, 0.15))

#: (productType, SKU code, nouns)
PRODUCT_LINES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("KITCHEN", "KIT", ("Cutting Board", "Chef Knife", "Spice Rack", "Salad Spinner", "Kettle")),
    ("HOME", "HOM", ("Throw Blanket", "Table Lamp", "Wall Clock", "Storage Basket", "Candle")),
    ("SPORTING_GOODS", "SPT", ("Yoga Mat", "Water Bottle", "Jump Rope", "Resistance Band")),
    ("PET_SUPPLIES", "PET", ("Dog Leash", "Cat Scratcher", "Pet Bowl", "Chew Toy")),
    ("TOY", "TOY", ("Puzzle Set", "Building Blocks", "Plush Bear", "Kite")),
    ("OFFICE_PRODUCTS", "OFF", ("Desk Organizer", "Notebook Pack", "Gel Pens", "Stapler")),
)
ADJECTIVES = (
    "Bamboo",
    "Classic",
    "Compact",
    "Deluxe",
    "Eco",
    "Premium",
    "Rustic",
    "Modern",
    "Travel",
    "Heavy-Duty",
    "Soft",
    "Stainless",
)
VARIANTS = ("Small", "Medium", "Large", "Black", "Blue", "Green", "Grey", "Set of 2", "Set of 4")

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Mateo",
    "Sofia",
    "Lucas",
    "Mia",
    "Ethan",
    "Chloe",
    "Diego",
    "Grace",
    "Owen",
    "Lucia",
    "Henry",
    "Zoe",
    "Samuel",
    "Ines",
    "Jack",
)
LAST_NAMES = (
    "Harris",
    "Nguyen",
    "Garcia",
    "Tremblay",
    "Martin",
    "Lopez",
    "Roy",
    "Walker",
    "Kim",
    "Patel",
    "Gagnon",
    "Hernandez",
    "Brown",
    "Wilson",
    "Ramirez",
    "Clark",
)
#: every buyer name ends with this marker, so tests and humans can grep for simulated PII
PII_MARKER = "Simbuyer"
STREETS = (
    "Maple",
    "Oak",
    "Cedar",
    "Pine",
    "Elm",
    "Lakeview",
    "Hillcrest",
    "Sunset",
    "River",
    "Park",
)
STREET_SUFFIXES = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln")
#: (city, state or province code, postal code prefix) per country
PLACES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "US": (
        ("Seattle", "WA", "981"),
        ("Portland", "OR", "972"),
        ("Austin", "TX", "787"),
        ("Denver", "CO", "802"),
        ("Columbus", "OH", "432"),
        ("Raleigh", "NC", "276"),
        ("Madison", "WI", "537"),
        ("Boise", "ID", "837"),
        ("Tampa", "FL", "336"),
    ),
    "CA": (
        ("Toronto", "ON", "M5V"),
        ("Ottawa", "ON", "K1P"),
        ("Vancouver", "BC", "V6B"),
        ("Calgary", "AB", "T2P"),
        ("Montreal", "QC", "H2X"),
        ("Halifax", "NS", "B3H"),
    ),
    "MX": (
        ("Ciudad de Mexico", "CDMX", "06"),
        ("Guadalajara", "JAL", "44"),
        ("Monterrey", "NL", "64"),
        ("Puebla", "PUE", "72"),
        ("Merida", "YUC", "97"),
    ),
}
SHIP_SERVICE_LEVELS = ("Std US D2D Dom", "Expedited", "SecondDay", "NextDay")
