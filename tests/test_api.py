"""The public API stays callable whatever submodules were imported before (regression:
importing kg.validate once replaced the function kg.validate with the module)."""
from __future__ import annotations

import importlib
import pkgutil
import types

import kg


def test_api_names_are_functions_after_every_submodule_is_imported():
    for info in pkgutil.iter_modules(kg.__path__):
        if info.name != "__main__":   # that one runs the CLI
            importlib.import_module(f"kg.{info.name}")
    shadowed = [name for name in kg.__all__ if isinstance(getattr(kg, name), types.ModuleType)]
    assert not shadowed, f"submodules shadow API functions: {shadowed}"
