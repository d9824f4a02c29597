"""An issue Amazon reports on a listing, as Amazon gives it.

searchListingsItems and getListingsItem (``includedData=issues``) answer each listing with a
list of Issue objects: ``code``, ``message``, ``severity`` (ERROR, WARNING or INFO),
``attributeNames`` and ``categories`` (and, for some, ``enforcements``, which Kinxpro does not
keep). ``ListingIssue`` holds one of them; ``text`` is the one line the table's tooltip, the
exports and the command line show ("Error 90220 · item_name: 'item_name' is required …").

Stored as a JSON list of objects with Amazon's own keys in ``listings.issues_json``. Stores
written before this held one flattened string per issue ("Error 90220 (item_name): missing");
those still read, as an issue whose severity comes from the string's first word (ERROR when
it names none) and whose message is the whole string. A value that is not a JSON list reads
as one ``UNREADABLE`` issue (severity ERROR: the seller cannot tell there is none), so the
table says "issues unreadable" instead of failing; the next sync writes the list afresh.

``store.listing_queries`` filters on the same rules in SQL (errors only): keep the two in step.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "ERROR"
WARNING = "WARNING"
INFO = "INFO"
SEVERITIES = (ERROR, WARNING, INFO)
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
_WORD = {ERROR: "Error", WARNING: "Warning", INFO: "Info"}
#: first words of the old flattened strings that name a severity other than ERROR
#: ("Note" was the old form's word for an issue without a known severity)
LEGACY_PREFIXES = {"warning": WARNING, "info": INFO, "note": INFO}
UNREADABLE_CODE = "KINXPRO_UNREADABLE"
UNREADABLE_TEXT = "issues unreadable"
MAX_MESSAGE = 1000
MAX_NAMES = 20
SHOWN_NAMES = 5


def severity_of(value: object) -> str:
    """Amazon's severity, or ERROR for anything else (an unknown severity is not hidden)."""
    text = value.upper().strip() if isinstance(value, str) else ""
    return text if text in _RANK else ERROR


def legacy_severity(text: str) -> str:
    lowered = text.lower()
    for prefix, severity in LEGACY_PREFIXES.items():
        if lowered.startswith(prefix):
            return severity
    return ERROR


def _names(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(v).strip() for v in value[:MAX_NAMES] if isinstance(v, str) and v.strip())


def _text(value: object, limit: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()[:limit]


@dataclass(frozen=True)
class ListingIssue:
    code: str
    severity: str  # ERROR | WARNING | INFO
    message: str
    attribute_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def unreadable(self) -> bool:
        return self.code == UNREADABLE_CODE

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def rank(self) -> int:
        return _RANK.get(self.severity, 0)

    @property
    def word(self) -> str:
        return _WORD.get(self.severity, "Error")

    @property
    def attributes_text(self) -> str:
        names = self.attribute_names
        shown = ", ".join(names[:SHOWN_NAMES])
        return shown + (f" +{len(names) - SHOWN_NAMES}" if len(names) > SHOWN_NAMES else "")

    @property
    def text(self) -> str:
        """One line, as the seller looks it up in Seller Central:
        "Error 90220 · item_package_weight: 'item_package_weight' is required …"."""
        if self.unreadable:
            return self.message
        if not self.code and not self.attribute_names:
            if self.message.lower().startswith(("error", *LEGACY_PREFIXES)):
                return self.message  # an old flattened string already says it
            return f"{self.word}: {self.message}"
        head = self.word + (f" {self.code}" if self.code else "")
        if self.attribute_names:
            head += f" · {self.attributes_text}"
        return f"{head}: {self.message}"

    def to_json(self) -> dict[str, object]:
        """Amazon's own keys (what ``issues_json`` holds)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "attributeNames": list(self.attribute_names),
            "categories": list(self.categories),
        }

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> ListingIssue:
        """One Issue object (Amazon's answer or a stored row); tolerant of missing fields."""
        return cls(
            code=_text(raw.get("code"), 40),
            severity=severity_of(raw.get("severity")),
            message=_text(raw.get("message"), MAX_MESSAGE),
            attribute_names=_names(raw.get("attributeNames")),
            categories=_names(raw.get("categories")),
        )

    @classmethod
    def from_legacy(cls, text: str) -> ListingIssue:
        """An old flattened string: severity from its first word, the whole string as text."""
        return cls(code="", severity=legacy_severity(text), message=text[:MAX_MESSAGE])


UNREADABLE = ListingIssue(
    UNREADABLE_CODE,
    ERROR,
    f"{UNREADABLE_TEXT}: the stored issue list is damaged; the next sync of listings "
    "reads it from Amazon again",
)


def ordered(issues: Iterable[ListingIssue]) -> tuple[ListingIssue, ...]:
    """Errors first, then warnings, then notes; Amazon's order within each."""
    return tuple(sorted(issues, key=lambda i: i.rank))


def encode_issues(issues: Iterable[ListingIssue]) -> str:
    return json.dumps([i.to_json() for i in issues if not i.unreadable], ensure_ascii=False)


def decode_issues(stored: object) -> tuple[ListingIssue, ...]:
    """``issues_json`` as the store holds it: objects, old strings, or damage (never raises)."""
    if stored is None or (isinstance(stored, str) and not stored.strip()):
        return ()
    try:
        value = json.loads(stored) if isinstance(stored, str | bytes) else None
    except ValueError:
        return (UNREADABLE,)
    if not isinstance(value, list):
        return (UNREADABLE,)
    out: list[ListingIssue] = []
    damaged = False
    for element in value:
        if isinstance(element, dict):
            out.append(ListingIssue.from_json(element))
        elif isinstance(element, str):
            out.append(ListingIssue.from_legacy(element))
        else:
            damaged = True
    if damaged:
        out.append(UNREADABLE)
    return ordered(out)


def counts(issues: Iterable[ListingIssue]) -> dict[str, int]:
    found = dict.fromkeys(SEVERITIES, 0)
    for issue in issues:
        found[issue.severity if issue.severity in found else ERROR] += 1
    return found


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(issues: Iterable[ListingIssue]) -> str:
    """The chip's words: "2 errors · 1 warning"; "issues unreadable" for damage; "" for none."""
    listed = tuple(issues)
    if any(i.unreadable for i in listed):
        return UNREADABLE_TEXT
    n = counts(listed)
    parts = [
        _plural(n[ERROR], "error") if n[ERROR] else "",
        _plural(n[WARNING], "warning") if n[WARNING] else "",
        _plural(n[INFO], "note") if n[INFO] else "",
    ]
    return " · ".join(p for p in parts if p)


def issues_text(issues: Iterable[ListingIssue]) -> str:
    """Every issue's line, for an export cell or a command's output."""
    return "; ".join(i.text for i in issues)
