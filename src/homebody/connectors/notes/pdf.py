"""Read a PDF's text layer and creation date with pypdf. Pure: bytes in, text or a reason out.

A PDF holds text only if its pages draw glyphs with fonts (PDF 1.7 §9); a scan without OCR paints
images and has nothing to extract. Encrypted files open when the user password is empty (the
owner password only restricts printing or copying, PDF 1.7 §7.6.3.1); otherwise they cannot be read.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfText:
    """The text of a PDF's pages, how many pages it has, and when it says it was made."""

    text: str
    pages: int
    created: datetime | None
    unreadable_pages: list[int]


class UnreadablePdf(Exception):
    """A PDF whose text cannot be had; `reason` names the problem, never the content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_pdf(data: bytes) -> PdfText:
    """The text layer of a PDF file's bytes; raises UnreadablePdf saying why there is none."""
    # pypdf reports some damage with warnings.warn; they say nothing the reason below does not, and
    # would turn into errors where warnings are errors (the test suite).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _read(data)
        except UnreadablePdf:
            raise
        except DependencyError as err:
            raise UnreadablePdf(
                "PDF is encrypted with a cipher that needs the 'cryptography' package"
            ) from err
        # pypdf raises many kinds of exception on damaged files (PdfReadError, KeyError, ValueError,
        # struct.error, zlib.error, RecursionError, ...); one file is one record, so any of them
        # makes this one record unreadable and the sync goes on.
        except Exception as err:  # noqa: BLE001
            raise UnreadablePdf(f"unreadable PDF ({type(err).__name__})") from err


def _read(data: bytes) -> PdfText:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise UnreadablePdf("PDF is encrypted (a password is needed to open it)")
    pages = len(reader.pages)
    if pages == 0:
        raise UnreadablePdf("PDF has no pages")
    texts: list[str] = []
    unreadable: list[int] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text().strip())
        # A damaged page (bad font, broken content stream) loses its text; the others keep theirs.
        except Exception as err:  # noqa: BLE001
            logger.debug("pdf page %d unreadable: %s", number, type(err).__name__)
            unreadable.append(number)
    text = "\n\n".join(t for t in texts if t)
    if not text.strip():
        if len(unreadable) == pages:
            raise UnreadablePdf("no page of the PDF could be read")
        raise UnreadablePdf("PDF has no text layer (scanned?)")
    return PdfText(_clean(text), pages, _created(reader), unreadable)


def _created(reader: PdfReader) -> datetime | None:
    """The document's /CreationDate (PDF 1.7 §7.9.4 date string); None if absent or malformed."""
    try:
        metadata = reader.metadata
        return metadata.creation_date if metadata is not None else None
    # A malformed date string raises ValueError; a damaged info dictionary anything else.
    except Exception:  # noqa: BLE001
        return None


def _clean(text: str) -> str:
    """Text safe to store: broken ToUnicode maps can yield NULs and lone surrogates."""
    return text.replace("\x00", "").encode("utf-8", errors="replace").decode("utf-8")
