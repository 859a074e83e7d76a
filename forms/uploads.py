"""Uploaded files: size and type checks, content sniffing, safe file names.

A file field is RJSF's ``"format": "data-url"``. From an HTML form it arrives as a
werkzeug ``FileStorage``; from the API as ``data:<mime>;name=<name>;base64,<data>``.
Either way it becomes an ``Upload``; the web layer stores it and puts a reference in
the task data instead (task data never holds file bytes).

Allowed types come from ``ui:options.accept`` (``.pdf``, ``application/pdf``,
``image/*``), else ``DEFAULT_ACCEPT``. A file passes when its extension belongs to an
allowed type *and* its first bytes are that type's signature.
"""
import base64
import binascii
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote

from babel.units import format_unit
from werkzeug.utils import secure_filename

from engine.attachments import shorten_filename

from . import messages

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_ACCEPT = ("pdf", "png", "jpeg", "webp", "docx", "xlsx", "txt", "csv")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip_with(member):
    def sniff(data):
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            return member in zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
    return sniff


def _text(data):
    head = data[:8192]
    return b"\x00" not in head and not any(head.startswith(m) for m in (b"%PDF", b"PK\x03\x04", OLE2))


@dataclass(frozen=True)
class Kind:
    extensions: tuple
    mime: str
    sniff: object


KINDS = {
    "pdf": Kind((".pdf",), "application/pdf", lambda d: d.startswith(b"%PDF-")),
    "png": Kind((".png",), "image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpeg": Kind((".jpg", ".jpeg"), "image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    "webp": Kind((".webp",), "image/webp", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP"),
    "gif": Kind((".gif",), "image/gif", lambda d: d[:6] in (b"GIF87a", b"GIF89a")),
    "docx": Kind((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 _zip_with("word/document.xml")),
    "xlsx": Kind((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 _zip_with("xl/workbook.xml")),
    "doc": Kind((".doc",), "application/msword", lambda d: d.startswith(OLE2)),
    "xls": Kind((".xls",), "application/vnd.ms-excel", lambda d: d.startswith(OLE2)),
    "txt": Kind((".txt",), "text/plain", _text),
    "csv": Kind((".csv",), "text/csv", _text),
}

# Letters NFKD cannot take apart, so that "hợp đồng.pdf" becomes "hop_dong.pdf" and
# "договор.pdf" becomes "dogovor.pdf" instead of losing every letter.
TRANSLITERATION = str.maketrans({
    "đ": "d", "Đ": "D", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
    **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdezijklmnoprstufye", strict=True)),
    **dict(zip("АБВГДЕЗИЙКЛМНОПРСТУФЫЭ", "ABVGDEZIJKLMNOPRSTUFYE", strict=True)),
    "ё": "e", "Ё": "E", "ж": "zh", "Ж": "Zh", "х": "kh", "Х": "Kh", "ц": "ts", "Ц": "Ts",
    "ч": "ch", "Ч": "Ch", "ш": "sh", "Ш": "Sh", "щ": "shch", "Щ": "Shch", "ъ": "", "Ъ": "",
    "ь": "", "Ь": "", "ю": "yu", "Ю": "Yu", "я": "ya", "Я": "Ya",
})


@dataclass(frozen=True)
class Upload:
    """One checked file: ``filename`` is safe to store, ``content_type`` comes from the sniffed type."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)
    size: int = field(init=False)
    sha256: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "size", len(self.data))
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())

    def placeholder(self):
        """A content-less data-url standing in for the file when the data is checked by jsonschema."""
        return f"data:{self.content_type};name={self.filename};base64,"


class UploadError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def safe_filename(name):
    """``name`` without directories or odd characters, transliterated to ASCII, at most 255
    characters with its extension kept; never empty."""
    name = re.split(r"[/\\]", name or "")[-1]
    name = unicodedata.normalize("NFC", name).translate(TRANSLITERATION)
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem, extension = secure_filename(stem) or "file", secure_filename(extension)
    return shorten_filename(f"{stem}.{extension}" if extension else stem)


def allowed_kinds(ui_options):
    """The ``KINDS`` names ``ui:options.accept`` allows (a comma list or a list of tokens)."""
    accept = (ui_options or {}).get("accept")
    if not accept:
        return list(DEFAULT_ACCEPT)
    tokens = accept.split(",") if isinstance(accept, str) else accept if isinstance(accept, list) else []
    found = []
    for token in (str(t).strip().lower() for t in tokens):
        for name, kind in KINDS.items():
            wild = token.endswith("/*") and kind.mime.startswith(token[:-1])
            if (token in kind.extensions or token == kind.mime or wild) and name not in found:
                found.append(name)
    return found


def accept_attribute(kinds):
    return ",".join(ext for name in kinds for ext in KINDS[name].extensions)


def max_bytes(ui_options):
    limit = (ui_options or {}).get("maxBytes")
    valid = isinstance(limit, int) and not isinstance(limit, bool) and limit > 0
    return limit if valid else DEFAULT_MAX_BYTES


def check(filename, data, kinds, limit, locale):
    """An ``Upload`` for ``data`` named ``filename``.

    :raises UploadError: empty, larger than ``limit``, a type not in ``kinds``, or content
        that is not what the extension says
    """
    if len(data) > limit:
        raise UploadError(messages.file_too_large(_size(limit, locale)))
    if not data:
        raise UploadError(messages.file_empty())
    filename = safe_filename(filename)
    extension = "." + filename.rpartition(".")[2].lower() if "." in filename else ""
    matching = [KINDS[k] for k in kinds if extension in KINDS[k].extensions]
    if not matching:
        raise UploadError(messages.file_type())
    kind = next((k for k in matching if k.sniff(data)), None)
    if kind is None:
        raise UploadError(messages.file_content())
    return Upload(filename, kind.mime, data)


def from_storage(storage, kinds, limit, locale):
    """An ``Upload`` from a werkzeug ``FileStorage``; reads at most ``limit + 1`` bytes.

    :raises UploadError: see ``check``
    """
    data = storage.stream.read(limit + 1)
    return check(storage.filename or "", data, kinds, limit, locale)


def from_data_url(value, kinds, limit, locale):
    """An ``Upload`` from ``data:<mime>;name=<name>;base64,<data>`` (RJSF's file format).

    :raises UploadError: not a base64 data-url, or see ``check``
    """
    match = re.fullmatch(r"data:([^;,]*)((?:;[^;,]*)*);base64,(.*)", value or "", re.DOTALL)
    if not match:
        raise UploadError(messages.file_unreadable())
    if len(match[3]) > (limit + 3) // 3 * 4 + 4:
        raise UploadError(messages.file_too_large(_size(limit, locale)))
    try:
        data = base64.b64decode(re.sub(r"\s+", "", match[3]), validate=True)
    except (binascii.Error, ValueError) as error:
        raise UploadError(messages.file_unreadable()) from error
    params = dict(p.partition("=")[::2] for p in match[2].split(";") if p)
    name = unquote(params.get("name", ""))
    if "." not in name:
        mime_kind = next((k for k in KINDS.values() if k.mime == match[1].lower()), None)
        name = (name or "file") + (mime_kind.extensions[0] if mime_kind else "")
    return check(name, data, kinds, limit, locale)


def _size(limit, locale):
    if limit >= 1024 * 1024:
        return format_unit(round(limit / 1024 / 1024, 1), "digital-megabyte", length="short", locale=locale)
    return format_unit(round(limit / 1024, 1), "digital-kilobyte", length="short", locale=locale)
