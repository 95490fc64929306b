"""Property-based fuzzing: every calculator and every form, for any input.

Runs are repeatable (derandomize, no example database) and bounded (see `fuzz` in strategies.py)."""
