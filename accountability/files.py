"""Uploaded files: stored under names nobody can guess, served only by views that checked the permission.

Every uploaded file (case attachments, finding photos, rectification evidence) is stored as
`<prefix>/<yyyy>/<uuid4 hex><ext>`: neither the row's id nor the original file name can be derived from
it, and the original name stays in the row (`original_name`) for the download. No settings module serves
MEDIA_ROOT at a URL; the bytes leave only through `serve_file`, called by a download view after its access
helper found the row. In production, `PROTECTED_MEDIA_ACCEL_PREFIX` (e.g. `/protected-media/`) hands the
sending to nginx: the response is empty and carries `X-Accel-Redirect` to an `internal` location that
aliases MEDIA_ROOT (see ARCHITECTURE.md). Import files never reach the disk: ImportFile keeps them in the
database, and their downloads are admin-only views.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import uuid
from collections.abc import Iterable
from functools import partial
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

# Types a browser may show in the page (finding photos in an <img>); everything else is downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg"})
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
# What `unguessable_name` produces: the data migration leaves such names alone.
UNGUESSABLE = re.compile(r"(?:[a-z_]+/)+\d{4}/[0-9a-f]{32}(?:\.[a-z0-9]{1,10})?")


def extension_of(filename: str) -> str:
    """The lower-case extension (`.pdf`), or "" when it is missing or not plain letters and digits."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    return suffix if _EXTENSION.fullmatch(suffix) else ""


def unguessable_name(prefix: str, filename: str, year: int | None = None) -> str:
    """`cases/2026/3f2a…9c.pdf`: a random name under the upload year; only the extension is kept, so that
    the web server and the browser still know the type."""
    year = year if year is not None else timezone.localdate().year
    return f"{prefix}/{year:04d}/{uuid.uuid4().hex}{extension_of(filename)}"


def content_type_of(filename: str) -> str:
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    return guessed or "application/octet-stream"


def _protect(response: HttpResponseBase) -> HttpResponseBase:
    # The type is ours, never the browser's guess; a shared cache or the browser's disk keeps no copy.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def serve_file(field_file: FieldFile, *, filename: str, inline: bool = False) -> HttpResponseBase:
    """The response for a stored file the caller has already checked the user may see.

    `filename` (the original name) is what the browser saves; `inline` is honoured only for images. A
    file missing from the storage is a 404, never a 500. With `PROTECTED_MEDIA_ACCEL_PREFIX` set the
    response is empty and nginx sends the bytes from its internal location.
    """
    if not field_file.name:
        raise Http404
    content_type = content_type_of(filename)
    as_attachment = not (inline and content_type in INLINE_TYPES)
    accel_prefix = getattr(settings, "PROTECTED_MEDIA_ACCEL_PREFIX", "")
    if accel_prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + quote(field_file.name, safe="/")
        disposition = content_disposition_header(as_attachment, filename)
        if disposition:
            response["Content-Disposition"] = disposition
        return _protect(response)
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        logger.warning("Stored file %s is missing", field_file.name)
        raise Http404 from None
    return _protect(
        FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    )


def move_to_unguessable_names(
    model: type[models.Model], *, prefix: str, field: str = "file"
) -> tuple[int, int]:
    """Give every stored file of `model` an unguessable name (the data migrations; also any model's
    historical version). Returns (moved, missing).

    Each file is copied to its new name and the row updated; the old copy is deleted only once the
    transaction has committed, so a failed migration leaves the rows pointing at files that still exist.
    A row whose file is missing keeps its name (nothing to move; the download answers 404).
    """
    storage: Storage = model._meta.get_field(field).storage  # type: ignore[union-attr]
    moved = missing = 0
    rows: Iterable[Any] = model._default_manager.order_by("pk").iterator()
    for row in rows:
        old = getattr(row, field).name
        if not old or UNGUESSABLE.fullmatch(old):
            continue
        if not storage.exists(old):
            missing += 1
            continue
        uploaded = getattr(row, "uploaded_at", None)
        year = timezone.localtime(uploaded).year if uploaded else None
        with storage.open(old, "rb") as handle:
            new = storage.save(unguessable_name(prefix, old, year), handle)
        model._default_manager.filter(pk=row.pk).update(**{field: new})
        transaction.on_commit(partial(storage.delete, old))
        moved += 1
    if missing:
        logger.warning("%s: %d stored files were missing and kept their names", model.__name__, missing)
    return moved, missing
