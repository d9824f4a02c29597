"""Pre-signed document URLs (``/_docs/{reports|feeds}/{documentId}``), standing in for S3.

GET returns a report or feed result document (gzip when the API said ``compressionAlgorithm:
GZIP``); PUT stores a feed input document uploaded to a ``createFeedDocument`` URL. No auth,
like a pre-signed URL. ``gzip-truncated`` and ``gzip-corrupt`` faults apply here.
"""

from __future__ import annotations

from .faults import DEFERRED_KINDS
from .state import SimState
from .wire import Request, Response, error_body, json_response

_GZIP_KINDS = DEFERRED_KINDS - {"fatal", "wrong-charset"}


def corrupt(content: bytes, kind: str) -> bytes:
    if kind == "gzip-truncated":
        return content[: max(11, len(content) // 2)]
    data = bytearray(content)
    middle = max(10, len(data) // 2)
    for i in range(middle, min(len(data), middle + 16)):
        data[i] ^= 0xA5
    for i in range(max(0, len(data) - 8), len(data)):
        data[i] ^= 0xFF
    return bytes(data)


def handle(state: SimState, req: Request) -> Response:
    parts = req.path.strip("/").split("/")
    if len(parts) != 3 or parts[1] not in ("reports", "feeds"):
        return json_response(404, error_body("NoSuchKey", "The specified key does not exist."))
    kind, document_id = parts[1], parts[2]
    with state.lock:
        doc = state.documents.get(document_id)
    if doc is None:
        return json_response(404, error_body("NoSuchKey", "The specified key does not exist."))
    if req.method == "PUT":
        if kind != "feeds" or doc.content:
            return json_response(
                403, error_body("AccessDenied", "This document URL does not accept uploads.")
            )
        with state.lock:
            doc.content = req.body
            doc.content_type = req.headers.get("content-type") or doc.content_type
        return Response(200, b"", content_type="text/plain")
    if req.method != "GET":
        return json_response(405, error_body("MethodNotAllowed", "Use GET or PUT."))
    content = doc.content
    if doc.compressed:
        fault = state.faults.take(doc.fault_operation, _GZIP_KINDS)
        if fault is not None:
            content = corrupt(content, fault.kind)
    return Response(200, content, content_type=doc.content_type)
