from __future__ import annotations

import pytest
from conftest import make_panel

import quickstock as qs
from quickstock.plotting import plot_forecast

matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed")
matplotlib.use("Agg")


def test_fan_chart_draws_bands_history_and_centre(rng, tmp_path):
    df = make_panel(rng, n_series=3)
    fc = qs.Forecaster([qs.SeasonalNaive(season_length=7), qs.Naive()], freq="D").fit(df)
    fcst = fc.predict(h=7, quantiles=[0.05, 0.1, 0.5, 0.9, 0.95])
    fig = fc.plot(fcst, df, unique_ids=list(df.unique_id.unique()[:2]))
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "history"
    assert {"SeasonalNaive 90%", "SeasonalNaive 80%", "SeasonalNaive P50", "Naive P50"} <= set(labels)
    assert len(ax.collections) == 4  # two bands per model
    fig.savefig(tmp_path / "fan.png")
    assert (tmp_path / "fan.png").stat().st_size > 1000


def test_plot_errors_name_the_fault(rng):
    df = make_panel(rng, n_series=2)
    fcst = qs.Forecaster([qs.Naive()], freq="D").fit(df).predict(h=3)
    with pytest.raises(qs.QuickstockError, match="unknown series"):
        plot_forecast(fcst, df, unique_ids=["nope"])
    with pytest.raises(qs.QuickstockError, match="unknown models"):
        plot_forecast(fcst, df, models=["ETS"])
    with pytest.raises(qs.QuickstockError, match="'model'"):
        plot_forecast(fcst.drop(columns="model"))
