"""Demo part of the safety module: the default SAE obligation policy."""
from safety.services.obligations import ensure_policies


def load_demo(stdout) -> None:
    ensure_policies()
