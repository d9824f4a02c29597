"""Feeds 2021-06-30: createFeedDocument, the upload, createFeed (a write), getFeed, getFeeds and
the result document. Uploads and downloads go through the guarded client: the library's own
``create_feed_document(file=...)`` and ``get_feed_result_document`` open a bare
``httpx.Client()`` that reads proxies from the environment and skips the allow-list."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sp_api.api import FeedsV20210630
from sp_api.base import fill_query_params, sp_endpoint

from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.spapi import documents
from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.errors import BadResponse
from kinxpro_desktop.spapi.paging import paginate, token_at

Json = dict[str, Any]
next_token = token_at("nextToken")
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


class _Feeds(FeedsV20210630):  # type: ignore[misc]
    """The library's Feeds client plus getFeedDocument as metadata only (the library's
    method downloads the document itself, outside the guarded client)."""

    @sp_endpoint("/feeds/2021-06-30/documents/{}", method="GET")  # type: ignore[untyped-decorator]
    def feed_document_metadata(self, feed_document_id: str, **kwargs: Any) -> Any:
        return self._request(
            fill_query_params(kwargs.pop("path"), feed_document_id),
            params=kwargs,
            add_marketplace=False,
        )


class FeedsApi:
    def __init__(self, core: CallCore) -> None:
        self.core = core

    def create_document(
        self, content_type: str = JSON_CONTENT_TYPE, cancel: CancelToken | None = None
    ) -> Json:
        """createFeedDocument: {feedDocumentId, url} (nothing is uploaded yet; a document
        nobody submits expires unused, so this is retried like a read)."""
        body = self.core.call(
            "createFeedDocument",
            _Feeds,
            lambda c: c.create_feed_document(None, content_type),
            cancel,
        )
        if not isinstance(body.get("feedDocumentId"), str) or not isinstance(body.get("url"), str):
            raise BadResponse("createFeedDocument: the answer has no feedDocumentId or url.")
        return body

    def upload(self, document: Json, content: bytes, content_type: str = JSON_CONTENT_TYPE) -> None:
        documents.upload(self.core, str(document["url"]), content, content_type)

    def create(
        self,
        feed_type: str,
        document_id: str,
        marketplaces: Sequence[str],
        *,
        options: dict[str, str] | None = None,
        cancel: CancelToken | None = None,
    ) -> str:
        """createFeed; returns the feed id. A write: after a lost answer it raises
        OutcomeUnknown and is not sent again (check `list()` first)."""
        kwargs: Json = {"marketplaceIds": list(marketplaces)}
        if options:
            kwargs["feedOptions"] = options
        body = self.core.call(
            "createFeed",
            _Feeds,
            lambda c: c.create_feed(feed_type, document_id, **kwargs),
            cancel,
        )
        feed_id = body.get("feedId")
        if not isinstance(feed_id, str) or not feed_id:
            raise BadResponse("createFeed: the answer has no feedId.")
        return feed_id

    def submit(
        self,
        feed_type: str,
        content: bytes,
        marketplaces: Sequence[str],
        *,
        content_type: str = JSON_CONTENT_TYPE,
        cancel: CancelToken | None = None,
    ) -> str:
        """Document, upload, feed: the feed id."""
        document = self.create_document(content_type, cancel)
        self.upload(document, content, content_type)
        return self.create(feed_type, str(document["feedDocumentId"]), marketplaces, cancel=cancel)

    def get(self, feed_id: str, cancel: CancelToken | None = None) -> Json:
        body = self.core.call("getFeed", _Feeds, lambda c: c.get_feed(feed_id), cancel)
        if not isinstance(body.get("processingStatus"), str):
            raise BadResponse(f"getFeed {feed_id}: no processingStatus in the answer.")
        return body

    def list(self, feed_types: Sequence[str], cancel: CancelToken | None = None) -> Iterator[Json]:
        """getFeeds, every page (to reconcile after a lost createFeed)."""
        first: Json = {"feedTypes": ",".join(feed_types), "pageSize": 100}

        def fetch(token: str | None) -> Json:
            kwargs = {"nextToken": token} if token else first
            body = self.core.call("getFeeds", _Feeds, lambda c: c.get_feeds(**kwargs), cancel)
            if not isinstance(body.get("feeds"), list):
                raise BadResponse("getFeeds: the answer has no feeds list.")
            return body

        for page in paginate(fetch, next_token, cancel):
            yield from page["feeds"]

    def result(self, document_id: str, cancel: CancelToken | None = None) -> str:
        """The processing report of a feed (its resultFeedDocumentId), decoded."""
        meta = self.core.call(
            "getFeedDocument",
            _Feeds,
            lambda c: c.feed_document_metadata(document_id),
            cancel,
        )
        url = meta.get("url")
        if not isinstance(url, str) or not url:
            raise BadResponse("getFeedDocument: the answer has no document url.")
        data, charset = documents.fetch(self.core, url)
        return documents.decode(data, charset, meta.get("compressionAlgorithm"))
