"""Feeds API 2021-06-30 for ``JSON_LISTINGS_FEED``: documents, feeds, processing reports.

Upload goes to the ``createFeedDocument`` URL (``/_docs/feeds/...``). The feed document is
validated against the Listings Feed (v2) schema; each message is applied like the Listings
Items API would; the result document is a processing report (v2), gzip-compressed. A feed
whose document is not valid JSON or breaks the schema ends FATAL, as does any other feedType.
"""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import jsonschema

from .catalog import MARKETS
from .clock import iso, parse_iso
from .data import DAY
from .feed_schema import LISTINGS_FEED_SCHEMA
from .listing_controls import injected_issues, issue
from .listings import apply_attributes, commit, render_item
from .render import MARKETPLACE_ID
from .state import PROCESS_SECONDS, QUEUE_SECONDS, Document, Feed, SimState
from .wire import (
    JsonObj,
    Request,
    Response,
    Route,
    invalid_input,
    json_response,
    not_found,
    require_list,
    require_str,
)

FEED_TYPE = "JSON_LISTINGS_FEED"
STATUSES = frozenset({"CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"})
_VALIDATOR = jsonschema.Draft7Validator(LISTINGS_FEED_SCHEMA)


def create_feed_document(state: SimState, req: Request) -> Response:
    content_type = require_str(req.json(), "contentType")
    document_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
    with state.lock:
        state.documents[document_id] = Document(document_id, b"", content_type, False, "")
    url = state.document_url("feeds", document_id)
    return json_response(201, {"feedDocumentId": document_id, "url": url})


def create_feed(state: SimState, req: Request) -> Response:
    now = state.now()
    body = req.json()
    feed_type = require_str(body, "feedType")
    markets = [str(m) for m in require_list(body, "marketplaceIds")]
    if any(not MARKETPLACE_ID.match(m) for m in markets):
        raise invalid_input("Invalid marketplaceIds.")
    document_id = require_str(body, "inputFeedDocumentId")
    with state.lock:
        doc = state.documents.get(document_id)
        if doc is None or doc.fault_operation or not doc.content:
            raise invalid_input(f"Invalid inputFeedDocumentId {document_id!r}: nothing uploaded.")
        feed_id = str(60_000_000_000 + state.next_number())
        fatal = state.faults.take("createFeed", frozenset({"fatal"})) is not None
        state.feeds[feed_id] = Feed(feed_id, feed_type, markets, now, document_id, fatal)
    return json_response(202, {"feedId": feed_id})


def _status(state: SimState, feed: Feed, now: float) -> str:
    if feed.outcome is not None:
        return feed.outcome
    if now < feed.created + QUEUE_SECONDS:
        return "IN_QUEUE"
    if now < feed.created + QUEUE_SECONDS + PROCESS_SECONDS:
        return "IN_PROGRESS"
    _process(state, feed)
    assert feed.outcome is not None
    return feed.outcome


def _process(state: SimState, feed: Feed) -> None:
    header: JsonObj = {
        "sellerId": state.credentials.seller_id,
        "version": "2.0",
        "feedId": feed.feed_id,
    }
    issues: list[JsonObj] = []
    summary: JsonObj = {"errors": 0, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0}
    items: list[JsonObj] = []
    outcome = "DONE"
    raw = state.documents[feed.input_document_id].content
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    document: Any = None
    if feed.fatal:
        outcome = "FATAL"
        issues.append({"code": "500", "severity": "ERROR", "message": "Internal processing error."})
    elif feed.feed_type != FEED_TYPE:
        outcome = "FATAL"
        issues.append(
            {
                "code": "400",
                "severity": "ERROR",
                "message": f"Unsupported feedType {feed.feed_type}.",
            }
        )
    else:
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            outcome = "FATAL"
            issues.append(
                {"code": "4000001", "severity": "ERROR", "message": "The feed is not valid JSON."}
            )
    if outcome == "DONE":
        errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.path))
        if errors:
            outcome = "FATAL"
            for err in errors[:50]:
                where = "/".join(str(p) for p in err.path) or "(document)"
                issues.append(
                    {"code": "4000001", "severity": "ERROR", "message": f"{where}: {err.message}"}
                )
        elif document["header"]["sellerId"] != state.credentials.seller_id:
            outcome = "FATAL"
            issues.append(
                {
                    "code": "4000002",
                    "severity": "ERROR",
                    "message": "The sellerId does not match the seller.",
                }
            )
        else:
            report = document["header"].get("report")
            if report:
                header["report"] = report
            included = set(report["includedData"]) if report else set()
            mp = feed.marketplace_ids[0]
            for message in document["messages"]:
                summary["messagesProcessed"] += 1
                found = _apply_message(state, message, mp)
                for problem in found:
                    issues.append(problem)
                if any(p["severity"] == "ERROR" for p in found):
                    continue
                summary["messagesAccepted"] += 1
                li = state.world.by_sku.get(message["sku"])
                if included and li is not None and not li.deleted:
                    items.append(render_item(li, included))
    summary["errors"] = sum(1 for p in issues if p["severity"] == "ERROR")
    summary["warnings"] = sum(1 for p in issues if p["severity"] == "WARNING")
    summary["messagesInvalid"] = summary["messagesProcessed"] - summary["messagesAccepted"]
    result: JsonObj = {"header": header, "issues": issues, "summary": summary}
    if items:
        result["items"] = items
        summary["itemSummary"] = {"items": len(items), "errors": 0, "warnings": 0}
    content = gzip.compress(json.dumps(result, indent=1).encode("utf-8"), mtime=0)
    document_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
    state.documents[document_id] = Document(
        document_id, content, "application/json; charset=UTF-8", True, "getFeedDocument"
    )
    feed.result_document_id = document_id
    feed.outcome = outcome


def _apply_message(state: SimState, message: JsonObj, mp: str) -> list[JsonObj]:
    message_id, sku, operation = message["messageId"], message["sku"], message["operationType"]
    world = state.world

    def tag(problems: list[JsonObj]) -> list[JsonObj]:
        out = []
        for p in problems:
            entry: JsonObj = {
                "messageId": message_id,
                "sku": sku,
                "code": p["code"],
                "severity": p["severity"],
                "message": p["message"],
            }
            if p.get("attributeNames"):
                entry["attributeName"] = p["attributeNames"][0]
            out.append(entry)
        return out

    with world.lock:
        li = world.by_sku.get(sku)
        exists = li is not None and not li.deleted and li.marketplace_id == mp
        if operation == "DELETE":
            if not exists or li is None:
                return tag([issue("4000003", f"The SKU '{sku}' does not exist.", "sku")])
            li.deleted = True
            return []
        if operation == "PATCH":
            attributes = {
                p["path"].removeprefix("/attributes/"): p.get("value")
                for p in message["patches"]
                if p["op"] != "delete"
            }
        else:
            attributes = message["attributes"]
        problems, changes = apply_attributes(
            attributes, MARKETS[mp].currency if mp in MARKETS else "USD"
        )
        problems += injected_issues(state, sku, preview=False)
        if not exists or li is None:
            problems.append(
                issue(
                    "4000003",
                    f"The SKU '{sku}' does not exist; create it with putListingsItem.",
                    "sku",
                )
            )
        if any(p["severity"] == "ERROR" for p in problems) or li is None:
            return tag(problems)
        commit(state, li, changes)
    return tag(problems)  # warnings only


def _feed(state: SimState, feed_id: str) -> Feed:
    if not feed_id.isdigit():
        raise invalid_input(f"Invalid feedId {feed_id!r}.")
    feed = state.feeds.get(feed_id)
    if feed is None:
        raise not_found(f"Feed {feed_id} was not found.")
    return feed


def _render(state: SimState, feed: Feed, now: float) -> JsonObj:
    status = _status(state, feed, now)
    out: JsonObj = {
        "feedId": feed.feed_id,
        "feedType": feed.feed_type,
        "marketplaceIds": feed.marketplace_ids,
        "createdTime": iso(feed.created),
        "processingStatus": status,
    }
    if status != "IN_QUEUE":
        out["processingStartTime"] = iso(feed.created + QUEUE_SECONDS)
    if status in ("DONE", "FATAL"):
        out["processingEndTime"] = iso(feed.created + QUEUE_SECONDS + PROCESS_SECONDS)
    if feed.result_document_id:
        out["resultFeedDocumentId"] = feed.result_document_id
    return out


def get_feed(state: SimState, req: Request) -> Response:
    now = state.now()
    with state.lock:
        return json_response(200, _render(state, _feed(state, req.params["feedId"]), now))


def get_feeds(state: SimState, req: Request) -> Response:
    now = state.now()
    size = req.integer("pageSize", 10, 1, 100)
    token = req.first("nextToken")
    if token:
        ids, next_token, _ = state.pager.resume(token, None, size)
    else:
        types = set(req.values("feedTypes"))
        if not types:
            raise invalid_input("feedTypes is required without nextToken.")
        statuses = set(req.values("processingStatuses"))
        if statuses - STATUSES:
            raise invalid_input("Invalid processingStatuses.")
        try:
            since = parse_iso(req.first("createdSince") or iso(now - 90 * DAY))
        except ValueError:
            raise invalid_input("createdSince must be ISO 8601.") from None
        with state.lock:
            found = [
                f.feed_id
                for f in sorted(state.feeds.values(), key=lambda f: -f.created)
                if f.feed_type in types
                and f.created >= since
                and (not statuses or _status(state, f, now) in statuses)
            ]
        ids, next_token, _ = state.pager.page("feeds", found, size)
    with state.lock:
        body: JsonObj = {"feeds": [_render(state, state.feeds[i], now) for i in ids]}
    if next_token:
        body["nextToken"] = next_token
    return json_response(200, body)


def cancel_feed(state: SimState, req: Request) -> Response:
    now = state.now()
    with state.lock:
        feed = _feed(state, req.params["feedId"])
        if _status(state, feed, now) != "IN_QUEUE":
            raise invalid_input("Only feeds that are IN_QUEUE can be cancelled.")
        feed.outcome = "CANCELLED"
        feed.cancelled_at = now
    return Response(200, b"")


def get_feed_document(state: SimState, req: Request) -> Response:
    document_id = req.params["feedDocumentId"]
    if not document_id.startswith("amzn1.tortuga."):
        raise invalid_input(f"Invalid feedDocumentId {document_id!r}.")
    with state.lock:
        doc = state.documents.get(document_id)
    if doc is None:
        raise not_found(f"Feed document {document_id} was not found.")
    body: JsonObj = {"feedDocumentId": document_id, "url": state.document_url("feeds", document_id)}
    if doc.compressed:
        body["compressionAlgorithm"] = "GZIP"
    return json_response(200, body)


ROUTES = [
    Route("POST", "/feeds/2021-06-30/documents", "createFeedDocument", create_feed_document),
    Route(
        "GET", "/feeds/2021-06-30/documents/{feedDocumentId}", "getFeedDocument", get_feed_document
    ),
    Route("POST", "/feeds/2021-06-30/feeds", "createFeed", create_feed),
    Route("GET", "/feeds/2021-06-30/feeds", "getFeeds", get_feeds),
    Route("GET", "/feeds/2021-06-30/feeds/{feedId}", "getFeed", get_feed),
    Route("DELETE", "/feeds/2021-06-30/feeds/{feedId}", "cancelFeed", cancel_feed),
]
