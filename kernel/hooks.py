"""How the shared pages find what each installed app contributes: one discovery instead of one loop per page.

An app contributes by having a module of an agreed name: `<app>/dashboard.py` (home page cards),
`<app>/navigation.py` (NAV_ITEMS), `<app>/statistics.py` (tables), `<app>/permissions.py`
(ROLE_PERMISSIONS), `<app>/integrity.py` (integrity record sections and case links). `app_hooks(name)`
returns those modules in INSTALLED_APPS order, so that the pages list contributions in a stable order, and
`contributions(name, attribute)` the attribute each of them defines.

Django's `autodiscover_modules` imports such modules but does not return them, hence this small function
over `apps.get_app_configs()`. `module_has_submodule` tells an app without the module (skipped) from a
module that fails to import (the error is raised, never swallowed). The list is computed once per process
and recomputed when a test changes INSTALLED_APPS.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import module_has_submodule


@cache
def app_hooks(name: str) -> tuple[ModuleType, ...]:
    """The `<app>.<name>` modules of the installed apps that have one, in INSTALLED_APPS order."""
    return tuple(
        import_module(f"{config.name}.{name}")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, name)
    )


def contributions(name: str, attribute: str, *, collector: str = "") -> list[Any]:
    """`attribute` of every `<app>.<name>` module that defines it, in INSTALLED_APPS order.

    `collector` is the module gathering them when it is itself such a module (accountability.statistics
    gathers `statistics_tables` and defines one): it is left out, or it would call itself."""
    return [
        getattr(module, attribute)
        for module in app_hooks(name)
        if module.__name__ != collector and hasattr(module, attribute)
    ]


@receiver(setting_changed)
def _forget_hooks(*, setting: str, **kwargs: Any) -> None:
    if setting == "INSTALLED_APPS":
        app_hooks.cache_clear()
