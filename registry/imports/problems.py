"""Every kind of import error, as a code and parameters; rendered in the reader's language when shown.

Stored problems are plain JSON ({"row", "column", "code", "params"}), so a check made by the worker reads
in the language of whoever opens the page later. Messages about ID numbers reuse the msgids of
`registry.validators`, so the form and the import say the same thing.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ROW_MESSAGES: dict[str, Promise] = {
    "required": _("This column is required."),
    "too_long": _("At most %(limit)s characters are allowed; this one has %(length)s."),
    "formula": _(
        "The cell starts with “%(char)s”, so a spreadsheet would run it as a formula; "
        "remove that character or leave the cell empty."
    ),
    "id_as_number": _(
        "The ID number is stored as a number, so its last digits are lost: "
        "format the column as text and type the number again."
    ),
    "id_shape": _("An ID number has 18 characters: 17 digits and a check digit (0–9 or X)."),
    "id_region": _("The ID number's region code %(code)s is not a valid province code."),
    "id_birth_date": _("The birth date %(digits)s in the ID number is not a possible date."),
    "id_check_digit": _("The ID number's check digit is wrong: it should be %(expected)s, not %(given)s."),
    "birth_date_mismatch": _("The birth date does not match the one in the ID number (%(date)s)."),
    "date_format": _(
        "“%(value)s” is not a date. Write dates as 2020-01-02, 2020/1/2, 2020.1.2, 2020年1月2日 or 20200102."
    ),
    "date_impossible": _("“%(value)s” is not a possible date."),
    "date_out_of_range": _("The date %(value)s is not plausible (before 1900 or in the future)."),
    "appointed_before_birth": _("The appointment date %(value)s is before the birth date."),
    "choice": _("“%(value)s” is not one of the accepted values: %(choices)s."),
    "unknown_unit": _("There is no unit with the code %(code)s; import the units first."),
    "duplicate_in_file": _("%(value)s appears more than once in the file (rows %(rows)s)."),
    "staff_no_taken": _(
        "Staff number %(value)s already belongs to %(name)s, whose ID number is different; "
        "if the ID number was wrong, correct it in the administration first."
    ),
    "id_number_taken": _("This ID number already belongs to %(name)s (staff number %(staff_no)s)."),
    "unknown_parent": _("There is no unit with the code %(code)s in the file or in the registry."),
    "own_parent": _("A unit cannot be its own parent."),
    "parent_cycle": _("The parent units form a loop: %(chain)s."),
}

FILE_MESSAGES: dict[str, Promise] = {
    "empty": _("The file is empty."),
    "too_big": _("The file is %(size)s MB; at most %(limit)s MB can be imported at once."),
    "too_big_unpacked": _(
        "The file unpacks to more than %(limit)s MB, more than a roster can take; "
        "check that it holds only the roster."
    ),
    "cell_too_big": _(
        "A cell of the file holds more than %(limit)s KB, far more than any cell of a roster; "
        "check that the file holds only the roster."
    ),
    "row_too_long": _(
        "A row of the CSV file is longer than %(limit)s KB; check that it holds only the roster "
        "and that every quotation mark is closed."
    ),
    "rows_beyond": _(
        "The sheet has cells beyond row %(row)s, and at most %(limit)s rows can be imported at once: "
        "delete the empty rows at its bottom, or split the file."
    ),
    "too_many_cells": _(
        "The sheet's used area, %(rows)s rows by %(columns)s columns, is more than an import can take "
        "(%(limit)s cells): delete the empty rows and columns at its edges, or split the file."
    ),
    "too_many_strings": _(
        "The file holds more than %(limit)s different texts, more than its cells could show; "
        "check that it holds only the roster."
    ),
    "bad_type": _("Only .xlsx, .xls and .csv files can be imported, not “%(name)s”."),
    "content_mismatch": _(
        "The file “%(name)s” is not a real %(kind)s file (it may have been renamed); "
        "save it again from the spreadsheet program."
    ),
    "unreadable": _("The file cannot be read: it is damaged, protected by a password, or not a spreadsheet."),
    "encoding": _("The CSV file is neither UTF-8 nor GBK text; save it again as “CSV UTF-8”."),
    "no_header": _("No header row with the column “%(column)s” was found in the first %(rows)s rows."),
    "missing_columns": _("The file lacks the required columns: %(columns)s."),
    "duplicate_columns": _("The column “%(column)s” appears more than once in the header."),
    "no_rows": _("The file has a header but no data rows."),
    "too_many_rows": _("The file has %(rows)s rows; at most %(limit)s can be imported at once."),
    "changed_since_check": _(
        "The registry changed after the preview and some rows are no longer valid; nothing was "
        "imported. Check the errors below and upload the file again."
    ),
    "failed": _(
        "The import failed unexpectedly and nothing was written. Try again; if it fails again, "
        "tell the system administrator (batch %(batch)s)."
    ),
    "concurrent_change": _(
        "Someone changed the same records while the import ran, so nothing was written. "
        "Upload the file again."
    ),
    "rollback_changed_later": _(
        "This batch cannot be rolled back: %(count)s of its records were changed afterwards "
        "(for example %(example)s). Roll back the later batches or correct those records by hand."
    ),
    "rollback_referenced": _(
        "This batch cannot be rolled back: %(count)s of the records it created are already used "
        "elsewhere (%(where)s)."
    ),
    "rollback_failed": _("The rollback failed unexpectedly and nothing was changed (batch %(batch)s)."),
    "interrupted_check": _(
        "The background worker stopped twice while checking this file; nothing was written. "
        "Upload the file again; if it happens again, tell the system administrator (batch %(batch)s)."
    ),
    "interrupted_import": _(
        "The background worker stopped twice while importing this batch; nothing was written. "
        "Confirm the import again; if it happens again, tell the system administrator (batch %(batch)s)."
    ),
    "interrupted_rollback": _(
        "The background worker stopped twice while rolling back this batch; nothing was changed. "
        "Roll it back again; if it happens again, tell the system administrator (batch %(batch)s)."
    ),
}


def problem(row: int, column: str, code: str, params: dict[str, Any]) -> dict[str, Any]:
    """One row-level problem; `row` is the row number in the spreadsheet, `column` its header."""
    assert code in ROW_MESSAGES, code
    return {"row": row, "column": column, "code": code, "params": params}


def render(code: str, params: dict[str, Any] | None = None) -> str:
    """The message of a problem code (row or file level), in the active language."""
    template = ROW_MESSAGES.get(code) or FILE_MESSAGES.get(code)
    if template is None:
        return code
    text = str(template)
    return text % params if params else text


class ImportRefusedError(Exception):
    """The file as a whole cannot be imported, or a step (a rollback) is refused."""

    def __init__(self, code: str, **params: Any) -> None:
        assert code in FILE_MESSAGES, code
        super().__init__(code)
        self.code = code
        self.params = params

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}

    def __str__(self) -> str:
        return render(self.code, self.params)
