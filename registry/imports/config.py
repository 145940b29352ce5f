"""Limits of the import, overridable in settings.

The limits on what a file unpacks to are about memory: python-calamine holds a whole sheet, so a worker
needs a few times the unpacked size (docs/PERFORMANCE.md). They are set just above the largest roster
`max_rows` allows, and `registry.imports.scanning` checks them while it streams the file, before
the reader sees it.
"""

from django.conf import settings

# The header is the first row, among these, that holds the key column (rosters often carry a title).
HEADER_SEARCH_ROWS = 20


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def max_unpacked_bytes() -> int:
    """What a file may unpack to: every member of an .xlsx, plus each shared string once more for every
    cell that repeats it (the reader gives each cell its own copy). A 500,000-row roster (`max_rows`)
    written with inline strings unpacks to about 350 MB; saved by Excel, with shared strings, to less."""
    return int(getattr(settings, "IMPORT_MAX_UNPACKED_BYTES", 400 * 1024 * 1024))


def max_cell_bytes() -> int:
    """The bytes of one cell, markup included (characters for a CSV field). Excel itself holds at most
    32,767 characters in a cell, under 100 KB; a roster's cells are a few dozen bytes."""
    return int(getattr(settings, "IMPORT_MAX_CELL_BYTES", 128 * 1024))


def max_cells() -> int:
    """The used area, rows × columns up to the last cell with a value: the reader fills that rectangle,
    so one stray cell far away costs as much as a full sheet. 500,000 rows of 20 columns."""
    return int(getattr(settings, "IMPORT_MAX_CELLS", 10_000_000))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 500_000))


def sync_max_bytes() -> int:
    """Files that unpack to at most this much (about 2,800 roster rows) are checked and imported within
    the request; larger ones by Celery. Unpacked, not uploaded: a small upload can unpack to a lot."""
    return int(getattr(settings, "IMPORT_SYNC_MAX_BYTES", 2 * 1024 * 1024))


def preview_rows() -> int:
    return int(getattr(settings, "IMPORT_PREVIEW_ROWS", 10))
