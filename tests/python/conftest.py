from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("QUICKSTOCK_SHARED_DATA", ROOT.parent / "shared" / "data"))
REFERENCE = ROOT / "tests" / "reference"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def make_panel(
    rng: np.random.Generator,
    n_series: int = 5,
    min_len: int = 20,
    max_len: int = 60,
    freq: str = "D",
    start: str = "2024-01-01",
    attributes: bool = False,
    covariates: bool = False,
) -> pd.DataFrame:
    """A ragged long panel of Poisson demand with a weekly pattern."""
    frames = []
    for i in range(n_series):
        n = int(rng.integers(min_len, max_len + 1))
        ds = pd.date_range(start, periods=n, freq=freq)
        lam = 3.0 + 2.0 * (np.arange(n) % 7 >= 5)
        f = pd.DataFrame({"unique_id": f"HYD-{500000 + i}/sku-{i}", "ds": ds, "y": rng.poisson(lam).astype(float)})
        if attributes:
            f["store_id"] = f"HYD-{500000 + i}"
            f["pincode"] = str(500000 + i)
            f["category"] = "dairy" if i % 2 else "snacks"
        if covariates:
            f["rain_mm"] = rng.gamma(0.5, 4.0, n)
            f["promo"] = (rng.random(n) < 0.1).astype(int)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def panel(rng: np.random.Generator) -> pd.DataFrame:
    return make_panel(rng, attributes=True, covariates=True)


def shared(*parts: str) -> Path:
    """Path under ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found: {path} (set QUICKSTOCK_SHARED_DATA)")
    return path
