"""Fill the zh_Hant catalogues from zh_Hans by conversion (OpenCC s2twp) and tidy both headers."""

from pathlib import Path

import polib
from opencc import OpenCC

ROOT = Path(__file__).resolve().parent.parent
convert = OpenCC("s2twp").convert

for hans_path in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
    if ".venv" in hans_path.parts:
        continue
    hant_path = hans_path.parent.parent.parent / "zh_Hant" / "LC_MESSAGES" / "django.po"
    if not hant_path.exists():
        continue
    hans_file = polib.pofile(str(hans_path))
    hans_file.metadata_is_fuzzy = False
    hans_file.metadata["Language"] = "zh_Hans"
    hans_file.save()
    hans = {(entry.msgctxt, entry.msgid): entry for entry in hans_file}
    hant = polib.pofile(str(hant_path))
    hant.metadata_is_fuzzy = False
    hant.metadata["Language"] = "zh_Hant"
    filled = 0
    for entry in hant:
        source = hans.get((entry.msgctxt, entry.msgid))
        if source is None or not source.translated():
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {key: convert(value) for key, value in source.msgstr_plural.items()}
        else:
            entry.msgstr = convert(source.msgstr)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        filled += 1
    hant.save()
    print(f"{hant_path.relative_to(ROOT)}: {filled} entries from zh_Hans")
