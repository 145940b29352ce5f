"""Limits of the import, overridable in settings."""

from django.conf import settings


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def max_unpacked_bytes() -> int:
    """An .xlsx may unpack to at most this much (a 500,000-row roster unpacks to about 250 MB)."""
    return int(getattr(settings, "IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 500_000))


def sync_max_bytes() -> int:
    """Files up to this size are checked and imported within the request; larger ones by Celery."""
    return int(getattr(settings, "IMPORT_SYNC_MAX_BYTES", 256 * 1024))


def preview_rows() -> int:
    return int(getattr(settings, "IMPORT_PREVIEW_ROWS", 10))
