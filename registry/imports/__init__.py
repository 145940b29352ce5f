"""Bulk import of units and people from spreadsheets (issue 6).

- `reading`: the uploaded bytes (.xlsx, .xls, .csv) to a header and raw rows, with python-calamine.
- `cleaning`: cell values to model values (dates in the Chinese forms, ID numbers, the choice tokens).
- `people`, `units`: column-wise checks of a whole file, classification against the database (new,
  updated, unchanged), and the set-based writes; `staging` holds the SQL helpers they share.
- `problems`: every error kind, as a code with parameters, rendered in the reader's language.
- `resources`: the django-import-export resources (the column definitions, the admin, the exports).
- `exports`: the downloads (the registry, empty templates, the bad rows) as sheets that `kernel.xlsx`
  writes, every cell through its formula guard.

The state changes (create, check, confirm, import, roll back a batch) are in
`registry.services.imports`; the Celery tasks in `registry.tasks` only call them.
"""
