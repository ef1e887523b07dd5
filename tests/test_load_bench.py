"""bench/load.py runs end to end: gunicorn with production settings, locust users with real
sessions, the four summary lines, no failed request; and it exits non-zero when a request
failed (so CI sees it). Nothing here depends on how fast the machine is: a loaded machine may
get few requests through a short run (locust then writes "N/A" for its percentiles), and what
the smoke run asserts about each page comes from the check that requests each page once."""

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


def test_load_benchmark_exit_status_is_non_zero_when_a_page_failed_the_check():
    assert _load_module().exit_status({"errors": 0}, {"errors": 0},
                                      ["dashboard (/hdf/instruction/): 500"]) == 1


HEADER = ("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
          "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
          "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n")


def test_load_benchmark_reads_na_percentiles_as_no_figure(tmp_path):
    """What a run that got no request through gives (the crash seen on a loaded machine)."""
    (tmp_path / "locust-mixed_stats.csv").write_text(
        HEADER + ",Aggregated,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n",
        encoding="utf-8")
    load = _load_module()
    stats = load.read_stats(tmp_path / "locust-mixed")
    assert (stats["requests"], stats["errors"], stats["rps"]) == (0, 0, 0.0)
    assert (stats["p50"], stats["p95"], stats["p99"]) == (None, None, None)
    assert (load.ms(stats["p95"]), load.ms(212.4)) == ("n/a", "212")


def test_load_benchmark_reads_figures_and_pages(tmp_path):
    (tmp_path / "locust-mixed_stats.csv").write_text(
        HEADER + "GET,dashboard,40,1,30,31,5,90,1000,8.5,0.2,30,32,35,40,60,80,90,95,95,95,95\n"
        ",Aggregated,40,1,30,31,5,90,1000,8.5,0.2,30,32,35,40,60,80,N/A,95,95,95,95\n",
        encoding="utf-8")
    stats = _load_module().read_stats(tmp_path / "locust-mixed")
    assert (stats["requests"], stats["errors"], stats["rps"]) == (40, 1, 8.5)
    assert (stats["p50"], stats["p95"], stats["p99"]) == (30.0, 80.0, 95.0)
    assert stats["pages"] == {"dashboard": (40, 1, 30.0, 80.0)}
    assert stats["missing"] == ""


def test_load_benchmark_without_locust_figures_reports_them_missing(tmp_path):
    stats = _load_module().read_stats(tmp_path / "locust-mixed")
    assert (stats["requests"], stats["rps"], stats["p95"]) == (0, 0.0, None)
    assert stats["missing"] == "no figures from locust (locust-mixed_stats.csv missing)"


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
    # Figures, whatever the machine's load lets through in 4 s ("n/a": none for that one).
    assert re.fullmatch(r"rps: \d+\.\d", last[0]), result.stdout
    assert re.fullmatch(r"p95_ms: (\d+|n/a)", last[1]), result.stdout
    assert re.fullmatch(r"ratio_to_trivial: \d+\.\d{3}", last[3]), result.stdout
    # every page of the mix (region home, call page, my dossiers, dossier page, dashboard,
    # instruction page) answered 200 when requested once before the load
    assert "pages checked: 6 of 6 answer 200" in result.stdout, result.stdout
