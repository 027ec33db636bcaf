"""Progress bars and Ctrl-C for long fits (issue 12): the C++ fit reports series done through a
callback, the Forecaster shows it as a tqdm bar on stderr, and results never depend on either."""

from __future__ import annotations

import os
import signal
import threading

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
from quickstock import _core, _progress


def _panel_frame(n_series: int, n: int = 120, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i:03d}" for i in range(n_series)], n),
            "ds": np.tile(pd.date_range("2024-01-01", periods=n, freq="D"), n_series),
            "y": rng.poisson(5.0 + 3.0 * np.tile(np.sin(np.arange(n) * 2 * np.pi / 7), n_series)),
        }
    )


def _prepared(df: pd.DataFrame):
    return qs.Forecaster([qs.Naive()], freq="D")._prepare(df)


@pytest.mark.parametrize("threads", [1, 2])
def test_the_callback_ends_at_every_series_and_changes_nothing(threads):
    prepared = _prepared(_panel_frame(17))
    spec = qs.AutoETS(season_length=7)._core_spec(prepared.panel.frequency, None)
    calls = []
    tracked = _core.FittedModel(spec, prepared.panel, threads, lambda d, t: calls.append((d, t)))
    plain = _core.FittedModel(spec, prepared.panel, threads)
    assert calls[-1] == (17, 17)
    assert all(0 <= d <= t for d, t in calls)
    a = tracked.forecast(7, [0.1, 0.9], True, threads)
    b = plain.forecast(7, [0.1, 0.9], True, threads)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_an_error_in_the_callback_propagates_and_the_fit_stops():
    prepared = _prepared(_panel_frame(5))
    spec = qs.Naive()._core_spec(prepared.panel.frequency, None)

    def boom(done, total):
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        _core.FittedModel(spec, prepared.panel, 1, boom)


def test_a_fit_error_still_names_the_series_with_a_callback():
    df = _panel_frame(3)
    df.loc[5, "y"] = -1.0
    with pytest.raises(qs.QuickstockError, match="s000"):
        qs.Forecaster([qs.Naive()], freq="D", verbose=True).fit(df)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals")
def test_ctrl_c_cancels_a_long_fit_promptly():
    prepared = _prepared(_panel_frame(2000, n=200))
    spec = qs.AutoARIMA(season_length=7)._core_spec(prepared.panel.frequency, None)
    seen = []

    def interrupt(done, total):
        seen.append((done, total))
        if len(seen) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C does; handled at the next poll

    with pytest.raises(KeyboardInterrupt):
        _core.FittedModel(spec, prepared.panel, 1, interrupt)
    # Cancelled well before the end: the poll after the signal stopped it.
    assert len(seen) <= 2 and seen[-1][0] < 2000


def test_verbose_true_draws_a_bar_on_stderr_and_the_forecast_is_the_same(monkeypatch, capsys):
    monkeypatch.setattr(_progress, "_DELAY", 0.0)  # show at once (normally after a second)
    df = _panel_frame(12)
    models = [qs.AutoETS(season_length=7), qs.Naive()]
    quiet = qs.Forecaster(models, freq="D", verbose=False).forecast(df, h=7)
    assert capsys.readouterr().err == ""
    loud = qs.Forecaster(models, freq="D", verbose=True).forecast(df, h=7)
    err = capsys.readouterr().err
    assert "quickstock fit" in err and "24/24" in err  # 12 series x 2 models
    pd.testing.assert_frame_equal(quiet, loud)
    qs.Forecaster(models, freq="D", verbose=True).cross_validation(df, h=7, n_windows=2)
    err = capsys.readouterr().err
    assert "quickstock cross_validation" in err and "48/48" in err


def test_verbose_default_is_silent_outside_a_terminal(capsys):
    qs.Forecaster([qs.Naive()], freq="D").fit(_panel_frame(3))
    assert capsys.readouterr().err == ""


def test_verbose_must_be_a_bool_or_none():
    with pytest.raises(qs.QuickstockError, match="verbose"):
        qs.Forecaster([qs.Naive()], freq="D", verbose="yes")
