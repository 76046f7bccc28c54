"""The demo's progress bar: on stderr when asked (or on a terminal), silent otherwise; and
charting a chunk of sessions at a time writes the same charts as charting them at once."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import transaction

from ketaclinic.apps.charting.models import ScaleEntry, VitalSign
from ketaclinic.apps.demo import charting
from ketaclinic.apps.demo.progress import ProgressBar
from ketaclinic.apps.demo.seeding import seed_demo_clinic


def test_the_bar_moves_by_each_steps_share_and_redraws_only_on_a_change():
    out = io.StringIO()
    bar = ProgressBar(out.write, shares={"patients": 1, "charting": 3})
    bar.within("patients", 0.5)
    bar.within("patients", 0.501)  # still 12%: not drawn again
    bar.done("patients")
    bar.within("charting", 2.0)  # past the end counts as the end
    bar.done("charting")
    bar.close()
    frames = out.getvalue().split("\r")[1:]
    assert [frame.split("] ")[1].split()[:2] for frame in frames] == [
        ["12%", "patients"],
        ["25%", "patients"],
        ["100%", "charting"],
    ]
    assert frames[0].startswith("[###......")
    assert frames[-1].startswith("[" + "#" * 30 + "]")
    assert out.getvalue().endswith("\n")


def test_a_bar_never_drawn_ends_no_line():
    out = io.StringIO()
    ProgressBar(out.write).close()
    assert out.getvalue() == ""


def test_the_command_draws_the_bar_on_stderr_when_asked(db, fixed_clock):
    stderr, stdout = io.StringIO(), io.StringIO()
    call_command(
        "seed_demo", "--patients", "6", "--seed", "3", "--progress", "--timings",
        stdout=stdout, stderr=stderr,
    )  # fmt: skip
    text = stderr.getvalue()
    bar, _, table = text.partition("\n")
    assert bar.startswith("\r[")
    assert "% charting" in bar
    assert bar.endswith("100% commit        ")
    assert table.startswith("demo step")  # the step table starts on its own line
    assert "\r" not in stdout.getvalue()


def test_the_command_draws_no_bar_on_a_pipe_unless_asked(db, fixed_clock):
    stderr = io.StringIO()  # not a terminal
    call_command("seed_demo", "--patients", "4", "--seed", "3", stdout=io.StringIO(), stderr=stderr)
    assert stderr.getvalue() == ""


class _Undo(Exception):
    pass


def _charts() -> list[tuple]:
    vitals = VitalSign.objects.order_by("session_id", "taken_at", "id").values_list(
        "session_id", "taken_at", "bp_systolic", "bp_diastolic", "heart_rate", "spo2"
    )
    scales = ScaleEntry.objects.order_by("session_id", "taken_at", "id").values_list(
        "session_id", "scale", "taken_at", "answers", "total"
    )
    return [*vitals, *scales]


def test_charting_in_small_chunks_writes_the_same_charts(db, fixed_clock, monkeypatch):
    written = {}
    for chunk in (10_000, 7):
        monkeypatch.setattr(charting, "CHUNK", chunk)
        try:
            with transaction.atomic():
                seed_demo_clinic(patient_count=30, seed=11)
                written[chunk] = _charts()
                raise _Undo
        except _Undo:
            pass
    assert len(written[7]) > 500
    # Sessions are keyed alike in both runs on SQLite; PostgreSQL's sequences do not roll
    # back, so compare each session's rows by the order the sessions came in.
    for run in written.values():
        order = {s: i for i, s in enumerate(dict.fromkeys(row[0] for row in run))}
        run[:] = [(order[row[0]], *row[1:]) for row in run]
    assert written[7] == written[10_000]
