"""Chinese first: every catalogue string has a zh-hans (and zh-hant) translation, compiled."""

import gettext
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    path for path in ROOT.glob("**/locale/zh_Han*/LC_MESSAGES/django.po") if ".venv" not in path.parts
)


def test_there_are_catalogues_for_both_scripts() -> None:
    languages = {path.parent.parent.name for path in CATALOGUES}
    assert languages == {"zh_Hans", "zh_Hant"}
    assert len(CATALOGUES) >= 2


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_catalogue_is_complete(po_path: Path) -> None:
    catalogue = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"untranslated in {po_path}"
    assert fuzzy == [], f"fuzzy in {po_path}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_compiled_catalogue_matches(po_path: Path) -> None:
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in polib.pofile(str(po_path)).translated_entries():
        if entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert compiled._catalog.get(key) == entry.msgstr, f"{mo_path} is stale for {entry.msgid!r}"  # type: ignore[attr-defined]


def test_no_message_is_translated_two_ways() -> None:
    """All catalogues share one namespace at run time (the first catalogue wins), so the same English text
    must not mean two things: where it does, the code gives it a context (pgettext)."""
    translations: dict[tuple[str | None, str], set[str]] = {}
    for po_path in CATALOGUES:
        if po_path.parent.parent.name != "zh_Hans":
            continue
        for entry in polib.pofile(str(po_path)).translated_entries():
            translations.setdefault((entry.msgctxt, entry.msgid), set()).add(
                entry.msgstr or str(entry.msgstr_plural)
            )
    clashes = {key: values for key, values in translations.items() if len(values) > 1}
    assert clashes == {}


def test_no_catalogue_redefines_djangos_own_messages() -> None:
    """Our catalogues come first at run time: a msgid Django already translates would change Django's
    own messages (form errors, admin) everywhere."""
    import django

    django_po = Path(django.__file__).parent / "conf" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    django_messages = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.pofile(str(django_po)).translated_entries()
    }
    redefined = [
        (po_path.relative_to(ROOT), entry.msgid)
        for po_path in CATALOGUES
        if po_path.parent.parent.name == "zh_Hans"
        for entry in polib.pofile(str(po_path)).translated_entries()
        if django_messages.get((entry.msgctxt, entry.msgid), entry.msgstr) != entry.msgstr
    ]
    assert redefined == []
