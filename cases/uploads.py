"""Validation of uploaded case files: allowed types (by extension and by content), size."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .models import ATTACHMENT_EXTENSIONS, ATTACHMENT_MAX_BYTES

# The first bytes each type must start with: a renamed executable is refused.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".ofd": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


def validate_upload(
    upload: Any, *, extensions: set[str] | None = None, max_bytes: int = ATTACHMENT_MAX_BYTES
) -> list[str]:
    """Reasons to refuse the uploaded file, in the user's language; empty when it is acceptable."""
    if upload is None:
        return [_("Choose a file.")]
    allowed = extensions or ATTACHMENT_EXTENSIONS
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in allowed:
        return [
            _("Files of type %(type)s are not accepted; use one of: %(allowed)s.")
            % {"type": suffix or _("(none)"), "allowed": "、".join(sorted(allowed))}
        ]
    if upload.size == 0:
        return [_("The file is empty.")]
    if upload.size > max_bytes:
        return [
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)}
        ]
    signatures = SIGNATURES.get(suffix)
    if signatures:
        position = upload.tell() if hasattr(upload, "tell") else 0
        upload.seek(0)
        head = upload.read(16)
        upload.seek(position)
        if not any(head.startswith(signature) for signature in signatures):
            return [_("The file's content does not match its %(type)s extension.") % {"type": suffix}]
    return []
