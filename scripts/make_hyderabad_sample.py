#!/usr/bin/env python3
"""Generate the SYNTHETIC Hyderabad dark-store demand sample shipped with quickstock.

THE SALES IN THE OUTPUT ARE SYNTHETIC. They are not real quick-commerce sales of any
company; no such data is public. Only two inputs are real:

* daily weather for Hyderabad (Open-Meteo historical API, via the shared data folder,
  ``../shared/data/hyderabad_weather/openmeteo_daily_2015_2025.csv.gz``;
  "Weather data by Open-Meteo.com", CC BY 4.0), used both as covariates written into the
  file (``rain_mm``, ``temp_max_c``) and as drivers of the simulated demand;
* festival / holiday dates for 2024 and 2025 (table ``FESTIVALS`` below, each row naming
  its source), also written out to ``festivals_used.csv``.

Everything else (stores' sizes, SKU base rates, prices, promotions, stock levels,
effect sizes) is invented, chosen to look plausible for a Hyderabad dark store.

Usage (from the repository root)::

    python3 scripts/make_hyderabad_sample.py [--weather PATH] [--out PATH]
                                             [--festivals-out PATH]

Output: ``python/quickstock/datasets/data/hyderabad_sample.csv.gz`` -- a plain CSV
(gzip, deterministic header with mtime=0) with columns

    unique_id, ds, y, city, zone, pincode, store_id, category, sku,
    rain_mm, temp_max_c, price, promo, stockout

one row per (store, SKU, day), 2024-01-01 .. 2025-12-31, no gaps.

Demand model, per series (store s, SKU i) and day t::

    log mu = log base_i + log size_s + r_si + g_s * years(t)          (level, trend)
           + log dow_i(t) + log payday_i(t) + log season_i(t)            (calendar)
           + weather_i(t) + sum_f log(1 + a_if * w_f(t)) + city_s(t)  (rain, heat, festivals)
           + e_i * log(price_t / price_0) + u_i * promo_t + eta_si(t)  (price, promo, noise)
    demand  ~ Poisson(mu * Gamma(k, 1/k)), k = k_i * max(1, mu / mu_ref)   (negative binomial)
    stock   = planner's order-up-to level from a forecast that only partly anticipates
              rain / heat / festivals / promotions, with rare supply shortfalls
    y       = min(demand, stock);  stockout = 1 if demand > stock.

All randomness comes from numpy ``default_rng`` streams seeded from ``SEED`` and the
(store, SKU) indices, so re-running gives a byte-identical file (same numpy version).
Requires only numpy and pandas.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240101
START, END = "2024-01-01", "2025-12-31"
CITY = "Hyderabad"

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WEATHER = (REPO_ROOT.parent / "shared/data/hyderabad_weather"
                   / "openmeteo_daily_2015_2025.csv.gz")
DATA_DIR = REPO_ROOT / "python/quickstock/datasets/data"
DEFAULT_OUT = DATA_DIR / "hyderabad_sample.csv.gz"
DEFAULT_FESTIVALS_OUT = DATA_DIR / "festivals_used.csv"
# sha256 of the weather file as published in the shared folder's README (checked, warn only).
WEATHER_SHA256 = "8dd37f30f7f0d0d75a9bc6c10d8dd1ea70fb5b589ceb0b48b38d3635a42aad96"

COLUMNS = ["unique_id", "ds", "y", "city", "zone", "pincode", "store_id", "category", "sku",
           "rain_mm", "temp_max_c", "price", "promo", "stockout"]

# --------------------------------------------------------------------------------------
# Real festival / holiday dates (India national + Telangana), 2024 and 2025.
#
# kind:
#   national_holiday  - national day (gazetted by Govt. of India and by Telangana)
#   festival_holiday  - festival that is a general (gazetted) holiday in Telangana
#   observance        - festival day / event that is not itself a general holiday
#                       (Bonalu temple Sundays, Ganesh immersion, start of Ramzan, ...)
# key: internal name used by the demand model (several rows may share one key).
#
# Sources:
#   TG-2024: Govt. of Telangana, General Administration Dept., notification of general
#            holidays for 2024 (issued 12 Dec 2023; 27 general holidays).
#   TG-2025: Govt. of Telangana, General Administration Dept., notification of general
#            holidays for 2025 (issued late 2024; 27 general holidays).
#   Eid dates in those lists are provisional ("subject to moon sighting"); the dates below
#   are the days actually observed in India/Hyderabad, which matched the lists.
#   Bonalu: Telangana Endowments Dept. / temple committee schedules as reported in the
#   Hyderabad press (Secunderabad Ujjaini Mahankali Bonalu, Lal Darwaza Simhavahini
#   Mahankali Bonalu).
#   Ramzan start: Central Ruet-e-Hilal Committee (Hyderabad) moon-sighting announcement
#   of the first roza, as reported in the press.
#   Ganesh immersion (Nimajjanam) in Hyderabad: press reports of the main Hussain Sagar
#   immersion day (Anant Chaturdashi).
#   Dhanteras: Hindu panchang date as widely published. New Year's Eve: fixed date.
# --------------------------------------------------------------------------------------
_TG24 = "Govt. of Telangana GAD general holidays notification 2024"
_TG25 = "Govt. of Telangana GAD general holidays notification 2025"
_BON24 = "Bonalu schedule (Endowments Dept./temple committee) 2024 as reported in Hyderabad press"
_BON25 = "Bonalu schedule (Endowments Dept./temple committee) 2025 as reported in Hyderabad press"
_RUET = "Central Ruet-e-Hilal Committee Hyderabad moon-sighting (first roza); press reports"
_NIM = "Hyderabad Ganesh immersion day (Anant Chaturdashi); press reports"
_PANCH = "Hindu panchang (Dhanteras); widely published"
_FIXED = "fixed date"

FESTIVALS = [
    # date, name, kind, source, model key
    # ---- 2024 ----
    ("2024-01-01", "New Year's Day", "festival_holiday", _TG24, "new_year"),
    ("2024-01-14", "Bhogi", "festival_holiday", _TG24, "bhogi"),
    ("2024-01-15", "Sankranti / Pongal", "festival_holiday", _TG24, "sankranti"),
    ("2024-01-26", "Republic Day", "national_holiday", _TG24, "republic_day"),
    ("2024-03-08", "Maha Shivaratri", "festival_holiday", _TG24, "shivaratri"),
    ("2024-03-12", "Ramzan begins (first roza)", "observance", _RUET, "ramzan_start"),
    ("2024-03-25", "Holi", "festival_holiday", _TG24, "holi"),
    ("2024-04-09", "Ugadi", "festival_holiday", _TG24, "ugadi"),
    ("2024-04-11", "Eid-ul-Fitr (Ramzan)", "festival_holiday", _TG24, "eid_fitr"),
    ("2024-06-17", "Eid-ul-Adha (Bakrid)", "festival_holiday", _TG24, "bakrid"),
    ("2024-07-21", "Bonalu - Secunderabad Ujjaini Mahankali", "observance", _BON24, "bonalu"),
    ("2024-07-28", "Bonalu - Lal Darwaza Simhavahini Mahankali", "observance", _BON24, "bonalu"),
    ("2024-07-29", "Bonalu (general holiday)", "festival_holiday", _TG24, "bonalu_holiday"),
    ("2024-08-15", "Independence Day", "national_holiday", _TG24, "independence_day"),
    ("2024-09-07", "Ganesh Chaturthi (Vinayaka Chavithi)", "festival_holiday", _TG24, "ganesh"),
    ("2024-09-17", "Ganesh Nimajjanam (Hyderabad immersion)", "observance", _NIM, "nimajjanam"),
    ("2024-10-02", "Gandhi Jayanti", "national_holiday", _TG24, "gandhi_jayanti"),
    ("2024-10-02", "Bathukamma (starting day)", "festival_holiday", _TG24, "bathukamma"),
    ("2024-10-12", "Dussehra (Vijayadashami)", "festival_holiday", _TG24, "dussehra"),
    ("2024-10-29", "Dhanteras", "observance", _PANCH, "dhanteras"),
    ("2024-10-31", "Diwali (Deepavali)", "festival_holiday", _TG24, "diwali"),
    ("2024-12-25", "Christmas", "festival_holiday", _TG24, "christmas"),
    ("2024-12-31", "New Year's Eve", "observance", _FIXED, "new_year_eve"),
    # ---- 2025 ----
    ("2025-01-01", "New Year's Day", "festival_holiday", _TG25, "new_year"),
    ("2025-01-13", "Bhogi", "festival_holiday", _TG25, "bhogi"),
    ("2025-01-14", "Sankranti / Pongal", "festival_holiday", _TG25, "sankranti"),
    ("2025-01-26", "Republic Day", "national_holiday", _TG25, "republic_day"),
    ("2025-02-26", "Maha Shivaratri", "festival_holiday", _TG25, "shivaratri"),
    ("2025-03-02", "Ramzan begins (first roza)", "observance", _RUET, "ramzan_start"),
    ("2025-03-14", "Holi", "festival_holiday", _TG25, "holi"),
    ("2025-03-30", "Ugadi", "festival_holiday", _TG25, "ugadi"),
    ("2025-03-31", "Eid-ul-Fitr (Ramzan)", "festival_holiday", _TG25, "eid_fitr"),
    ("2025-06-07", "Eid-ul-Adha (Bakrid)", "festival_holiday", _TG25, "bakrid"),
    ("2025-07-13", "Bonalu - Secunderabad Ujjaini Mahankali", "observance", _BON25, "bonalu"),
    ("2025-07-20", "Bonalu - Lal Darwaza Simhavahini Mahankali", "observance", _BON25, "bonalu"),
    ("2025-07-21", "Bonalu (general holiday)", "festival_holiday", _TG25, "bonalu_holiday"),
    ("2025-08-15", "Independence Day", "national_holiday", _TG25, "independence_day"),
    ("2025-08-27", "Ganesh Chaturthi (Vinayaka Chavithi)", "festival_holiday", _TG25, "ganesh"),
    ("2025-09-06", "Ganesh Nimajjanam (Hyderabad immersion)", "observance", _NIM, "nimajjanam"),
    ("2025-09-21", "Bathukamma (starting day)", "festival_holiday", _TG25, "bathukamma"),
    ("2025-10-02", "Gandhi Jayanti", "national_holiday", _TG25, "gandhi_jayanti"),
    ("2025-10-02", "Dussehra (Vijayadashami)", "festival_holiday", _TG25, "dussehra"),
    ("2025-10-18", "Dhanteras", "observance", _PANCH, "dhanteras"),
    ("2025-10-20", "Diwali (Deepavali)", "festival_holiday", _TG25, "diwali"),
    ("2025-12-25", "Christmas", "festival_holiday", _TG25, "christmas"),
    ("2025-12-31", "New Year's Eve", "observance", _FIXED, "new_year_eve"),
]

# Which community's festivals a key belongs to (stores differ in how strongly they react).
HINDU_KEYS = {"bhogi", "sankranti", "shivaratri", "holi", "ugadi", "bonalu", "ganesh",
              "ganesh_window", "bathukamma", "bathukamma_window", "dussehra", "dhanteras",
              "diwali"}
MUSLIM_KEYS = {"ramzan_month", "eid_fitr", "bakrid"}

# --------------------------------------------------------------------------------------
# Stores (invented sizes/behaviour; real pincodes and localities).
# size: demand multiplier; growth: log-growth per year; exodus: demand multiplier in
# Sankranti week (many residents travel to home towns); hindu/muslim: festival scaling;
# elast: price-elasticity scaling; nimajjanam: multiplier on immersion day (traffic).
# --------------------------------------------------------------------------------------
STORES = [
    dict(pincode="500032", locality="Gachibowli", zone="West", size=1.10, growth=0.17,
         exodus=0.72, hindu=0.90, muslim=1.00, elast=1.00, nimajjanam=0.85),
    dict(pincode="500081", locality="Madhapur", zone="West", size=1.00, growth=0.14,
         exodus=0.74, hindu=0.90, muslim=0.90, elast=1.00, nimajjanam=0.85),
    dict(pincode="500034", locality="Banjara Hills", zone="Central", size=0.80, growth=0.09,
         exodus=0.86, hindu=0.95, muslim=1.40, elast=0.70, nimajjanam=0.70),
    dict(pincode="500072", locality="Kukatpally", zone="North", size=1.30, growth=0.11,
         exodus=0.68, hindu=1.25, muslim=0.75, elast=1.15, nimajjanam=0.85),
]
for _s in STORES:
    _s["store_id"] = f"HYD-{_s['pincode']}"

# SKUs a store does not carry (everything else in the catalogue is carried).
NOT_CARRIED = {
    "HYD-500032": {"jaggery-500g", "clay-ganesh-idol", "pav-buns-6pc"},
    "HYD-500081": {"mutton-curry-cut-500g", "ghee-500ml", "dates-khajoor-250g"},
    "HYD-500034": {"pav-buns-6pc", "clay-ganesh-idol", "jaggery-500g", "namkeen-mixture-200g"},
    "HYD-500072": {"instant-coffee-50g", "apple-shimla-4pc", "dates-khajoor-250g"},
}

# Day-of-week profiles, Monday..Sunday (normalised to mean 1 below).
DOW = {
    "staple": [0.97, 0.95, 0.96, 0.97, 1.00, 1.06, 1.10],
    "weekend": [0.88, 0.86, 0.88, 0.92, 1.05, 1.20, 1.28],
    "meat": [0.95, 0.70, 1.00, 0.75, 1.05, 0.90, 1.70],
    "puja": [0.95, 1.10, 0.95, 0.95, 1.15, 1.00, 0.95],
    "flat": [1.0] * 7,
}
DOW = {k: np.asarray(v) / np.mean(v) for k, v in DOW.items()}


def sku(name, category, base, price, k, dow="staple", payday=0.05, elast=-0.6, promo_rate=2.5,
        uplift=0.25, season=None, rain=0.0, temp=0.0, fest=None, price_vol=0.0, min_stock=3,
        safety=1.10, storable=False, plan_fest=0.4):
    """One catalogue entry. base: mean units/day in a size-1.0 store, 2024-01, no effects.
    k: negative-binomial dispersion (small = lumpy). rain/temp: log-effects (see weather).
    fest: {key: (amp, lead_days, lag_days, peak_offset)} with multiplier 1 + amp * w(t)."""
    return dict(sku=name, category=category, base=base, price=price, k=k, dow=dow,
                payday=payday, elast=elast, promo_rate=promo_rate, uplift=uplift,
                season=season, rain=rain, temp=temp, fest=fest or {}, price_vol=price_vol,
                min_stock=min_stock, safety=safety, storable=storable, plan_fest=plan_fest)


CATALOGUE = [
    # ---------------- dairy ----------------
    sku("milk-500ml", "dairy", 30.0, 29.0, 25, payday=0.02, elast=-0.15, promo_rate=0.0,
        rain=0.03, min_stock=10,
        fest={"shivaratri": (0.35, 1, 0, 0), "eid_fitr": (0.35, 2, 0, -1),
              "ganesh": (0.15, 1, 0, 0), "diwali": (0.20, 2, 0, 0),
              "sankranti": (0.15, 2, 0, 0), "new_year_eve": (0.15, 0, 0, 0)}),
    sku("curd-400g", "dairy", 9.0, 35.0, 14, payday=0.03, elast=-0.3, promo_rate=1.5,
        temp=0.025, min_stock=5,
        fest={"bakrid": (0.50, 2, 0, -1), "eid_fitr": (0.30, 2, 0, -1),
              "bonalu": (0.30, 1, 0, 0), "ugadi": (0.20, 1, 0, 0)}),
    sku("paneer-200g", "dairy", 3.0, 95.0, 6, dow="weekend", payday=0.08, elast=-0.9,
        fest={"diwali": (0.5, 3, 0, 0), "ganesh": (0.3, 2, 0, 0), "dussehra": (0.3, 2, 0, 0),
              "christmas": (0.3, 1, 0, 0), "shivaratri": (-0.3, 0, 0, 0)}),
    sku("butter-100g", "dairy", 2.0, 58.0, 5, elast=-0.6,
        fest={"christmas": (0.4, 3, 0, -1), "diwali": (0.3, 3, 0, -1)}),
    sku("ghee-500ml", "dairy", 0.6, 340.0, 2, payday=0.10, elast=-0.8, promo_rate=2.0,
        min_stock=2, storable=True,
        fest={"diwali": (2.5, 6, 0, -1), "sankranti": (2.0, 5, 0, -1), "ugadi": (0.8, 2, 0, -1),
              "dussehra": (0.8, 3, 0, -1), "ganesh": (0.8, 3, 0, -1)}),
    # ---------------- bakery ----------------
    sku("bread-400g", "bakery", 10.0, 45.0, 14, payday=0.03, elast=-0.4, rain=0.05,
        min_stock=5, fest={"christmas": (0.3, 1, 0, 0), "new_year_eve": (0.2, 0, 0, 0)}),
    sku("pav-buns-6pc", "bakery", 3.0, 35.0, 5, dow="weekend", elast=-0.6, rain=0.08,
        fest={"christmas": (0.4, 1, 0, 0), "new_year_eve": (0.5, 0, 0, 0)}),
    # ---------------- vegetables ----------------
    sku("onion-1kg", "vegetables", 12.0, 40.0, 10, payday=0.03, elast=-0.5, promo_rate=1.5,
        rain=0.04, price_vol=0.10, min_stock=6,
        fest={"bakrid": (0.6, 2, 0, -1), "eid_fitr": (0.4, 2, 0, -1),
              "ramzan_month": (0.12, 0, 0, 0), "bonalu": (0.3, 1, 0, 0),
              "dussehra": (0.25, 1, 0, 0)}),
    sku("tomato-500g", "vegetables", 9.0, 20.0, 9, payday=0.03, elast=-0.6, promo_rate=1.5,
        price_vol=0.14, min_stock=5,
        fest={"bakrid": (0.4, 2, 0, -1), "bonalu": (0.25, 1, 0, 0), "sankranti": (0.2, 2, 0, 0)}),
    sku("potato-1kg", "vegetables", 7.0, 35.0, 9, elast=-0.5, promo_rate=1.5, price_vol=0.06,
        rain=0.03, fest={"holi": (0.2, 1, 0, 0), "shivaratri": (0.3, 1, 0, 0)}),
    sku("coriander-bunch", "vegetables", 7.0, 10.0, 7, elast=-0.3, promo_rate=0.0,
        price_vol=0.10, season=("summer_dip", 0.25),
        fest={"bakrid": (0.5, 2, 0, -1), "eid_fitr": (0.4, 2, 0, -1), "bonalu": (0.3, 1, 0, 0)}),
    # ---------------- fruit ----------------
    sku("banana-robusta-6pc", "fruit", 5.0, 45.0, 7, elast=-0.5, promo_rate=1.5, price_vol=0.04,
        fest={"shivaratri": (0.9, 1, 0, 0), "ganesh": (0.9, 2, 0, -1),
              "ganesh_window": (0.2, 0, 0, 0), "ugadi": (0.5, 1, 0, 0),
              "dussehra": (0.5, 2, 0, -1), "diwali": (0.4, 2, 0, -1),
              "ramzan_month": (0.25, 0, 0, 0), "bathukamma_window": (0.15, 0, 0, 0)}),
    sku("mango-banganapalli-1kg", "fruit", 4.5, 120.0, 3, dow="weekend", payday=0.08,
        elast=-1.0, promo_rate=2.0, price_vol=0.05, season=("mango", 1.0), min_stock=2,
        fest={"ugadi": (0.6, 1, 0, 0)}),
    sku("apple-shimla-4pc", "fruit", 2.0, 160.0, 4, payday=0.08, elast=-0.8, price_vol=0.04,
        season=("winter_peak", 0.25),
        fest={"ramzan_month": (0.35, 0, 0, 0), "shivaratri": (0.6, 1, 0, 0)}),
    sku("dates-khajoor-250g", "dry-fruits", 0.35, 150.0, 1.5, payday=0.06, elast=-0.7,
        promo_rate=2.0, min_stock=2, storable=True, plan_fest=0.75,
        fest={"ramzan_month": (5.0, 0, 0, 0), "ramzan_start": (3.0, 3, 0, -1),
              "eid_fitr": (1.0, 1, 0, -1)}),
    # ---------------- snacks ----------------
    sku("chips-classic-52g", "snacks", 8.0, 20.0, 6, dow="weekend", payday=0.10, elast=-1.2,
        promo_rate=3.5, uplift=0.30, rain=0.08, temp=0.0, storable=True, min_stock=6,
        fest={"new_year_eve": (1.5, 1, 0, 0), "holi": (0.3, 1, 0, 0), "diwali": (0.3, 2, 0, 0),
              "christmas": (0.3, 1, 0, 0), "independence_day": (0.2, 0, 0, 0)}),
    sku("namkeen-mixture-200g", "snacks", 2.5, 55.0, 4, dow="weekend", payday=0.10,
        elast=-1.0, promo_rate=3.0, rain=0.10, storable=True,
        fest={"diwali": (1.0, 5, 0, -1), "new_year_eve": (1.0, 1, 0, 0),
              "sankranti": (0.5, 3, 0, -1), "dussehra": (0.4, 3, 0, -1)}),
    sku("biscuits-marie-250g", "snacks", 5.0, 35.0, 8, payday=0.06, elast=-0.8, promo_rate=3.0,
        rain=0.07, storable=True),
    # ---------------- beverages ----------------
    sku("cold-drink-750ml", "beverages", 6.0, 40.0, 5, dow="weekend", payday=0.08, elast=-1.1,
        promo_rate=3.5, uplift=0.30, rain=-0.12, temp=0.055, min_stock=6,
        fest={"new_year_eve": (2.0, 1, 0, 0), "holi": (0.6, 1, 0, 0),
              "ramzan_month": (0.20, 0, 0, 0), "bakrid": (0.3, 1, 0, 0),
              "diwali": (0.3, 2, 0, 0), "christmas": (0.4, 1, 0, 0)}),
    sku("tea-powder-250g", "beverages", 2.0, 140.0, 4, payday=0.08, elast=-0.5, promo_rate=2.5,
        rain=0.10, temp=-0.01, storable=True),
    sku("instant-coffee-50g", "beverages", 0.9, 175.0, 2.5, payday=0.08, elast=-0.7,
        promo_rate=2.5, rain=0.06, storable=True, min_stock=2),
    # ---------------- frozen ----------------
    sku("ice-cream-tub-700ml", "frozen", 2.0, 230.0, 3, dow="weekend", payday=0.10,
        elast=-1.4, promo_rate=3.0, uplift=0.30, rain=-0.18, temp=0.09, min_stock=3,
        fest={"new_year_eve": (1.0, 0, 0, 0), "christmas": (0.5, 0, 0, 0),
              "eid_fitr": (0.4, 0, 1, 0), "diwali": (0.3, 0, 0, 0)}),
    # ---------------- household ----------------
    sku("umbrella-compact", "household", 0.05, 349.0, 0.8, dow="flat", payday=0.0, elast=-0.5,
        promo_rate=1.5, rain=0.55, season=("monsoon", 5.0), min_stock=3, safety=1.5),
    sku("mosquito-repellent-refill", "household", 1.0, 85.0, 3, dow="flat", payday=0.04,
        elast=-0.6, promo_rate=2.0, season=("monsoon", 1.6), min_stock=3),
    # ---------------- puja / festival ----------------
    sku("diya-puja-kit", "puja", 0.06, 149.0, 0.8, dow="puja", payday=0.0, elast=-0.5,
        promo_rate=0.0, min_stock=2, safety=1.3, plan_fest=0.75,
        fest={"diwali": (45.0, 7, 1, -1), "dhanteras": (8.0, 1, 0, 0),
              "dussehra": (5.0, 3, 0, -1), "sankranti": (3.0, 3, 0, -1),
              "ganesh": (6.0, 3, 0, -1), "ugadi": (3.0, 2, 0, -1),
              "bonalu": (3.0, 2, 0, -1), "shivaratri": (3.0, 2, 0, -1)}),
    sku("agarbatti-100g", "puja", 0.8, 60.0, 2.5, dow="puja", payday=0.03, elast=-0.3,
        promo_rate=1.5, storable=True, plan_fest=0.7,
        fest={"diwali": (2.0, 5, 0, -1), "ganesh": (2.0, 3, 0, -1),
              "ganesh_window": (0.5, 0, 0, 0), "dussehra": (1.5, 3, 0, -1),
              "ugadi": (1.2, 2, 0, -1), "sankranti": (1.0, 3, 0, -1),
              "bonalu": (1.2, 2, 0, -1), "shivaratri": (1.5, 1, 0, -1),
              "bathukamma_window": (0.4, 0, 0, 0)}),
    sku("marigold-flowers-250g", "puja", 0.5, 40.0, 1.5, dow="puja", payday=0.0, elast=-0.4,
        promo_rate=0.0, min_stock=2, price_vol=0.05, plan_fest=0.7,
        fest={"diwali": (8.0, 3, 0, -1), "dussehra": (8.0, 2, 0, -1),
              "bathukamma_window": (2.5, 0, 0, 0), "bathukamma": (3.0, 1, 0, 0),
              "ganesh": (5.0, 2, 0, -1), "ganesh_window": (0.6, 0, 0, 0),
              "bonalu": (3.0, 1, 0, 0), "ugadi": (3.0, 1, 0, -1),
              "sankranti": (2.5, 2, 0, -1), "shivaratri": (2.0, 1, 0, 0)}),
    sku("clay-ganesh-idol", "puja", 0.01, 299.0, 0.6, dow="flat", payday=0.0, elast=-0.3,
        promo_rate=0.0, min_stock=1, safety=1.4, plan_fest=0.9,
        fest={"ganesh": (600.0, 7, 0, -1)}),
    # ---------------- sweets ----------------
    sku("kaju-katli-250g", "sweets", 0.5, 280.0, 1.5, payday=0.08, elast=-0.8, promo_rate=2.0,
        min_stock=2, safety=1.3, plan_fest=0.7,
        fest={"diwali": (10.0, 5, 1, -1), "dhanteras": (2.0, 1, 0, 0),
              "sankranti": (3.0, 3, 0, -1), "dussehra": (3.0, 2, 0, -1),
              "ganesh": (2.0, 2, 0, -1), "holi": (2.0, 1, 0, 0), "eid_fitr": (2.5, 2, 0, -1),
              "ugadi": (1.0, 1, 0, 0), "christmas": (1.0, 1, 0, 0), "new_year": (1.0, 1, 0, 0),
              "independence_day": (0.8, 0, 0, 0), "bathukamma_window": (0.3, 0, 0, 0)}),
    sku("jaggery-500g", "sweets", 0.8, 60.0, 2, payday=0.04, elast=-0.4, promo_rate=1.5,
        storable=True, min_stock=2,
        fest={"sankranti": (3.0, 4, 0, -1), "bhogi": (1.0, 1, 0, 0), "ugadi": (2.0, 2, 0, -1),
              "ganesh": (1.5, 2, 0, -1), "bonalu": (1.0, 1, 0, -1)}),
    # ---------------- masala / meat ----------------
    sku("biryani-masala-50g", "masala", 1.0, 75.0, 3, dow="meat", payday=0.06, elast=-0.5,
        promo_rate=2.0, storable=True, min_stock=3,
        fest={"ramzan_month": (0.5, 0, 0, 0), "eid_fitr": (2.5, 3, 0, -1),
              "bakrid": (3.0, 3, 0, -1), "bonalu": (0.8, 1, 0, 0),
              "dussehra": (0.8, 2, 0, 0), "new_year_eve": (0.6, 0, 0, 0)}),
    sku("chicken-curry-cut-500g", "meat", 4.0, 160.0, 5, dow="meat", payday=0.06, elast=-0.6,
        promo_rate=2.5, min_stock=4,
        fest={"bonalu": (1.5, 1, 1, 0), "bakrid": (0.5, 1, 0, 0), "eid_fitr": (0.8, 1, 0, 0),
              "dussehra": (1.0, 0, 1, 0), "sankranti": (0.8, 0, 1, 1),
              "new_year_eve": (1.0, 0, 0, 0), "ramzan_month": (0.15, 0, 0, 0),
              "shivaratri": (-0.6, 0, 0, 0), "ganesh_window": (-0.25, 0, 0, 0),
              "diwali": (-0.3, 1, 0, 0)}),
    sku("mutton-curry-cut-500g", "meat", 1.0, 420.0, 2, dow="meat", payday=0.08, elast=-0.7,
        promo_rate=1.5, min_stock=3,
        fest={"bakrid": (4.0, 1, 2, 0), "eid_fitr": (1.5, 1, 0, 0), "bonalu": (2.0, 1, 1, 0),
              "dussehra": (1.5, 0, 1, 0), "sankranti": (1.2, 0, 1, 1),
              "ramzan_month": (0.2, 0, 0, 0), "shivaratri": (-0.6, 0, 0, 0),
              "ganesh_window": (-0.3, 0, 0, 0)}),
]
STOCK_Z = 2.0  # planner's safety stock, in forecast standard deviations


# --------------------------------------------------------------------------------------
def load_weather(path: Path, dates: pd.DatetimeIndex) -> pd.DataFrame:
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != WEATHER_SHA256:
        print(f"warning: weather file sha256 {digest} differs from the shared README's "
              f"{WEATHER_SHA256}", file=sys.stderr)
    w = pd.read_csv(io.BytesIO(raw), compression="gzip", parse_dates=["date"])
    w = w.set_index("date").sort_index()
    if w.index.has_duplicates:
        raise SystemExit("weather file has duplicate dates")
    rain_all = w["precipitation"].astype(float)
    out = pd.DataFrame(index=dates)
    out["rain"] = rain_all.reindex(dates)
    out["temp"] = w["temp_max"].astype(float).reindex(dates)
    if out[["rain", "temp"]].isna().any().any():
        raise SystemExit("weather file does not cover every day of the sample period")
    # history-based features (use the days before START too)
    full = pd.DataFrame({"rain": rain_all, "temp": w["temp_max"].astype(float)})
    full["rain_lag1"] = full["rain"].shift(1)
    full["rain_14d"] = full["rain"].rolling(14, min_periods=1).sum()
    full["rain_plan"] = full["rain"].shift(1).rolling(7, min_periods=1).mean()
    full["temp_plan"] = full["temp"].shift(1).rolling(3, min_periods=1).mean()
    year = full.index.year
    since_may = full["rain"].where(full.index.month >= 5, 0.0)
    full["season_rain"] = since_may.groupby(year).cumsum().shift(1).fillna(0.0)
    for c in ["rain_lag1", "rain_14d", "rain_plan", "temp_plan", "season_rain"]:
        out[c] = full[c].reindex(dates).to_numpy()
    return out


def event_dates(key: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(d) for d, _n, _k, _s, k in FESTIVALS if k == key]


def point_weight(days: np.ndarray, key: str, lead: int, lag: int, peak: int) -> np.ndarray:
    """Shape around each event date (+peak): accelerating ramp over `lead` days before,
    1 at the peak, halving each day over `lag` days after. Max over the key's events."""
    w = np.zeros(len(days))
    for e in event_dates(key):
        d = (days - (e + pd.Timedelta(days=peak))).days.to_numpy()
        pre = (d >= -lead) & (d <= 0)
        post = (d > 0) & (d <= lag)
        v = np.zeros(len(days))
        v[pre] = ((d[pre] + lead + 1) / (lead + 1)) ** 1.5
        v[post] = 0.5 ** d[post]
        w = np.maximum(w, v)
    return w


def window_weight(days: pd.DatetimeIndex, key: str) -> np.ndarray:
    """Multi-day festival periods."""
    w = np.zeros(len(days))
    if key == "ramzan_month":
        for s, e in zip(event_dates("ramzan_start"), event_dates("eid_fitr")):
            inside = (days >= s) & (days < e)
            last10 = (days >= e - pd.Timedelta(days=10)) & (days < e)
            w[inside] = 1.0
            w[last10] = 1.3
    elif key == "bathukamma_window":  # nine days from the starting day
        for s in event_dates("bathukamma"):
            w[(days >= s) & (days <= s + pd.Timedelta(days=8))] = 1.0
    elif key == "ganesh_window":  # Chaturthi .. immersion (pandal pujas)
        for s, e in zip(event_dates("ganesh"), event_dates("nimajjanam")):
            w[(days >= s) & (days <= e)] = 1.0
    else:
        raise KeyError(key)
    return w


WINDOW_KEYS = {"ramzan_month", "bathukamma_window", "ganesh_window"}


def festival_weight(days, key, lead, lag, peak):
    if key in WINDOW_KEYS:
        return window_weight(days, key)
    if not event_dates(key):
        raise KeyError(f"festival key {key!r} has no dates")
    return point_weight(days, key, lead, lag, peak)


def season_factor(days: pd.DatetimeIndex, spec) -> np.ndarray:
    doy = days.day_of_year.to_numpy().astype(float)
    month = days.month.to_numpy()
    if spec is None:
        return np.ones(len(days))
    kind, a = spec
    if kind == "mango":  # Banganapalli season ~ April..June, peak mid-May, trickle Mar/Jul
        bell = np.exp(-0.5 * ((doy - 135.0) / 22.0) ** 2)
        f = np.where((month >= 4) & (month <= 6), 0.15 + bell, 0.0)
        f = np.where(month == 3, 0.04 * (days.day.to_numpy() / 31.0), f)
        f = np.where((month == 7) & (days.day.to_numpy() <= 10), 0.06, f)
        return np.maximum(f * a, 1e-3)
    if kind == "monsoon":  # June..September, ramping in late May / out in October
        bell = np.exp(-0.5 * ((doy - 210.0) / 45.0) ** 2)
        return 0.25 + a * bell
    if kind == "winter_peak":
        return 1.0 + a * np.cos(2 * np.pi * (doy - 15.0) / 365.25)
    if kind == "summer_dip":  # e.g. coriander scarce / wilts in Apr-May heat
        return 1.0 - a * np.exp(-0.5 * ((doy - 130.0) / 30.0) ** 2)
    raise KeyError(kind)


def price_path(rng, c, days) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chain-wide regular price and promo episodes for one SKU."""
    n = len(days)
    p0 = c["price"]
    log_p = np.zeros(n)
    # occasional price increases (0-3 over two years, +2..8% each)
    for _ in range(rng.poisson(1.3)):
        t0 = int(rng.integers(30, n))
        log_p[t0:] += np.log1p(rng.uniform(0.02, 0.08))
    # produce-type volatility: weekly mean-reverting log-price (changes on Mondays)
    if c["price_vol"] > 0:
        weeks = (np.arange(n) + days[0].day_of_week) // 7
        nw = weeks.max() + 1
        x = np.zeros(nw)
        for j in range(1, nw):
            x[j] = 0.8 * x[j - 1] + rng.normal(0.0, c["price_vol"])
        log_p += x[weeks]
    regular = np.round(p0 * np.exp(log_p))
    regular = np.maximum(regular, 1.0)
    promo = np.zeros(n, dtype=np.int8)
    disc = np.zeros(n)
    n_eps = rng.poisson(c["promo_rate"] * n / 365.25)
    for _ in range(n_eps):
        t0 = int(rng.integers(0, n - 3))
        length = int(rng.integers(3, 8))
        sl = slice(t0, min(n, t0 + length))
        if promo[sl].any():
            continue
        promo[sl] = 1
        disc[sl] = rng.choice([0.10, 0.15, 0.20, 0.25])
    return regular, promo, disc


def local_promos(rng, promo, disc, rate):
    """A few store-level promotions on top of the chain-wide ones."""
    promo, disc = promo.copy(), disc.copy()
    n = len(promo)
    for _ in range(rng.poisson(rate * n / 365.25)):
        t0 = int(rng.integers(0, n - 3))
        sl = slice(t0, min(n, t0 + int(rng.integers(2, 5))))
        if promo[sl].any():
            continue
        promo[sl] = 1
        disc[sl] = rng.choice([0.10, 0.15])
    return promo, disc


def simulate(weather: pd.DataFrame, seed: int) -> pd.DataFrame:
    days = weather.index
    n = len(days)
    years = (days - days[0]).days.to_numpy() / 365.25
    dow = days.day_of_week.to_numpy()
    dom = days.day.to_numpy()
    kinds = {}
    for d, _n, k, _s, _key in FESTIVALS:
        kinds.setdefault(pd.Timestamp(d), set()).add(k)
    holiday = np.array([bool(kinds.get(d, set()) & {"national_holiday", "festival_holiday"})
                        for d in days])

    rain = weather["rain"].to_numpy()
    temp = weather["temp"].to_numpy()

    # chain-wide SKU-level draws (prices, promotions)
    chain = {}
    for i, c in enumerate(CATALOGUE):
        rng = np.random.default_rng([seed, 1, i])
        chain[c["sku"]] = price_path(rng, c, days)

    # city-level effects shared by all SKUs of a store
    sank = np.zeros(n)
    for s in event_dates("sankranti"):  # Bhogi-1 .. Kanuma+1
        dd = (days - s).days.to_numpy()
        sank = np.maximum(sank, ((dd >= -2) & (dd <= 2)).astype(float))
    dus = np.zeros(n)
    for s in event_dates("dussehra"):
        dd = (days - s).days.to_numpy()
        dus = np.maximum(dus, ((dd >= -2) & (dd <= 1)).astype(float))
    nim = point_weight(days, "nimajjanam", 0, 0, 0)
    flood = (rain > 45.0).astype(float)  # delivery disruption on extreme-rain days

    frames = []
    for si, st in enumerate(STORES):
        city_log = (np.log(1 - (1 - st["exodus"]) * sank) + np.log(1 - 0.10 * dus)
                    + np.log(1 - (1 - st["nimajjanam"]) * nim) + np.log(1 - 0.15 * flood))
        for i, c in enumerate(CATALOGUE):
            if c["sku"] in NOT_CARRIED[st["store_id"]]:
                continue
            rng = np.random.default_rng([seed, 2, si, i])
            regular, promo, disc = chain[c["sku"]]
            promo, disc = local_promos(rng, promo, disc, 0.4 * (c["promo_rate"] > 0))
            price = np.round(regular * (1 - disc), 0)

            # ----- systematic log-mean pieces -----
            re = rng.normal(0.0, 0.18)  # store x SKU level
            base = (np.log(c["base"]) + np.log(st["size"]) + re + st["growth"] * years)
            dprof = DOW[c["dow"]]
            dow_f = np.where(holiday, 0.5 * (dprof[dow] + dprof[6]), dprof[dow])
            # paycheque cycle: higher in the first days of the month, slight dip after the 25th
            pay = (1 + c["payday"] * np.clip(1 - (dom - 1) / 6.0, 0, 1)
                   - 0.3 * c["payday"] * (dom >= 25))
            cal = np.log(dow_f) + np.log(pay) + np.log(season_factor(days, c["season"]))

            def weather_log(r, r14, tmax, r_lag1, season_rain):
                lr = np.log1p(r)
                out = 0.05 * lr + c["rain"] * lr  # quick commerce: more orders when it rains
                if c["sku"] == "umbrella-compact":  # first rains of the season sell most
                    novelty = np.exp(-season_rain / 150.0)
                    out = out + 0.25 * np.log1p(r_lag1) + np.log1p(1.5 * novelty * (r > 5.0))
                if c["sku"] == "mosquito-repellent-refill":  # standing water after rain
                    out = out + 0.35 * np.log1p(r14 / 10.0)
                t = tmax - 30.0
                out = out + c["temp"] * np.where(t > 0, t, 0.5 * t)
                return out

            wx_actual = weather_log(rain, weather["rain_14d"].to_numpy(), temp,
                                    weather["rain_lag1"].to_numpy(),
                                    weather["season_rain"].to_numpy())
            rp = weather["rain_plan"].to_numpy()
            wx_plan = weather_log(rp, 14 * rp, weather["temp_plan"].to_numpy(), rp,
                                  weather["season_rain"].to_numpy())

            fest = np.zeros(n)
            for key, (amp, lead, lag, peak) in c["fest"].items():
                scale = (st["hindu"] if key in HINDU_KEYS
                         else st["muslim"] if key in MUSLIM_KEYS else 1.0)
                a = amp * scale if amp > 0 else amp
                fest += np.log1p(a * festival_weight(days, key, lead, lag, peak))

            elast = c["elast"] * st["elast"]
            price_log = elast * np.log(price / c["price"])
            promo_log = c["uplift"] * promo
            if c["storable"]:  # pantry loading: small dip for 3 days after a promotion
                ended = np.zeros(n)
                for lagd in (1, 2, 3):
                    prev = np.r_[np.zeros(lagd), promo[:-lagd]]
                    ended = np.maximum(ended, (prev == 1) & (promo == 0))
                promo_log = promo_log + np.log(1 - 0.12 * ended)

            # latent AR(1) noise (unknown to the planner)
            eps = rng.normal(0.0, 0.10, n)
            eta = np.zeros(n)
            for t in range(1, n):
                eta[t] = 0.6 * eta[t - 1] + eps[t]

            log_mu = base + cal + wx_actual + fest + price_log + promo_log + city_log + eta
            mu = np.exp(log_mu)
            # NB dispersion grows with the mean above the SKU's normal level, so festival
            # and weather peaks are not absurdly lumpy (variance = mu + mu * mu_ref / k).
            mu_ref = c["base"] * st["size"]
            k_t = c["k"] * np.maximum(1.0, mu / mu_ref)
            lam = mu * rng.gamma(k_t, 1.0 / k_t)
            demand = rng.poisson(lam)

            # ----- stock: planner forecast misses weather surprises, most of festival
            # peaks and part of promo uplift; rare supply shortfalls -----
            mu_plan = np.exp(base + cal + wx_plan + c["plan_fest"] * fest
                             + 0.8 * (price_log + promo_log) + city_log)
            k_plan = c["k"] * np.maximum(1.0, mu_plan / mu_ref)
            sd_plan = np.sqrt(mu_plan + mu_plan ** 2 * (1.0 / k_plan + 0.03))
            stock = np.floor(c["safety"] * mu_plan + STOCK_Z * sd_plan)
            stock = np.maximum(stock, c["min_stock"])
            short = rng.random(n) < 0.004
            for t in np.flatnonzero(short):
                length = int(rng.integers(1, 4))
                stock[t:t + length] = np.floor(stock[t:t + length] * rng.uniform(0.1, 0.6))
            stock = stock.astype(np.int64)
            sold = np.minimum(demand, stock)
            stockout = (demand > stock).astype(np.int8)

            frames.append(pd.DataFrame({
                "unique_id": f"{st['store_id']}/{c['sku']}",
                "ds": days.strftime("%Y-%m-%d"),
                "y": sold.astype(np.int64),
                "city": CITY,
                "zone": st["zone"],
                "pincode": st["pincode"],
                "store_id": st["store_id"],
                "category": c["category"],
                "sku": c["sku"],
                "rain_mm": rain,
                "temp_max_c": temp,
                "price": price,
                "promo": promo.astype(np.int8),
                "stockout": stockout,
            }))
    df = pd.concat(frames, ignore_index=True)
    return df.sort_values(["unique_id", "ds"], kind="mergesort").reset_index(drop=True)[COLUMNS]


def check(df: pd.DataFrame, n_days: int) -> None:
    assert list(df.columns) == COLUMNS
    assert not df.isna().any().any(), "NaN in output"
    assert (df["y"] >= 0).all()
    assert df["promo"].isin([0, 1]).all() and df["stockout"].isin([0, 1]).all()
    g = df.groupby("unique_id")
    assert (g.size() == n_days).all(), "every series must have every day"
    assert not df.duplicated(["unique_id", "ds"]).any()
    for col in ["city", "zone", "pincode", "store_id", "category", "sku"]:
        assert (g[col].nunique() == 1).all(), col
    assert (df["price"] > 0).all()


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    out = df.copy()
    out["rain_mm"] = out["rain_mm"].map("{:.1f}".format)
    out["temp_max_c"] = out["temp_max_c"].map("{:.1f}".format)
    out["price"] = out["price"].map("{:.2f}".format)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_gzip(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(payload)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weather", type=Path, default=DEFAULT_WEATHER,
                    help="Open-Meteo daily Hyderabad weather csv.gz (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output csv.gz")
    ap.add_argument("--festivals-out", type=Path, default=DEFAULT_FESTIVALS_OUT,
                    help="where to write the festival table used (csv)")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)

    days = pd.date_range(START, END, freq="D")
    weather = load_weather(args.weather, days)
    df = simulate(weather, args.seed)
    check(df, len(days))

    payload = to_csv_bytes(df)
    write_gzip(args.out, payload)
    fest = pd.DataFrame([f[:4] for f in FESTIVALS], columns=["date", "name", "kind", "source"])
    args.festivals_out.parent.mkdir(parents=True, exist_ok=True)
    args.festivals_out.write_bytes(fest.to_csv(index=False, lineterminator="\n").encode("utf-8"))

    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, sha256 {digest})")
    print(f"  rows {len(df):,}, series {df['unique_id'].nunique()}, stores "
          f"{df['store_id'].nunique()}, days {len(days)} ({START} .. {END})")
    print(f"  zero share {(df['y'] == 0).mean():.3f}, stockout share {df['stockout'].mean():.3f}, "
          f"promo share {df['promo'].mean():.3f}")
    print(f"wrote {args.festivals_out} ({len(fest)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
