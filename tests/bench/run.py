"""make bench: build (or reuse) the synthetic trials at 96 and 10,000 participants, measure, and
write var/bench/results.json and results.md (tests/bench/README.md explains each figure).

    python -m tests.bench.run            # under scripts/services.py exec (DATABASE_URL, REDIS_URL set)

Every measurement runs in its own process (tests/bench/jobs/) against a fresh copy of a trial
database, so one run never changes what the next one starts from.
"""
import json
import os
import subprocess
import sys
import time

from tests.bench.dbs import ROOT, Server, url_for
from tests.bench.report import markdown, table

OUT = ROOT / "var" / "bench"
TRIALS = [  # (database, participants, seed, enrolled participants waiting for randomization)
    ("bench_96", 96, 96, 0),
    ("bench_10k", 10_000, 10_000, 200),
]


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def job(module: str, database_url: str, *args: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, DEBUG="False", DJANGO_SETTINGS_MODULE="edc.settings",
               ALLOWED_HOSTS="127.0.0.1,localhost,testserver", DB_CONN_MAX_AGE="60")
    done = subprocess.run([sys.executable, "-m", f"tests.bench.jobs.{module}", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    base = os.environ.get("DATABASE_URL")
    if not base:
        say("DATABASE_URL is not set: run `make bench` (it starts PostgreSQL and Redis when needed)")
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    server = Server(base)
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "cpus": os.cpu_count(), "trials": {}}
    for name, participants, seed, pending in TRIALS:
        made = server.ensure_trial(name, participants=participants, seed=seed, pending=pending, say=say)
        copy = f"{name}_run"
        say(f"{name}: copying to {copy} ({server.create(copy, template=name):.1f} s)")
        url = url_for(base, copy)
        trial = results["trials"][participants] = {"generation": made}
        try:
            say(f"{name}: pages (query counts, latency)")
            trial["pages"] = job("pages", url)
            say(f"{name}: export (zip of every dataset) and PostgreSQL COPY of the same rows")
            trial["export"] = job("export", url, "zip", str(OUT / f"export-{participants}.zip"))
            trial["copy"] = job("export", url, "copy")
            say(f"{name}: the statistician API's CSV of the largest dataset against COPY of its rows")
            trial["api"] = job("export", url, "api")
            (OUT / f"export-{participants}.zip").unlink(missing_ok=True)
            if participants >= 10_000:
                say(f"{name}: CRF saves vs /ping/ on gunicorn, 16 clients")
                trial["http"] = job("http_load", url, "crf")
                say(f"{name}: list pages vs /ping/ on gunicorn, 16 clients")
                trial["lists"] = job("http_load", url, "lists")
                say(f"{name}: {pending} concurrent randomizations")
                trial["randomize"] = job("http_load", url, "randomize")
                say(f"{name}: SAE obligation sweep over 10,000 open obligations")
                trial["sweep"] = job("sweep", url)
        finally:
            server.drop(copy)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    (OUT / "results.md").write_text(markdown(results))
    print()
    print(table(results))
    print(f"\n[bench] written: {OUT / 'results.json'}, {OUT / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
