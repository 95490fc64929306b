"""The demo trial's clock (docs/DAILY_USE.md, "The demo trial"): the demo is made through the real
services, each step at the moment it happened, so every service's timezone.now() is that moment's.
Used by <app>/demo.py only (load_demo_trial, DEBUG)."""
from contextlib import contextmanager
from datetime import datetime


@contextmanager
def at(moment: datetime):
    import time_machine  # runtime requirement for the demo only

    with time_machine.travel(moment, tick=False):
        yield
