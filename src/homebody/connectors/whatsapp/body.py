"""What a message's text says besides itself: media placeholders, deletions, edits, system notices.

All phrases are localized by the exporting phone (FORMATS.md §3 "Placeholders (localized!)"). The
tables hold English plus the locales seen in the fixtures and in public parsers' test data; phrases
not confirmed against a real export are marked [unverified] as in FORMATS.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Whole-text placeholders (casefolded, trailing "." dropped) -> what was left out.
_OMITTED: dict[str, str] = {
    # Android, FORMATS.md §3.
    "<media omitted>": "media",
    "<medien ausgeschlossen>": "media",
    "<multimedia omitido>": "media",
    "<médias omis>": "media",
    "<без медиафайлов>": "media",
    "<mídia oculta>": "media",  # [unverified]
    "<media weggelaten>": "media",  # [unverified]
    "<media omessi>": "media",  # [unverified]
    "null": "view-once",
    # iOS, FORMATS.md §3.
    "image omitted": "image",
    "video omitted": "video",
    "audio omitted": "audio",
    "sticker omitted": "sticker",
    "gif omitted": "gif",
    "document omitted": "document",
    "contact card omitted": "contact card",
    "bild weggelassen": "image",
    "video weggelassen": "video",
    "audio weggelassen": "audio",
    "sticker weggelassen": "sticker",
    "gif weggelassen": "gif",
    "kontaktkarte weggelassen": "contact card",  # [unverified]
    "imagen omitida": "image",  # [unverified]
    "video omitido": "video",  # [unverified]
    "audio omitido": "audio",  # [unverified]
    "sticker omitido": "sticker",  # [unverified]
    "لم يتم إدراج الصورة": "image",
    "لم يتم إدراج الفيديو": "video",  # [unverified]
    "لم يتم إدراج الصوت": "audio",  # [unverified]
}

_DELETED = frozenset(
    {
        "this message was deleted",
        "you deleted this message",
        "diese nachricht wurde gelöscht",
        "du hast diese nachricht gelöscht",
        "se eliminó este mensaje",  # [unverified]
        "eliminaste este mensaje",  # [unverified]
        "ce message a été supprimé",  # [unverified]
        "vous avez supprimé ce message",  # [unverified]
        "essa mensagem foi apagada",  # [unverified]
        "você apagou esta mensagem",  # [unverified]
        "questo messaggio è stato eliminato",  # [unverified]
        "تم حذف هذه الرسالة",  # [unverified]
    }
)

# Android: `IMG-20240112-WA0003.jpg (file attached)`, caption on the next line.
_FILE_ATTACHED = re.compile(
    r"^(?P<file>[^\n]+?) \((?:file attached|Datei angehängt|archivo adjunto|fichier joint"
    r"|arquivo anexado|file allegato|bestand bijgevoegd)\)[ \t]*$",
    re.MULTILINE,
)
# iOS with media: `<attached: 00000012-PHOTO-2024-01-04-19-04-09.jpg>`.
_ATTACHED = re.compile(
    r"<(?:attached|Anhang|angehängt|adjunto|pièce jointe|anexado|allegato|bijlage)\s?:\s"
    r"(?P<file>[^<>\n]+)>"
)
# iOS without media: `Menu.pdf • 3 pages document omitted`.
_DOCUMENT_OMITTED = re.compile(
    r"^(?P<file>.+?) • .*(?:document omitted|Dokument weggelassen|documento omitido)$",
    re.IGNORECASE,
)
_EDITED = re.compile(
    r"\s*<(?:This message was edited|Diese Nachricht wurde bearbeitet|Se editó este mensaje"
    r"|Ce message a été modifié)\.?>\s*$",
    re.IGNORECASE,
)
_LOCATION = re.compile(
    r"^(?:location|standort|ubicación|localisation|localização|posizione|الموقع): (?P<url>https?://\S+)$",
    re.IGNORECASE,
)
_CALL = re.compile(
    r"^(?:missed (?:group )?(?:voice|video) call|verpasster (?:sprach|video)anruf"
    r"|llamada (?:de voz|de video) perdida)",
    re.IGNORECASE,
)
# The notice every chat starts with (FORMATS.md §3 "System lines"); skipped, never stored.
_ENCRYPTION = re.compile(
    r"end-to-end[- ]encrypt|ende-zu-ende-verschlüsselt|de extremo a extremo|de bout en bout"
    r"|de ponta a ponta|crittografat[ie] end-to-end|end-to-end versleuteld"
    r"|مشفرة تمامًا بين الطرفين|端到端加密|エンドツーエンド暗号化|сквозным шифрованием",
    re.IGNORECASE,
)


def is_encryption_notice(text: str) -> bool:
    """True for the end-to-end-encryption notice, in any locale we know."""
    return _ENCRYPTION.search(text) is not None


@dataclass
class Body:
    """A message's text with placeholders taken out, and what they said."""

    text: str
    attachments: list[str] = field(default_factory=list)
    deleted: bool = False
    edited: bool = False
    location: str | None = None
    call: bool = False

    @property
    def is_placeholder(self) -> bool:
        """True if the text was a media, deletion, location or call placeholder of a person."""
        return bool(self.attachments) or self.deleted or self.location is not None or self.call

    def meta(self) -> dict[str, object]:
        """The JSON-safe fields this body adds to an item's meta."""
        meta: dict[str, object] = {}
        if self.attachments:
            meta["attachments"] = list(self.attachments)
        if self.deleted:
            meta["deleted"] = True
        if self.edited:
            meta["edited"] = True
        if self.location is not None:
            meta["location"] = self.location
        if self.call:
            meta["call"] = True
        return meta


def _key(text: str) -> str:
    return text.strip().rstrip(".").casefold()


def read_body(text: str) -> Body:
    """Split a message's text (marks stripped) into what the person wrote and placeholders."""
    body = Body(text=text)
    edited = _EDITED.search(text)
    if edited is not None:
        body.edited = True
        text = text[: edited.start()]
    for m in _FILE_ATTACHED.finditer(text):
        body.attachments.append(m.group("file").strip())
    text = _FILE_ATTACHED.sub("", text)
    for m in _ATTACHED.finditer(text):
        body.attachments.append(m.group("file").strip())
    text = _ATTACHED.sub("", text)
    document = _DOCUMENT_OMITTED.match(text.strip())
    key = _key(text)
    if document is not None:
        body.attachments.append(document.group("file").strip())
        text = ""
    elif key in _OMITTED:
        body.attachments.append(f"<{_OMITTED[key]} omitted>")
        text = ""
    elif key in _DELETED:
        body.deleted = True
        text = ""
    location = _LOCATION.match(text.strip())
    if location is not None:
        body.location = location.group("url")
    body.call = _CALL.match(text.strip()) is not None
    body.text = text.strip("\n").rstrip()
    return body
