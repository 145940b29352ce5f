"""One hook discovery (kernel/hooks.py) for what the apps contribute to the shared pages: dashboard,
navigation, statistics, role permissions and the integrity record."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

import cases.statistics
import inspections.statistics
import petitions.statistics
from accountability.navigation import NAV_ITEMS, _all_items
from accountability.roles import declared_role_permissions
from kernel.hooks import app_hooks, contributions


def names(name: str) -> list[str]:
    return [module.__name__ for module in app_hooks(name)]


def test_the_modules_come_in_installed_apps_order() -> None:
    assert names("dashboard") == [
        "accountability.dashboard",
        "cases.dashboard",
        "inspections.dashboard",
        "petitions.dashboard",
    ]
    # Apps without the module (Django's own, the third-party ones) are skipped.
    assert names("permissions") == ["cases.permissions", "inspections.permissions", "petitions.permissions"]


def test_the_discovery_runs_once() -> None:
    assert app_hooks("navigation") is app_hooks("navigation")


def test_the_collector_is_left_out_of_its_own_contributions() -> None:
    assert contributions("statistics", "statistics_tables", collector="accountability.statistics") == [
        cases.statistics.statistics_tables,
        inspections.statistics.statistics_tables,
        petitions.statistics.statistics_tables,
    ]
    assert [
        hook.__module__ for hook in contributions("integrity", "case_links", collector="cases.integrity")
    ] == [
        "inspections.integrity",
        "petitions.integrity",
    ]


def test_the_five_collectors_see_every_app(db) -> None:
    items = _all_items()
    assert set(NAV_ITEMS) <= set(items)  # the shell's own entries
    assert {item.url_name.split(":")[0] for item in items} >= {"cases", "inspections", "petitions"}
    declared = declared_role_permissions()
    assert "registry.view_orgunit" in declared["case_officer"]  # the registry's, in roles.py
    assert "cases.view_case" in declared["case_officer"]  # the app's, in cases/permissions.py


@pytest.fixture
def probe_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A throwaway app with a navigation module and a dashboard module that fails to import."""
    package = tmp_path / "hookprobe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "navigation.py").write_text("NAV_ITEMS = []\n")
    (package / "dashboard.py").write_text("import hookprobe_missing_dependency  # noqa: F401\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "hookprobe"
    for name in [name for name in sys.modules if name.startswith("hookprobe")]:
        del sys.modules[name]


def test_a_new_app_is_found_and_a_broken_hook_is_not_hidden(probe_app: str) -> None:
    assert "hookprobe.navigation" not in names("navigation")
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, probe_app]):
        assert names("navigation")[-1] == "hookprobe.navigation"
        # The module exists but fails: the error is raised, not taken for "this app has no dashboard".
        with pytest.raises(ModuleNotFoundError) as error:
            app_hooks("dashboard")
        assert error.value.name == "hookprobe_missing_dependency"
    assert "hookprobe.navigation" not in names("navigation")
