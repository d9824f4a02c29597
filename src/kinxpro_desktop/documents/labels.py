"""Amazon MFN label payloads: ``Label.FileContents{Contents, FileType, Checksum}``.

``Contents`` is base64 of the gzip of the label file (merchantFulfillmentV0.json). The model
calls ``Checksum`` "an MD5 hash to validate the PDF document data, in the form of a Base64
string" without saying of which bytes; the simulator (sandbox/mfn.py) hashes the decoded label.
Both readings are accepted (the label file, or the gzip stream as sent); anything else is a
mismatch and nothing is returned. An empty checksum (seen in Amazon's own examples) is accepted
with ``checksum_verified=False``: gzip's CRC-32 still guards the bytes.

The declared format is a free string (PDF, PNG, ZPL203, ZPL300, ZPL, ShippingServiceDefault,
"" or a MIME type): the real format is detected from the bytes.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import zlib

from kinxpro_desktop.core.documents import LabelDecodeError, LabelFile, LabelKind

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ZPL_STARTS = (b"^XA", b"~", b"^")


def detect_kind(data: bytes) -> LabelKind:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return LabelKind.PDF
    if head.startswith(_PNG_MAGIC):
        return LabelKind.PNG
    if head.upper().startswith(_ZPL_STARTS) or b"^XA" in data[:4096].upper():
        return LabelKind.ZPL
    raise LabelDecodeError(
        "The label from Amazon is neither PDF, PNG nor ZPL; nothing was printed. "
        "Reprint it (the label is already bought), or choose another label format."
    )


def decode_label(contents: str, *, checksum: str = "", declared_format: str = "") -> LabelFile:
    """Decode, gunzip and verify one label; raise LabelDecodeError with nothing returned."""
    try:
        packed = base64.b64decode(contents.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise LabelDecodeError(
            "The label from Amazon is not valid base64 (the download was cut or changed); "
            "nothing was printed. Reprint the label to download it again."
        ) from None
    try:
        data = gzip.decompress(packed)
    except (OSError, EOFError, zlib.error):
        raise LabelDecodeError(
            "The label from Amazon is not a complete gzip file (the download was cut or "
            "changed); nothing was printed. Reprint the label to download it again."
        ) from None
    if not data:
        raise LabelDecodeError("The label from Amazon is empty; reprint it to download it again.")
    verified = _verify(checksum, data, packed)
    return LabelFile(
        data=data,
        kind=detect_kind(data),
        declared_format=declared_format,
        checksum_verified=verified,
    )


def _verify(checksum: str, data: bytes, packed: bytes) -> bool:
    if not checksum.strip():
        return False
    try:
        expected = base64.b64decode(checksum.strip(), validate=True)
    except (binascii.Error, ValueError):
        expected = b""
    candidates = {hashlib.md5(data).digest(), hashlib.md5(packed).digest()}  # noqa: S324
    if expected not in candidates:
        raise LabelDecodeError(
            "The label from Amazon failed its checksum (it was damaged on the way); nothing "
            "was printed. Reprint the label to download it again; do not buy a new one."
        )
    return True


def decode_file_contents(file_contents: dict[str, object], label_format: str = "") -> LabelFile:
    """From the ``FileContents`` object of a createShipment/getShipment answer."""
    contents = file_contents.get("Contents")
    if not isinstance(contents, str) or not contents:
        raise LabelDecodeError(
            "Amazon's answer holds no label contents; reprint the label to download it again."
        )
    declared = label_format or str(file_contents.get("FileType") or "")
    return decode_label(
        contents, checksum=str(file_contents.get("Checksum") or ""), declared_format=declared
    )
