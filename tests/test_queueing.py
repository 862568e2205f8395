"""The PSC queue norm: Erlang-C worked out by hand, the SimPy hall agreeing with it, and the CLI."""

from __future__ import annotations

import json
import math

import pytest

from qyzmet.cli import main
from qyzmet.core.queueing import Hall, QueueInputError, erlang_c, simulate, windows_needed


def test_erlang_c_by_hand_two_windows():
    # 6 visitors/h, 10 min each, 2 windows: load a = 1 erlang.  C(2, 1) = (1/2!·2/(2−1)) / (1 + 1 + 1) = 1/3;
    # cμ − λ = 2/10 − 6/60 = 0.1 per minute, so Wq = (1/3)/0.1 and P(W > 5) = 1/3·e^(−0.5).
    w = erlang_c(Hall(6, 10, 2), norm_minutes=5)
    assert w.p_wait == pytest.approx(1 / 3)
    assert w.mean_wait == pytest.approx(10 / 3)
    assert w.over_norm == pytest.approx(math.exp(-0.5) / 3)
    assert w.p90_wait == pytest.approx(math.log((1 / 3) / 0.1) / 0.1)


def test_one_window_is_m_m_1():
    # c = 1: P(wait) = ρ, Wq = ρ/(μ − λ).  30/h, 1.5 min: ρ = 0.75, μ − λ = 2/3 − 1/2 = 1/6 per minute.
    w = erlang_c(Hall(30, 1.5, 1), norm_minutes=0)
    assert w.p_wait == pytest.approx(0.75)
    assert w.mean_wait == pytest.approx(0.75 * 6)
    assert w.over_norm == pytest.approx(0.75)


@pytest.mark.parametrize("hall, norm", [(Hall(30, 10, 6), 5), (Hall(8, 15, 3), 15)])
def test_simulation_agrees_with_erlang_c(hall, norm):
    exact = erlang_c(hall, norm)
    run = simulate(hall, norm, visitors=300_000, seed=11)
    assert run.visitors == 300_000
    assert run.p_wait == pytest.approx(exact.p_wait, abs=0.02)
    assert run.over_norm == pytest.approx(exact.over_norm, abs=0.02)
    assert run.mean_wait == pytest.approx(exact.mean_wait, rel=0.05)


def test_unstable_hall_waits_for_ever():
    hall = Hall(40, 15, 3)  # 10 erlangs offered to 3 windows
    assert not hall.stable
    assert erlang_c(hall, 15).over_norm == 1.0


def test_windows_needed_is_the_fewest_that_meet_the_norm():
    needed = windows_needed(40, 12, 15, target=0.95)
    assert erlang_c(Hall(40, 12, needed), 15).over_norm <= 0.05
    assert erlang_c(Hall(40, 12, needed - 1), 15).over_norm > 0.05


def test_bad_hall_is_refused():
    with pytest.raises(QueueInputError, match="--windows"):
        Hall(10, 5, 0)
    with pytest.raises(QueueInputError, match="--target"):
        windows_needed(10, 5, 15, target=1.5)


def test_cli_uses_the_act_norm_and_exits_by_verdict(capsys):
    rc = main(["queue", "simulate", "--regulation", "mlsp-2021/personal-assistant", "--channel", "psc",
               "--arrivals", "40/h", "--windows", "12", "--service", "12", "--visitors", "5000", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["meets_norm"]
    assert out["norm"]["max_wait_minutes"] == 15 and "3.2" in out["norm"]["cite"]
    assert out["simulation"]["visitors"] == 5000
    rc = main(["queue", "simulate", "--regulation", "mlsp-2021/personal-assistant", "--arrivals", "40",
               "--windows", "3"])
    assert rc == 1
    assert "windows needed: 13" in capsys.readouterr().out  # 15-min maximum service as the mean


@pytest.mark.parametrize("argv, field", [
    (["--regulation", "mlsp-2021/personal-assistant", "--arrivals", "many", "--windows", "2"], "--arrivals"),
    (["--regulation", "mlsp-2021/personal-assistant", "--channel", "proactive", "--arrivals", "5", "--windows", "2"],
     "--channel"),
    (["--regulation", "no/such", "--arrivals", "5", "--windows", "2"], "no/such"),
])
def test_cli_bad_input_exit_2(capsys, argv, field):
    assert main(["queue", "simulate", *argv]) == 2
    assert field in capsys.readouterr().err
