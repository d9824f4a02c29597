"""Reports 2021-06-30: createReport (a write), getReport, getReports, getReportDocument and
the document download (through the guarded client, never the library's own)."""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sp_api.api import Reports

from kinxpro_desktop.core.progress import CancelToken
from kinxpro_desktop.spapi import documents
from kinxpro_desktop.spapi.call import CallCore
from kinxpro_desktop.spapi.errors import BadResponse
from kinxpro_desktop.spapi.orders import amazon_time
from kinxpro_desktop.spapi.paging import paginate, token_at

log = logging.getLogger(__name__)

Json = dict[str, Any]
next_token = token_at("nextToken")
DOCUMENT_ATTEMPTS = 3


class ReportsApi:
    def __init__(self, core: CallCore) -> None:
        self.core = core

    def create(
        self,
        report_type: str,
        marketplaces: Sequence[str],
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        options: dict[str, str] | None = None,
        cancel: CancelToken | None = None,
    ) -> str:
        """createReport; returns the report id. A write: after a lost answer it raises
        OutcomeUnknown (a new request is harmless, but it is the caller's decision)."""
        body: Json = {"reportType": report_type, "marketplaceIds": list(marketplaces)}
        if start is not None:
            body["dataStartTime"] = amazon_time(start)
        if end is not None:
            body["dataEndTime"] = amazon_time(end)
        if options:
            body["reportOptions"] = options
        answer = self.core.call("createReport", Reports, lambda c: c.create_report(**body), cancel)
        report_id = answer.get("reportId")
        if not isinstance(report_id, str) or not report_id:
            raise BadResponse("createReport: the answer has no reportId.")
        return report_id

    def get(self, report_id: str, cancel: CancelToken | None = None) -> Json:
        body = self.core.call("getReport", Reports, lambda c: c.get_report(report_id), cancel)
        if not isinstance(body.get("processingStatus"), str):
            raise BadResponse(f"getReport {report_id}: no processingStatus in the answer.")
        return body

    def list(
        self,
        report_types: Sequence[str],
        *,
        since: datetime | None = None,
        statuses: Sequence[str] = (),
        marketplaces: Sequence[str] = (),
        cancel: CancelToken | None = None,
    ) -> Iterator[Json]:
        """getReports, every page: the reports of these types (to reconcile after a lost
        createReport, or to find scheduled ones such as settlements)."""
        first: Json = {"reportTypes": list(report_types), "pageSize": 100}
        if since is not None:
            first["createdSince"] = amazon_time(since)
        if statuses:
            first["processingStatuses"] = list(statuses)
        if marketplaces:
            first["marketplaceIds"] = list(marketplaces)

        def fetch(token: str | None) -> Json:
            kwargs = {"nextToken": token} if token else first
            body = self.core.call("getReports", Reports, lambda c: c.get_reports(**kwargs), cancel)
            if not isinstance(body.get("reports"), list):
                raise BadResponse("getReports: the answer has no reports list.")
            return body

        for page in paginate(fetch, next_token, cancel):
            yield from page["reports"]

    def document(self, document_id: str, cancel: CancelToken | None = None) -> Json:
        """getReportDocument: {reportDocumentId, url, compressionAlgorithm?}."""
        body = self.core.call(
            "getReportDocument", Reports, lambda c: c.get_report_document(document_id), cancel
        )
        url = body.get("url")
        if not isinstance(url, str) or not url:
            raise BadResponse("getReportDocument: the answer has no document url.")
        return body

    def fetch(self, meta: Json) -> str:
        """Download a document described by getReportDocument's answer, inflated and decoded.
        An address off the allow-list is refused (EgressRefused) before any connection."""
        url = meta.get("url")
        if not isinstance(url, str) or not url:
            raise BadResponse("getReportDocument: the answer has no document url.")
        data, charset = documents.fetch(self.core, url)
        return documents.decode(data, charset, meta.get("compressionAlgorithm"))

    def download(self, document_id: str, cancel: CancelToken | None = None) -> str:
        """getReportDocument, then the document itself. A damaged download (truncated or
        corrupt gzip) is fetched again with a fresh URL."""
        attempt = 0
        while True:
            meta = self.document(document_id, cancel)
            try:
                return self.fetch(meta)
            except BadResponse as exc:
                attempt += 1
                if attempt >= DOCUMENT_ATTEMPTS:
                    raise BadResponse(
                        f"The report document {document_id} could not be downloaded intact "
                        f"after {attempt} attempts ({exc.message}). Kinxpro will try again at "
                        "the next sync.",
                        detail=exc.detail,
                    ) from exc
                log.info("report document %s damaged (%s); fetching again", document_id, exc)

    def download_raw(
        self, document_id: str, cancel: CancelToken | None = None
    ) -> tuple[bytes, str | None]:
        """Like `download`, but inflated bytes and the charset of the document's Content-Type,
        undecoded: the caller decodes strictly (a document whose bytes do not match its
        charset must be refused, not read with replacement characters)."""
        attempt = 0
        while True:
            meta = self.document(document_id, cancel)
            url = str(meta["url"])
            try:
                data, charset = documents.fetch(self.core, url)
                return inflate(data), charset
            except BadResponse as exc:
                attempt += 1
                if attempt >= DOCUMENT_ATTEMPTS:
                    raise BadResponse(
                        f"The report document {document_id} could not be downloaded intact "
                        f"after {attempt} attempts ({exc.message}); nothing of it was stored. "
                        "Request the report again.",
                        detail=exc.detail,
                    ) from exc
                log.info("report document %s damaged (%s); fetching again", document_id, exc)


def inflate(data: bytes) -> bytes:
    """Gzip bytes inflated (whatever the metadata says); other bytes as they are."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise BadResponse(f"the gzip document is damaged ({type(exc).__name__})") from exc
