"""scripts/services.py beside a running `make run`: it reuses the embedded Redis whose URL `run`
recorded (one Redis per checkout), and tells a live server's pid file from a stale one. Runs against
the machine's Redis (REDIS_URL) standing in for the embedded one; nothing embedded is started."""
import importlib.util
import os
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "services.py"


@pytest.fixture
def services(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("edc_services_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "VAR", tmp_path)
    monkeypatch.setattr(module, "REDIS_URL_FILE", tmp_path / "redis.url")
    return module


def test_a_recorded_redis_that_answers_is_reused(services, monkeypatch, capsys):
    running = os.environ["REDIS_URL"]  # the test run's real Redis plays `make run`'s embedded one
    (services.VAR / "redis.url").write_text(running + "\n")
    monkeypatch.delenv("REDIS_URL")
    assert services.ensure_redis_url() == running
    assert "using the embedded Redis already running" in capsys.readouterr().out
    assert services._keep_alive == []  # no second server


def test_redis_url_wins_and_a_dead_recorded_url_is_not_trusted(services, monkeypatch):
    assert services.ensure_redis_url() == os.environ["REDIS_URL"]
    assert not services._redis_answers("redis://127.0.0.1:1/0")


def test_a_pid_file_names_a_live_or_a_dead_server(services, tmp_path):
    pid_file = tmp_path / "postmaster.pid"
    assert not services._pid_alive(pid_file)
    pid_file.write_text(f"{os.getpid()}\n/var/run\n")
    assert services._pid_alive(pid_file)
    pid_file.write_text("99999999\n")
    assert not services._pid_alive(pid_file)
    pid_file.write_text("garbage\n")
    assert not services._pid_alive(pid_file)
