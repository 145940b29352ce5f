#!/usr/bin/env bash
# Regenerate the translation catalogues, fill zh_Hant from zh_Hans, compile. Needs GNU gettext.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
$PY manage.py makemessages -l zh_Hans -l zh_Hant --no-obsolete --no-location \
  --ignore='.venv/*' --ignore='node_modules/*' --ignore='bench/*' --ignore='tests/*' --ignore='staticfiles/*' \
  --ignore='scripts/*' --ignore='docs/*'
$PY scripts/fill_hant.py
$PY manage.py compilemessages --ignore='.venv/*' --ignore='node_modules/*'
