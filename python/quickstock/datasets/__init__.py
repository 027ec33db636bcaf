"""Data sets shipped with quickstock.

``load_hyderabad()`` returns the bundled **synthetic** Hyderabad dark-store panel: there is no
public quick-commerce sales data, so the demand is simulated (by ``scripts/make_hyderabad_sample.py``)
from real inputs — Hyderabad daily weather (Open-Meteo, CC BY 4.0, "Weather data by
Open-Meteo.com") and real festival dates. See ``datasets/data/README.md`` beside this file.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_hyderabad", "hyderabad_path"]

ATTRIBUTES = ["city", "zone", "pincode", "store_id", "category", "sku"]
COVARIATES = ["rain_mm", "temp_max_c", "price", "promo", "stockout"]


def hyderabad_path() -> str:
    """Path of the bundled synthetic sample (``hyderabad_sample.csv.gz``)."""
    return str(resources.files(__package__).joinpath("data", "hyderabad_sample.csv.gz"))


def load_hyderabad() -> pd.DataFrame:
    """The bundled SYNTHETIC Hyderabad dark-store sample as a long frame.

    4 dark stores (pincodes 500032 Gachibowli, 500081 Madhapur, 500034 Banjara Hills, 500072
    Kukatpally) × about 30 SKUs × 731 days (2024-01-01 … 2025-12-31). Demand is simulated; the
    weather columns are real Open-Meteo data for Hyderabad.

    Returns:
        DataFrame with ``unique_id, ds, y`` (units sold, float), the series attributes ``city,
        zone, pincode, store_id, category, sku`` (strings) and the covariates ``rain_mm,
        temp_max_c, price, promo, stockout`` (``stockout`` is 1 on days sales were capped by
        stock, so ``y`` understates demand there).
    """
    df = pd.read_csv(
        hyderabad_path(),
        dtype={c: str for c in ATTRIBUTES} | {"unique_id": str},
        parse_dates=["ds"],
    )
    df["y"] = df["y"].astype("float64")
    df.attrs["synthetic"] = True
    df.attrs["source"] = "quickstock synthetic Hyderabad sample (weather: Open-Meteo.com, CC BY 4.0)"
    return df
