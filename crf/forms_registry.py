"""Imports every eCRF module so each registers itself in crf.registry."""
import importlib
import pkgutil

import crf.ecrf

for module in pkgutil.iter_modules(crf.ecrf.__path__):
    importlib.import_module(f"crf.ecrf.{module.name}")
