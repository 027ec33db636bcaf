"""``quickstock sagemaker train``: fit a forecaster on the training channel and save it.

Follows the SageMaker training contract: hyperparameters arrive as strings in
``input/config/hyperparameters.json``; the data is every CSV/Parquet file under
``input/data/training``; the model goes to ``model/``; on failure the reason is written to
``output/failure`` (its first 1024 characters become the job's ``FailureReason``) and the process
exits non-zero.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from typing import Any

import pandas as pd

from .._core import QuickstockError
from .._errors import invalid
from . import Paths, paths

__all__ = ["HYPERPARAMETERS", "parse_hyperparameters", "read_training_data", "train", "main"]

#: Hyperparameters ``train`` accepts (values are strings), with their meaning.
HYPERPARAMETERS = {
    "freq": "pandas frequency alias of the data (D, h, W-SUN, MS…); inferred when omitted",
    "season_length": "observations per season; default from freq (h→24, D→7, W→52, MS→12)",
    "horizon": "default forecast horizon of the endpoint (default 14)",
    "quantiles": 'default quantile levels, comma-separated (default "0.1,0.5,0.9")',
    "models": "comma-separated model class names (default SeasonalNaive, or Naive without a "
    "season); the season length is given to every model that takes one",
    "window_size": "window of WindowAverage / SeasonalWindowAverage (default 4)",
}

_DATA_EXTENSIONS = (".csv", ".csv.gz", ".parquet", ".pq")


def _unquote(value: str) -> str:
    # The SageMaker Python SDK JSON-encodes hyperparameters of framework estimators
    # ('"D"'); accept both the raw and the JSON-quoted form.
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        if isinstance(decoded, str):
            return decoded
    return value


def _int(name: str, value: str, minimum: int = 1) -> int:
    try:
        n = int(value.strip())
    except ValueError:
        invalid(f"hyperparameter {name} must be an integer (got {value!r})", field=name)
    if n < minimum:
        invalid(f"hyperparameter {name} must be >= {minimum} (got {n})", field=name)
    return n


def parse_quantiles(text: str, field: str = "quantiles") -> list[float]:
    """Levels from ``"0.1,0.5,0.9"`` (commas, optional spaces).

    Raises:
        QuickstockError: naming ``field`` when a level is not a number in (0, 1).
    """
    from .._frame import check_quantiles

    levels = []
    for part in str(text).split(","):
        if not part.strip():
            continue
        try:
            levels.append(float(part))
        except ValueError:
            invalid(f"{field} must be comma-separated numbers like 0.1,0.5,0.9 (got {text!r})", field=field)
    if not levels:
        invalid(f"{field} needs at least one level, e.g. 0.1,0.5,0.9", field=field)
    return check_quantiles(levels)


def parse_hyperparameters(raw: Any) -> dict[str, Any]:
    """Validate the hyperparameter map (all values strings) into typed settings.

    Keys SageMaker itself adds (starting with ``_`` such as ``_tuning_objective_metric``, or
    with ``sagemaker_``) are ignored; any other unknown key is an error naming it.

    Returns:
        dict with ``freq`` (str or None), ``season_length`` (int or None), ``horizon``,
        ``quantiles``, ``models`` (str or None) and ``window_size``.

    Raises:
        QuickstockError: naming the key at fault.
    """
    if not isinstance(raw, dict):
        invalid("hyperparameters.json must hold a JSON object of string values", field="hyperparameters")
    hp: dict[str, str] = {}
    for key, value in raw.items():
        if key.startswith("_") or key.startswith("sagemaker_"):
            continue
        if key not in HYPERPARAMETERS:
            invalid(
                f"unknown hyperparameter {key!r}; known: {', '.join(HYPERPARAMETERS)}", field=key
            )
        if not isinstance(value, str):  # the platform always sends strings; be lenient with numbers
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                invalid(f"hyperparameter {key} must be a string (got {value!r})", field=key)
            value = str(value)
        hp[key] = _unquote(value)
    out: dict[str, Any] = {
        "freq": hp.get("freq", "").strip() or None,
        "season_length": _int("season_length", hp["season_length"]) if "season_length" in hp else None,
        "horizon": _int("horizon", hp["horizon"]) if "horizon" in hp else 14,
        "quantiles": parse_quantiles(hp["quantiles"]) if "quantiles" in hp else [0.1, 0.5, 0.9],
        "models": hp.get("models", "").strip() or None,
        "window_size": _int("window_size", hp["window_size"]) if "window_size" in hp else 4,
    }
    if out["freq"] is not None:
        from .._frame import parse_freq

        try:
            parse_freq(out["freq"])
        except QuickstockError as exc:
            invalid(f"hyperparameter freq {out['freq']!r} is not a frequency: {exc}", field="freq")
    return out


def read_training_data(directory: str) -> pd.DataFrame:
    """Every CSV/Parquet file under ``directory`` (recursively, in name order), concatenated.

    Hidden files are skipped; other files are skipped with a note on stderr.

    Raises:
        QuickstockError: when the directory is missing or holds no usable file.
    """
    from ..io import read_table

    if not os.path.isdir(directory):
        invalid(f"the training channel {directory!r} does not exist; start the job with a "
                "channel named 'training'", field="training")
    files = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            if name.lower().endswith(_DATA_EXTENSIONS):
                files.append(path)
            else:
                print(f"quickstock train: skipping {path} (not .csv, .csv.gz or .parquet)", file=sys.stderr)
    if not files:
        invalid(f"no .csv or .parquet file in the training channel {directory!r}", field="training")
    frames = []
    for path in files:
        df = read_table(path)
        if "unique_id" in df.columns:
            df["unique_id"] = df["unique_id"].astype(str)
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def train(layout: Paths) -> dict[str, Any]:
    """Run training under ``layout``: read, fit, check by forecasting, save.

    Returns:
        a summary (series, rows, models, freq, seconds).

    Raises:
        QuickstockError: for bad hyperparameters or data, naming the key, file, series or row.
    """
    from .._frame import default_season_length, parse_freq
    from ..cli import infer_freq
    from ..forecaster import Forecaster
    from ..serving import models_from_names, save_model_dir

    t0 = time.perf_counter()
    raw: Any = {}
    if os.path.exists(layout.hyperparameters):
        try:
            with open(layout.hyperparameters, encoding="utf-8") as fh:
                raw = json.load(fh)
        except ValueError as exc:
            invalid(f"{layout.hyperparameters} is not valid JSON: {exc}", field="hyperparameters")
    hp = parse_hyperparameters(raw)
    df = read_training_data(layout.training)
    freq = hp["freq"] or infer_freq(df)
    m = hp["season_length"] or default_season_length(parse_freq(freq))
    names = hp["models"] or ("SeasonalNaive" if m > 1 else "Naive")
    models = models_from_names(names, m, hp["window_size"])
    fc = Forecaster(models, freq=freq, n_jobs=-1).fit(df)
    fcst = fc.predict(h=hp["horizon"], quantiles=hp["quantiles"])  # the defaults must work
    config = {
        "horizon": hp["horizon"],
        "quantiles": hp["quantiles"],
        "freq": freq,
        "season_length": m,
        "models": names,
        "window_size": hp["window_size"],
    }
    save_model_dir(fc, layout.model, config)
    os.makedirs(layout.output_data, exist_ok=True)
    from ..serving import to_csv_text

    with open(os.path.join(layout.output_data, "forecast.csv"), "w", encoding="utf-8") as fh:
        fh.write(to_csv_text(fcst))
    return {
        "series": int(len(fc.prepared_.ids)),
        "rows": int(len(df)),
        "models": [mm.alias for mm in models],
        "freq": freq,
        "season_length": m,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def _write_failure(layout: Paths, reason: str, detail: str = "") -> None:
    try:
        os.makedirs(os.path.dirname(layout.failure), exist_ok=True)
        with open(layout.failure, "w", encoding="utf-8") as fh:
            fh.write(reason.strip() + "\n")
            if detail:
                fh.write("\n" + detail)
    except OSError as exc:  # nothing more we can do than say it
        print(f"quickstock train: cannot write {layout.failure}: {exc}", file=sys.stderr)


def main(base: str | None = None) -> int:
    """Entry point of ``quickstock sagemaker train``; returns the exit status.

    0 on success; 2 for bad input (hyperparameters, data), 1 for anything else, 143 on SIGTERM
    (``StopTrainingJob``); the reason is in ``output/failure``.
    """
    layout = paths(base)

    def on_term(signum: int, frame: Any) -> None:
        _write_failure(layout, "quickstock train: stopped by SIGTERM (StopTrainingJob) before finishing")
        os._exit(143)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        summary = train(layout)
    except QuickstockError as exc:
        reason = f"quickstock train: {exc}"
        _write_failure(layout, reason)
        print(reason, file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - every failure must reach output/failure
        reason = f"quickstock train: internal error: {type(exc).__name__}: {exc}"
        _write_failure(layout, reason, traceback.format_exc())
        print(reason, file=sys.stderr)
        traceback.print_exc()
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(
        f"quickstock train: {summary['series']} series, {summary['rows']} rows, freq {summary['freq']}, "
        f"season {summary['season_length']}, models {', '.join(summary['models'])} → "
        f"{layout.model} ({summary['seconds']} s)"
    )
    return 0
