"""``ketaclinic pk``: JSON shapes, readable tables, exit code 2 and one stderr line."""

import io
import json
import sys

import pytest

from ketaclinic.cli import main


def run(capsys, *argv):
    code = main(["pk", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_models_json_lists_every_model_with_routes_defaults_and_sources(capsys):
    code, out, err = run(capsys, "models", "--json")
    models = {m["id"]: m for m in json.loads(out)}
    assert code == 0
    assert err == ""
    assert set(models) == {"clements-1981", "domino-1984", "herd-2007", "perez-ruixo-2021"}
    assert models["clements-1981"]["default_for"] == ["iv", "im", "sublingual", "oral"]
    assert models["perez-ruixo-2021"]["metabolite"] == "noresketamine"
    assert "Clin Pharmacokinet" in models["perez-ruixo-2021"]["citation"]
    units = {p["name"]: p["unit"] for p in models["domino-1984"]["parameters"]}
    assert units["k31"] == "1/min"
    # V2 = 0.063 x 0.592/0.247 = 0.150996; V3 = 0.063 x 0.590/0.0146 = 2.545890 L/kg
    assert models["domino-1984"]["derived"] == {"v2_l_per_kg": 0.150996, "v3_l_per_kg": 2.54589}
    assert models["herd-2007"]["derived"] == {}


def test_models_table_is_readable(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0
    assert out.splitlines()[0].split() == ["id", "drug", "routes", "default", "for", "source"]


def test_simulate_json_has_the_documented_keys_and_the_zarate_level(capsys):
    code, out, err = run(
        capsys,
        "simulate",
        "--route",
        "iv",
        "--dose-mg-per-kg",
        "0.5",
        "--duration-min",
        "40",
        "--weight-kg",
        "70",
        "--hours",
        "2",
        "--step-min",
        "5",
        "--json",
    )
    payload = json.loads(out)
    assert code == 0
    assert err == ""
    assert list(payload) == [
        "model",
        "route",
        "dose_mg",
        "times_h",
        "concentration_ng_per_ml",
        "cmax_ng_per_ml",
        "tmax_h",
        "auc_ng_h_per_ml",
    ]
    assert payload["dose_mg"] == 35
    assert len(payload["times_h"]) == 25
    assert payload["tmax_h"] == pytest.approx(40 / 60, rel=1e-5)
    assert payload["cmax_ng_per_ml"] == pytest.approx(177.313, rel=1e-5)


def test_simulate_esketamine_reports_the_metabolite(capsys):
    code, out, _ = run(
        capsys,
        "simulate",
        "--route",
        "intranasal",
        "--dose-mg",
        "56",
        "--weight-kg",
        "70",
        "--json",
    )
    payload = json.loads(out)
    assert code == 0
    assert payload["model"] == "perez-ruixo-2021"
    assert payload["concentration_ng_per_ml"][0] == 0.0
    assert len(payload["metabolite_ng_per_ml"]) == len(payload["times_h"]) == 289


def test_simulate_without_json_prints_a_table_with_the_note(capsys):
    code, out, _ = run(
        capsys,
        "simulate",
        "--route",
        "intranasal",
        "--dose-mg",
        "28",
        "--weight-kg",
        "70",
        "--hours",
        "1",
        "--step-min",
        "30",
    )
    lines = out.splitlines()
    assert code == 0
    assert "not a dosing instruction" in lines[0]
    assert lines[2].split() == ["time_h", "esketamine_ng_per_ml", "noresketamine_ng_per_ml"]
    assert len(lines) == 4 + 3


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--route", "iv", "--dose-mg", "-5", "--weight-kg", "70"], "dose_mg"),
        (["--route", "im", "--model", "herd-2007", "--dose-mg", "5", "--weight-kg", "70"], "route"),
        (["--route", "iv", "--dose-mg", "5", "--weight-kg", "19"], "weight_kg"),
        (["--route", "iv", "--dose-mg", "5", "--weight-kg", "301"], "weight_kg"),
        (["--route", "iv", "--model", "marsh", "--dose-mg", "5", "--weight-kg", "70"], "model"),
        (
            ["--route", "oral", "--dose-mg", "5", "--duration-min", "9", "--weight-kg", "70"],
            "duration_min",
        ),
        (["--route", "iv", "--dose-mg", "5", "--weight-kg", "70", "--step-min", "0"], "step_min"),
        (["--route", "iv", "--dose-mg", "5", "--weight-kg", "70", "--age", "-1"], "age"),
        (["--route", "iv", "--dose-mg", "5", "--weight-kg", "70", "--age", "121"], "age"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(capsys, argv, field):
    code, out, err = run(capsys, "simulate", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"ketaclinic: error: {field}: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["--route", "rectal", "--dose-mg", "5", "--weight-kg", "70"],
        ["--route", "iv", "--dose-mg", "five", "--weight-kg", "70"],
        ["--route", "iv", "--dose-mg", "NaN", "--weight-kg", "70"],
        ["--route", "iv", "--weight-kg", "70"],
    ],
)
def test_argument_errors_are_one_line_and_exit_2(capsys, argv):
    code, _, err = run(capsys, "simulate", *argv)
    assert code == 2
    assert err.count("\n") == 1


def test_population_json_has_bands_and_exposure_percentiles(capsys):
    code, out, err = run(
        capsys,
        "population",
        "--n",
        "300",
        "--seed",
        "4",
        "--route",
        "iv",
        "--model",
        "herd-2007",
        "--dose-mg-per-kg",
        "0.5",
        "--duration-min",
        "40",
        "--weight-kg",
        "70",
        "--hours",
        "6",
        "--step-min",
        "30",
        "--threshold-ng-per-ml",
        "100",
        "--json",
    )
    payload = json.loads(out)
    assert code == 0
    assert err == ""  # no progress bar when stderr is not a terminal
    assert payload["n"] == 300
    assert payload["band_method"] == "exact"
    assert set(payload["concentration_bands_ng_per_ml"]) == {"p5", "p25", "p50", "p75", "p95"}
    assert len(payload["concentration_bands_ng_per_ml"]["p50"]) == 13
    assert payload["cmax_ng_per_ml"]["p5"] < payload["cmax_ng_per_ml"]["p95"]
    assert set(payload) >= {"auc_ng_h_per_ml", "tmax_h", "time_above_h", "threshold_ng_per_ml"}


def test_population_table_and_metabolite_bands(capsys):
    code, out, _ = run(
        capsys,
        "population",
        "--n",
        "50",
        "--seed",
        "1",
        "--route",
        "intranasal",
        "--dose-mg",
        "84",
        "--weight-kg",
        "70",
        "--hours",
        "2",
        "--step-min",
        "30",
        "--threshold-ng-per-ml",
        "50",
    )
    assert code == 0
    assert "50 virtual patients" in out
    assert "h above 50" in out
    code, out, _ = run(
        capsys,
        "population",
        "--n",
        "50",
        "--seed",
        "1",
        "--route",
        "intranasal",
        "--dose-mg",
        "84",
        "--weight-kg",
        "70",
        "--hours",
        "2",
        "--step-min",
        "30",
        "--json",
    )
    assert "metabolite_bands_ng_per_ml" in json.loads(out)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_population_draws_a_progress_bar_only_on_a_terminal(capsys, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(
        [
            "pk",
            "population",
            "--n",
            "20",
            "--seed",
            "1",
            "--route",
            "iv",
            "--model",
            "herd-2007",
            "--dose-mg",
            "35",
            "--weight-kg",
            "70",
            "--hours",
            "1",
            "--step-min",
            "30",
            "--json",
        ]
    )
    assert code == 0
    assert terminal.getvalue().endswith("] 20/20\n")
    assert json.loads(capsys.readouterr().out)["n"] == 20


def test_racemic_tables_have_no_metabolite_column_and_bars_fill_chunk_by_chunk(capsys, monkeypatch):
    code, out, _ = run(
        capsys,
        "simulate",
        "--route",
        "oral",
        "--dose-mg",
        "100",
        "--weight-kg",
        "70",
        "--hours",
        "1",
        "--step-min",
        "30",
    )
    assert code == 0
    assert out.splitlines()[2].split() == ["time_h", "racemic_ketamine_ng_per_ml"]
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(
        [
            "pk",
            "population",
            "--n",
            "32769",
            "--seed",
            "1",
            "--route",
            "iv",
            "--model",
            "herd-2007",
            "--dose-mg",
            "35",
            "--weight-kg",
            "70",
            "--hours",
            "1",
            "--step-min",
            "30",
        ]
    )
    assert code == 0
    assert "32,768/32,769" in terminal.getvalue()
    assert "h above" not in capsys.readouterr().out


def test_population_refuses_a_bad_size(capsys):
    code, _, err = run(
        capsys,
        "population",
        "--n",
        "0",
        "--seed",
        "1",
        "--route",
        "iv",
        "--dose-mg",
        "35",
        "--weight-kg",
        "70",
    )
    assert code == 2
    assert err.startswith("ketaclinic: error: n: ")


def test_the_pk_commands_do_not_import_django():
    import subprocess

    code = (
        "import argparse, sys; from ketaclinic.cli import pk; "
        "parser = argparse.ArgumentParser(); pk.register(parser.add_subparsers()); "
        "args = parser.parse_args(['pk','simulate','--route','iv','--dose-mg','5',"
        "'--weight-kg','70','--json']); assert args.handler(args) == 0; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr


def test_population_on_the_iv_default_is_refused_naming_a_model_with_variability(capsys):
    code, out, err = run(
        capsys,
        "population",
        "--n",
        "10",
        "--seed",
        "1",
        "--route",
        "iv",
        "--dose-mg",
        "35",
        "--weight-kg",
        "70",
    )
    assert (code, out) == (2, "")
    assert err.startswith("ketaclinic: error: model: clements-1981 has no published")
    assert "models with it for iv: herd-2007" in err
    assert err.count("\n") == 1


def test_models_text_lists_each_models_validation(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0
    assert "domino-1984: Validation: predicts 240 ng/mL" in out
    assert "clements-1981: Validation: predicts 177 ng/mL" in out
