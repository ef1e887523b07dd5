"""bench/load.py runs end to end: gunicorn with production settings, locust users with real
sessions, the four summary lines, no failed request; and it exits non-zero when a request
failed (so CI sees it)."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_module():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("mixed_errors", "trivial_errors", "status"),
                         [(0, 0, 0), (1, 0, 1), (0, 3, 1), (12, 4, 1)])
def test_load_benchmark_exit_status_is_non_zero_when_a_request_failed(
        mixed_errors, trivial_errors, status):
    assert _load_module().exit_status({"errors": mixed_errors},
                                      {"errors": trivial_errors}) == status


def test_load_benchmark_refuses_a_port_it_did_not_bind():
    """Something already listens there (another helper's server): measuring it would be a lie."""
    import socket

    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen()
    try:
        taken = other.getsockname()[1]
        with pytest.raises(SystemExit, match=f"port {taken} is taken"):
            _load_module().bind_port(taken)
        free = _load_module().bind_port(0)
        assert free.getsockname()[1] not in (0, taken)
        free.close()
    finally:
        other.close()


def test_load_benchmark_without_a_port_starts_on_a_free_one_and_never_on_a_taken_one():
    import socket

    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen()
    try:
        result = subprocess.run(
            [sys.executable, "bench/load.py", "--smoke", "--port", str(other.getsockname()[1])],
            cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        other.close()
    assert result.returncode == 1
    assert "is taken" in result.stderr and "data set" not in result.stdout


@pytest.mark.slow
@pytest.mark.server
def test_load_benchmark_smoke_run_serves_every_page_without_error():
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--smoke", "--dossiers", "100", "--duration", "4",
         "--users", "20"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    # Exit status 0 means no request failed in either run (mixed pages and /ping).
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-4:]
    assert re.search(r"^gunicorn: 127\.0\.0\.1:\d+ \(bound by this run\)$", result.stdout,
                     re.M), result.stdout
    assert [line.split(":")[0] for line in last] == ["rps", "p95_ms", "errors",
                                                    "ratio_to_trivial"], result.stdout
    assert last[2] == "errors: 0", result.stdout
    assert float(last[0].split()[1]) > 0
    assert re.fullmatch(r"ratio_to_trivial: 0\.\d{3}|ratio_to_trivial: 1\.\d{3}", last[3])
    # every page of the mix was requested
    for page in ("region home", "call page", "my dossiers", "dossier page", "dashboard",
                 "instruction page"):
        assert re.search(rf"^\s+{page}\s+[1-9]\d* req", result.stdout, re.M), result.stdout
