"""Synthetic trial data: a reproducible, realistic trial of any size, written in bulk.

A Django app with no models. It sits at the right end of the dependency chain (it reads every
app's models, calculators and rules; nothing imports it) — docs/ARCHITECTURE.md: dependencies point
one way. Entry point: `manage.py synthesize_trial` (synthetic.trial.generate).
"""
