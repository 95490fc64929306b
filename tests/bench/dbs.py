"""The benchmark databases, on the same PostgreSQL server as DATABASE_URL (no Django here).

`bench_<n>` holds a synthetic trial and is kept between runs: its comment records what made it
(size, seed, a fingerprint of the generator and the migrations) and how long that took, so a
later `make bench` reuses it when nothing changed. Each run works on a copy (`bench_<n>_run`,
CREATE DATABASE ... TEMPLATE), because the benchmarks write (form saves, randomizations, SAEs).
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parents[2]


def url_for(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def fingerprint() -> str:
    """What the data depend on: the generator's code and the schema (migrations)."""
    digest = hashlib.sha256()
    files = sorted(ROOT.glob("synthetic/**/*.py")) + sorted(ROOT.glob("*/migrations/0*.py"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Server:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.conn = psycopg2.connect(url_for(base_url, "postgres"))
        self.conn.autocommit = True

    def _one(self, sql: str, params=()):
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            return row[0] if row else None

    def _run(self, sql: str) -> None:
        with self.conn.cursor() as cursor:
            cursor.execute(sql)

    def marker(self, name: str) -> dict | None:
        text = self._one("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        try:
            return json.loads(text) if text else None
        except ValueError:
            return None

    def drop(self, name: str) -> None:
        _check(name)
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create(self, name: str, template: str | None = None) -> float:
        _check(name)
        self.drop(name)
        started = time.monotonic()
        if template:
            _check(template)
            # FILE_COPY copies the files instead of logging every block: seconds for gigabytes (PG 15+)
            strategy = " STRATEGY FILE_COPY" if int(self._one("SHOW server_version_num")) >= 150000 else ""
            self._run(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')
        else:
            self._run(f'CREATE DATABASE "{name}"')
        return time.monotonic() - started

    def ensure_trial(self, name: str, *, participants: int, seed: int, pending: int, say) -> dict:
        """The trial database, built unless one made the same way is there; returns its marker."""
        wanted = {"participants": participants, "seed": seed, "pending": pending, "fingerprint": fingerprint()}
        found = self.marker(name)
        if found and all(found.get(k) == v for k, v in wanted.items()):
            say(f"{name}: reusing ({participants} participants, seed {seed}, generated in "
                f"{found['seconds']:.1f} s on {found['day']})")
            return found | {"reused": True}
        say(f"{name}: building {participants} participants, seed {seed} (this takes a while at 10,000)")
        self.create(name)
        env = dict(os.environ, DATABASE_URL=url_for(self.base_url, name))
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        beyond = ["--beyond-design"] if participants > 96 else []  # 10,000: a load test past the 4 x 24 design
        out = subprocess.run([*manage, "synthesize_trial", "--participants", str(participants), "--seed", str(seed),
                              "--pending", str(pending), *beyond], cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True).stdout
        seconds = float(re.search(r"Done in ([0-9.]+) s", out).group(1))
        rows = int(re.search(r"rows in all\s+([0-9,]+)", out).group(1).replace(",", ""))
        made = wanted | {"seconds": seconds, "rows": rows, "day": time.strftime("%Y-%m-%d")}
        self._run(f"COMMENT ON DATABASE \"{name}\" IS '{json.dumps(made)}'")
        say(f"{name}: generated {rows:,} rows in {seconds:.1f} s")
        return made | {"reused": False}


def _check(name: str) -> None:
    if not re.fullmatch(r"bench_[a-z0-9_]+", name):
        raise ValueError(f"refusing to touch database {name!r}: benchmark databases are named bench_*")
