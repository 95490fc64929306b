"""Property-based fuzzing (issue 8 part 3): every calculator and every form, for any input.

Runs are repeatable (derandomize, no example database) and bounded (see `fuzz` in strategies.py)."""
