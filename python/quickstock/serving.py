"""What the SageMaker container, the Bedrock handler and the MCP server share.

A *model directory* is what ``quickstock sagemaker train`` writes to ``/opt/ml/model`` (and what
SageMaker packs into ``model.tar.gz``): ``quickstock.qs``, the fitted forecaster in quickstock's
own format (``Forecaster.save``), and ``quickstock-serving.json``, the defaults the trainer was
given (``horizon``, ``quantiles``, ``freq``, ``season_length``, ``models``). Every integration
reads that directory through :func:`load_model_dir`.
"""

from __future__ import annotations

import inspect
import json
import math
import os
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ._errors import invalid

__all__ = [
    "MODEL_FILE",
    "CONFIG_FILE",
    "available_models",
    "models_from_names",
    "save_model_dir",
    "load_model_dir",
    "records",
    "to_csv_text",
]

#: File name of the fitted forecaster inside a model directory.
MODEL_FILE = "quickstock.qs"
#: File name of the serving defaults inside a model directory.
CONFIG_FILE = "quickstock-serving.json"
_CONFIG_FORMAT = "quickstock.serving"
_CONFIG_VERSION = 1


def available_models() -> dict[str, type]:
    """Every model class the installed package exports, by class name.

    Read from ``quickstock``'s namespace at call time, so models added to the package are picked
    up without changes here.
    """
    import quickstock as qs

    from .models import Model

    return {
        name: obj
        for name, obj in vars(qs).items()
        if isinstance(obj, type) and issubclass(obj, Model) and obj is not Model
    }


def models_from_names(names: str, season_length: int, window_size: int = 4) -> list[Any]:
    """Model specs from comma-separated class names (``"AutoETS,SeasonalNaive"``).

    Each class gets ``season_length`` if its constructor takes one and ``window_size`` if it
    takes one; a class that needs any other argument cannot be named here.

    Raises:
        QuickstockError: naming an unknown model or one that needs other arguments
            (``field="models"``).
    """
    known = available_models()
    out = []
    for name in (n.strip() for n in names.split(",")):
        if not name:
            continue
        cls = known.get(name)
        if cls is None:
            invalid(f"unknown model {name!r}; available: {', '.join(sorted(known))}", field="models")
        kwargs: dict[str, Any] = {}
        for p in inspect.signature(cls).parameters.values():
            if p.name == "season_length":
                kwargs["season_length"] = season_length
            elif p.name == "window_size":
                kwargs["window_size"] = window_size
            elif p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                invalid(
                    f"model {name!r} needs the argument {p.name!r}, which cannot be given by name "
                    "alone; choose another model",
                    field="models",
                )
        out.append(cls(**kwargs))
    if not out:
        invalid("models names no model; e.g. 'SeasonalNaive' or 'AutoETS,Naive'", field="models")
    return out


def save_model_dir(forecaster: Any, directory: str, config: dict[str, Any]) -> None:
    """Write ``forecaster`` and its serving defaults ``config`` into ``directory`` (created)."""
    os.makedirs(directory, exist_ok=True)
    forecaster.save(os.path.join(directory, MODEL_FILE))
    meta = {"format": _CONFIG_FORMAT, "version": _CONFIG_VERSION, **config}
    with open(os.path.join(directory, CONFIG_FILE), "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=2)


def load_model_dir(directory: str) -> tuple[Any, dict[str, Any]]:
    """Load the forecaster and serving defaults that :func:`save_model_dir` wrote.

    ``directory`` may also be the ``.qs`` file itself (serving defaults are then empty).

    Returns:
        ``(forecaster, config)``; ``config`` holds ``horizon``, ``quantiles``, ``freq``,
        ``season_length`` and ``models`` when the trainer wrote them.

    Raises:
        QuickstockError: when the directory holds no model, or a damaged one (``field="path"``).
    """
    from .forecaster import Forecaster

    if os.path.isfile(directory):
        return Forecaster.load(directory), {}
    if not os.path.isdir(directory):
        invalid(f"no model directory {directory!r}", field="path")
    path = os.path.join(directory, MODEL_FILE)
    if not os.path.exists(path):
        found = sorted(f for f in os.listdir(directory) if f.endswith(".qs"))
        if len(found) != 1:
            invalid(
                f"no {MODEL_FILE} in {directory!r} (it holds {sorted(os.listdir(directory))[:10]}); "
                "train with `quickstock sagemaker train` or save one with Forecaster.save",
                field="path",
            )
        path = os.path.join(directory, found[0])
    config: dict[str, Any] = {}
    cpath = os.path.join(directory, CONFIG_FILE)
    if os.path.exists(cpath):
        try:
            with open(cpath, encoding="utf-8") as fh:
                config = json.load(fh)
        except (OSError, ValueError) as exc:
            invalid(f"{cpath!r} is damaged ({type(exc).__name__}: {exc})", field="path")
        if not isinstance(config, dict) or config.get("format") != _CONFIG_FORMAT:
            invalid(f"{cpath!r} is not a quickstock serving file", field="path")
    return Forecaster.load(path), config


def _plain(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return str(v)
    return v


def _text_times(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    out = df.copy()
    for c in columns:
        if c in out.columns and pd.api.types.is_datetime64_any_dtype(out[c].dtype):
            out[c] = out[c].astype(str)
    return out


def records(df: pd.DataFrame, time_cols: Sequence[str] = ("ds", "cutoff")) -> list[dict[str, Any]]:
    """Rows of ``df`` as JSON-ready dicts: timestamps as ISO text, numpy scalars as Python ones."""
    df = _text_times(df, time_cols)
    cols = list(df.columns)
    arrays = [df[c].to_numpy(dtype=object) for c in cols]
    return [{c: _plain(a[i]) for c, a in zip(cols, arrays)} for i in range(len(df))]


def to_csv_text(df: pd.DataFrame, time_cols: Sequence[str] = ("ds", "cutoff")) -> str:
    """``df`` as CSV text with a header row and ISO timestamps."""
    return _text_times(df, time_cols).to_csv(index=False)
