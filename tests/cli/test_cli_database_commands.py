"""`ketaclinic migrate`, `demo`, `check` and `audit verify` on a fresh SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys


def run(args: list[str], data_dir) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETACLINIC_")}
    env["KETACLINIC_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "ketaclinic", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_fresh_clinic_from_migrate_to_verified_audit(tmp_path):
    # One fresh clinic for every check of migrate and demo: each migrate costs over a
    # minute of CI on two cores.
    assert run(["migrate"], tmp_path).returncode == 0
    database = tmp_path / "ketaclinic.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    # The cache table every process shares (rate limits), and planner statistics: without
    # sqlite_stat1 SQLite guesses its plans (web/planner_statistics.py), and counted a
    # patient's assessments by walking the whole site index.
    assert {"ketaclinic_cache", "sqlite_stat1"} <= tables

    demo = run(["demo", "--patients", "50"], tmp_path)
    assert demo.returncode == 0, demo.stderr
    with sqlite3.connect(database) as connection:
        analysed = {row[0] for row in connection.execute("SELECT tbl FROM sqlite_stat1")}
    assert {"patients_patient", "assessments_assessment", "audit_auditevent"} <= analysed
    assert "Demo clinic created with 50 synthetic patients." in demo.stdout
    assert "nurse" in demo.stdout
    assert "ketamine-demo-2026" in demo.stdout

    again = run(["demo", "--patients", "50"], tmp_path)
    assert "already present; nothing added" in again.stdout

    assert run(["check"], tmp_path).returncode == 0
    verify = run(["audit", "verify"], tmp_path)
    assert verify.returncode == 0
    assert "chain intact" in verify.stdout


def test_bad_arguments_exit_two_with_one_line(tmp_path):
    result = run(["demo", "--patients", "many"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "ketaclinic: error: argument --patients: 'many' is not a whole number"
    ]
    port = run(["serve", "--port", "70000"], tmp_path)
    assert port.returncode == 2
    assert "not a TCP port" in port.stderr


def test_serve_refuses_an_unmigrated_database(tmp_path):
    result = run(["serve", "--port", "8999"], tmp_path)
    assert result.returncode == 2
    assert "run `ketaclinic migrate` first" in result.stderr


def test_a_closed_pipe_stops_quietly_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETACLINIC_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "ketaclinic", "protocols", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) in (0, 1)
    assert "Traceback" not in stderr


def test_serve_runs_one_process_on_sqlite_and_two_on_postgresql():
    from types import SimpleNamespace

    from ketaclinic.cli.database import default_workers

    assert default_workers(SimpleNamespace(vendor="sqlite")) == 1
    assert default_workers(SimpleNamespace(vendor="postgresql")) == 2
