"""Listing issues as Amazon gives them (issue 10, Listings 1): the structured ListingIssue, its
one-line text, the stored JSON (new objects, old flattened strings, damage) and the mapping
from a listings item's ``issues``. No Qt, no I/O."""

from __future__ import annotations

import json

import pytest

from kinxpro_desktop.core.listing_issues import (
    ERROR,
    INFO,
    UNREADABLE,
    UNREADABLE_TEXT,
    WARNING,
    ListingIssue,
    decode_issues,
    encode_issues,
    issues_text,
    summary,
)
from kinxpro_desktop.spapi.errors import BadResponse
from kinxpro_desktop.spapi.mapping import listing_issues

MISSING = {
    "code": "90220",
    "message": "'item_package_weight' is required but not supplied.",
    "severity": "ERROR",
    "attributeNames": ["item_package_weight"],
    "categories": ["MISSING_ATTRIBUTE"],
    "enforcements": {"actions": [{"action": "SEARCH_SUPPRESSED"}], "exemption": {}},
}
IMAGE = {
    "code": "18027",
    "message": "The main image does not meet the image requirements.",
    "severity": "WARNING",
    "attributeNames": ["main_product_image_locator"],
    "categories": ["INVALID_ATTRIBUTE"],
}


def test_mapping_keeps_code_severity_attributes_and_categories_errors_first() -> None:
    sku, issues = listing_issues({"sku": "KX-1", "issues": [IMAGE, MISSING]})
    assert sku == "KX-1"
    assert issues == (
        ListingIssue(
            "90220",
            ERROR,
            "'item_package_weight' is required but not supplied.",
            ("item_package_weight",),
            ("MISSING_ATTRIBUTE",),
        ),
        ListingIssue(
            "18027",
            WARNING,
            "The main image does not meet the image requirements.",
            ("main_product_image_locator",),
            ("INVALID_ATTRIBUTE",),
        ),
    )
    assert issues[0].text == (
        "Error 90220 · item_package_weight: 'item_package_weight' is required but not supplied."
    )
    assert issues[1].text.startswith("Warning 18027 · main_product_image_locator: The main")


def test_mapping_tolerates_what_amazon_may_leave_out_and_refuses_a_non_list() -> None:
    _, issues = listing_issues(
        {
            "sku": "KX-2",
            "issues": [
                {"code": "99300", "message": "Note this.", "severity": "INFO"},
                {"message": "No severity given."},
                "not an object",
                {},
            ],
        }
    )
    assert [(i.code, i.severity) for i in issues] == [("", ERROR), ("99300", INFO)]
    assert issues[0].text == "Error: No severity given."
    assert issues[1].text == "Info 99300: Note this."
    assert listing_issues({"sku": "KX-3"}) == ("KX-3", ())
    with pytest.raises(BadResponse, match="issues of KX-4 is not a list"):
        listing_issues({"sku": "KX-4", "issues": {"code": "1"}})


def test_stored_objects_round_trip_without_enforcements() -> None:
    _, issues = listing_issues({"sku": "KX-1", "issues": [MISSING, IMAGE]})
    stored = encode_issues(issues)
    assert json.loads(stored)[0] == {k: v for k, v in MISSING.items() if k != "enforcements"}
    assert decode_issues(stored) == issues


@pytest.mark.parametrize(
    ("old", "severity"),
    [
        ("Error 90220 (item_package_weight): 'item_package_weight' is required.", ERROR),
        ("Warning 18027: Image too small.", WARNING),
        ("Note 99: something", INFO),
        ("Info 99: something", INFO),
        ("Missing image", ERROR),
    ],
)
def test_an_old_flattened_string_reads_with_its_severity_and_whole_text(
    old: str, severity: str
) -> None:
    (issue,) = decode_issues(json.dumps([old]))
    assert issue == ListingIssue("", severity, old)
    assert issue.text == (old if severity != ERROR or old.startswith("Error") else f"Error: {old}")


def test_old_strings_and_new_objects_mixed_are_ordered_errors_first() -> None:
    stored = json.dumps(["Warning 18027: Image too small.", MISSING])
    issues = decode_issues(stored)
    assert [i.severity for i in issues] == [ERROR, WARNING]
    assert summary(issues) == "1 error · 1 warning"
    assert issues_text(issues) == (
        "Error 90220 · item_package_weight: 'item_package_weight' is required but not "
        "supplied.; Warning 18027: Image too small."
    )


@pytest.mark.parametrize("damaged", ["not json", "{}", '"x"', "null", "[1]", '[{"a": 1}, 2]'])
def test_a_damaged_list_reads_as_unreadable_never_raises(damaged: str) -> None:
    issues = decode_issues(damaged)
    assert UNREADABLE in issues
    assert summary(issues) == UNREADABLE_TEXT
    assert UNREADABLE.text.startswith("issues unreadable")
    assert encode_issues(issues).count("KINXPRO") == 0  # damage is never written back


@pytest.mark.parametrize("empty", [None, "", "  ", "[]"])
def test_nothing_stored_means_no_issues(empty: str | None) -> None:
    assert decode_issues(empty) == ()
    assert summary(()) == ""


def test_summary_counts_by_severity() -> None:
    def make(severity: str) -> ListingIssue:
        return ListingIssue("1", severity, "m")

    assert summary([make(ERROR), make(ERROR), make(WARNING)]) == "2 errors · 1 warning"
    assert summary([make(WARNING), make(INFO), make(INFO)]) == "1 warning · 2 notes"


def test_text_shows_at_most_five_attributes() -> None:
    issue = ListingIssue("8541", ERROR, "Conflict.", tuple(f"a{n}" for n in range(7)))
    assert issue.text == "Error 8541 · a0, a1, a2, a3, a4 +2: Conflict."
