"""qs.festivals(): contract, well-known dates, yearly coverage and the generator's output."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import quickstock as qs
from quickstock import calendar as qcal

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make_festivals.py"
CSV = ROOT / "python" / "quickstock" / "datasets" / "data" / "festivals_in_tg.csv"
YEARS = range(2015, 2031)


@pytest.fixture(scope="module")
def cal() -> pd.DataFrame:
    return qs.festivals("2015-01-01", "2030-12-31")


def _dates(cal: pd.DataFrame, name: str) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in cal.loc[cal["name"] == name, "date"]]


def _on(cal: pd.DataFrame, name: str, year: int) -> pd.Timestamp:
    hits = cal.loc[(cal["name"] == name) & (cal["date"].dt.year == year), "date"]
    assert len(hits) == 1, (name, year, list(hits))
    return hits.iloc[0]


# --- contract ---------------------------------------------------------------------------


def test_columns_and_types() -> None:
    df = qs.festivals("2025-01-01", "2025-12-31")
    assert list(df.columns) == ["date", "name", "kind", "region", "source"]
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert len(df) > 10
    assert df["date"].is_monotonic_increasing
    assert df["date"].min() >= pd.Timestamp("2025-01-01")
    assert df["date"].max() <= pd.Timestamp("2025-12-31")
    assert set(df["kind"]) <= {"national_holiday", "state_holiday", "festival", "observance"}
    assert set(df["region"]) == {"IN", "IN-TG"}
    assert (df["source"].str.len() > 0).all()
    assert list(df.index) == list(range(len(df)))


def test_exported() -> None:
    assert "festivals" in qs.__all__
    assert qs.festivals is qcal.festivals


def test_whole_range_unique_and_sorted(cal: pd.DataFrame) -> None:
    assert not cal.duplicated(["date", "name"]).any()
    assert cal["date"].min().year == 2015 and cal["date"].max().year == 2030
    assert list(cal.sort_values(["date", "name"]).index) == list(cal.index)


def test_bounds_inclusive_and_single_day() -> None:
    day = qs.festivals("2025-10-02", "2025-10-02")
    assert set(day["name"]) == {"Gandhi Jayanti", "Dussehra (Vijayadashami)"}
    assert qs.festivals(dt.date(2025, 10, 20), pd.Timestamp("2025-10-20 18:30"))[
        "name"
    ].tolist() == ["Diwali (Deepavali)"]


def test_region_filter() -> None:
    tg = qs.festivals("2024-01-01", "2024-12-31")
    india = qs.festivals("2024-01-01", "2024-12-31", region="IN")
    assert set(india["region"]) == {"IN"}
    assert len(india) < len(tg)
    assert set(india["name"]) <= set(tg["name"])
    assert "Republic Day" in set(india["name"]) and "Diwali (Deepavali)" in set(india["name"])
    for tg_only in ("Bonalu (general holiday)", "Saddula Bathukamma", "Telangana Formation Day"):
        assert tg_only not in set(india["name"])
        assert tg_only in set(tg["name"])


def test_returns_a_copy() -> None:
    a = qs.festivals("2025-01-01", "2025-01-31")
    a.loc[:, "name"] = "changed"
    assert "changed" not in set(qs.festivals("2025-01-01", "2025-01-31")["name"])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start": "2014-12-31", "end": "2015-01-05"}, "start"),
        ({"start": "2030-12-01", "end": "2031-01-01"}, "end"),
        ({"start": "not a date", "end": "2025-01-01"}, "start"),
        ({"start": "2025-01-01", "end": None}, "end"),
        ({"start": "2025-01-01", "end": "2025-13-45"}, "end"),
        ({"start": "2025-06-01", "end": "2025-05-31"}, "end"),
        ({"start": "2025-01-01", "end": "2025-12-31", "region": "TG"}, "region"),
        ({"start": "2025-01-01", "end": "2025-12-31", "region": "IN-KA"}, "region"),
        ({"start": "2025-01-01", "end": "2025-12-31", "region": None}, "region"),
    ],
)
def test_errors_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(qs.QuickstockError) as info:
        qs.festivals(**kwargs)
    assert info.value.field == field
    assert f'field "{field}"' in str(info.value)
    assert isinstance(info.value, ValueError)


# --- well-known dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "name"),
    [
        ("2024-10-31", "Diwali (Deepavali)"),
        ("2025-10-20", "Diwali (Deepavali)"),
        ("2022-10-24", "Diwali (Deepavali)"),  # TG moved the holiday from 10-25
        ("2025-03-31", "Eid-ul-Fitr (Ramzan)"),
        ("2024-04-11", "Eid-ul-Fitr (Ramzan)"),
        ("2016-07-07", "Eid-ul-Fitr (Ramzan)"),  # moon not sighted on 07-05 in Hyderabad
        ("2025-06-07", "Eid-ul-Adha (Bakrid)"),
        ("2025-03-14", "Holi"),
        ("2025-03-30", "Ugadi"),
        ("2025-01-13", "Bhogi"),
        ("2025-01-14", "Sankranti / Pongal"),
        ("2024-01-15", "Sankranti / Pongal"),
        ("2026-01-15", "Sankranti / Pongal"),
        ("2025-08-27", "Ganesh Chaturthi (Vinayaka Chavithi)"),
        ("2023-09-18", "Ganesh Chaturthi (Vinayaka Chavithi)"),
        ("2024-09-17", "Ganesh Nimajjanam (Hyderabad immersion)"),
        ("2025-09-06", "Ganesh Nimajjanam (Hyderabad immersion)"),
        ("2024-10-12", "Dussehra (Vijayadashami)"),
        ("2024-10-02", "Bathukamma (starting day)"),
        ("2025-09-21", "Bathukamma (starting day)"),
        ("2024-10-10", "Saddula Bathukamma"),
        ("2025-09-30", "Saddula Bathukamma"),
        ("2024-07-21", "Bonalu - Secunderabad Ujjaini Mahankali"),
        ("2024-07-28", "Bonalu - Lal Darwaza Simhavahini Mahankali"),
        ("2024-07-29", "Bonalu (general holiday)"),
        ("2025-07-13", "Bonalu - Secunderabad Ujjaini Mahankali"),
        ("2025-07-20", "Bonalu - Lal Darwaza Simhavahini Mahankali"),
        ("2025-07-21", "Bonalu (general holiday)"),
        ("2025-10-18", "Dhanteras"),
        ("2025-03-02", "Ramzan begins (first roza)"),
        ("2025-12-25", "Christmas"),
        ("2025-04-18", "Good Friday"),
        ("2025-06-02", "Telangana Formation Day"),
    ],
)
def test_spot_checks(cal: pd.DataFrame, date: str, name: str) -> None:
    assert date in _dates(cal, name), (name, _dates(cal, name))


@pytest.mark.parametrize("year", YEARS)
def test_fixed_dates_every_year(cal: pd.DataFrame, year: int) -> None:
    for mmdd, name in [
        ("01-26", "Republic Day"),
        ("08-15", "Independence Day"),
        ("10-02", "Gandhi Jayanti"),
        ("12-25", "Christmas"),
        ("06-02", "Telangana Formation Day"),
        ("12-31", "New Year's Eve"),
    ]:
        assert _on(cal, name, year) == pd.Timestamp(f"{year}-{mmdd}")
    assert cal.loc[cal["name"] == "Republic Day", "kind"].eq("national_holiday").all()


def test_agrees_with_festivals_used_csv(cal: pd.DataFrame) -> None:
    """The 2024-2025 dates the synthetic sample used are all in the calendar."""
    used = pd.read_csv(CSV.parent / "festivals_used.csv", dtype=str)
    have = set(zip(cal["date"].dt.strftime("%Y-%m-%d"), cal["name"]))
    missing = [(d, n) for d, n in zip(used["date"], used["name"]) if (d, n) not in have]
    assert missing == []


# --- coverage and plausibility per year -------------------------------------------------

CORE = [
    "Republic Day", "Independence Day", "Gandhi Jayanti", "Christmas", "Good Friday",
    "Sankranti / Pongal", "Bhogi", "Kanuma", "Maha Shivaratri", "Holi", "Ugadi",
    "Sri Rama Navami", "Eid-ul-Fitr (Ramzan)", "Eid-ul-Adha (Bakrid)", "Muharram (Ashura)",
    "Bonalu (general holiday)", "Bonalu - Secunderabad Ujjaini Mahankali",
    "Bonalu - Lal Darwaza Simhavahini Mahankali", "Raksha Bandhan", "Krishna Janmashtami",
    "Ganesh Chaturthi (Vinayaka Chavithi)", "Ganesh Nimajjanam (Hyderabad immersion)",
    "Bathukamma (starting day)", "Saddula Bathukamma", "Dussehra (Vijayadashami)",
    "Dhanteras", "Diwali (Deepavali)", "Telangana Formation Day",
]  # fmt: skip


@pytest.mark.parametrize("year", YEARS)
def test_each_core_festival_once_a_year(cal: pd.DataFrame, year: int) -> None:
    names = cal.loc[cal["date"].dt.year == year, "name"].value_counts()
    for name in CORE:
        assert names.get(name, 0) == 1, (year, name, names.get(name, 0))
    # Ramzan can start twice in a Gregorian year (2030) and Milad-un-Nabi fell twice in 2015.
    assert 1 <= names.get("Ramzan begins (first roza)", 0) <= 2
    assert 1 <= names.get("Eid Milad-un-Nabi", 0) <= 2


# (name, first allowed (month, day), last allowed (month, day))
WINDOWS = [
    ("Diwali (Deepavali)", (10, 1), (11, 30)),
    ("Dhanteras", (10, 1), (11, 30)),
    ("Holi", (2, 15), (3, 31)),
    ("Maha Shivaratri", (2, 1), (3, 31)),
    ("Ugadi", (3, 1), (4, 30)),
    ("Sri Rama Navami", (3, 15), (4, 30)),
    ("Sankranti / Pongal", (1, 13), (1, 15)),
    ("Bhogi", (1, 12), (1, 14)),
    ("Bathukamma (starting day)", (9, 1), (10, 31)),
    ("Saddula Bathukamma", (9, 1), (10, 31)),
    ("Dussehra (Vijayadashami)", (9, 15), (10, 31)),
    ("Bonalu (general holiday)", (6, 15), (8, 31)),
    ("Bonalu - Secunderabad Ujjaini Mahankali", (6, 15), (8, 31)),
    ("Bonalu - Lal Darwaza Simhavahini Mahankali", (6, 15), (8, 31)),
    ("Ganesh Chaturthi (Vinayaka Chavithi)", (8, 15), (9, 30)),
    ("Ganesh Nimajjanam (Hyderabad immersion)", (8, 25), (10, 10)),
    ("Krishna Janmashtami", (8, 1), (9, 15)),
    ("Raksha Bandhan", (7, 25), (9, 5)),
    ("Good Friday", (3, 15), (4, 30)),
]


@pytest.mark.parametrize(("name", "first", "last"), WINDOWS)
def test_dates_in_plausible_windows(
    cal: pd.DataFrame, name: str, first: tuple, last: tuple
) -> None:
    for year in YEARS:
        day = _on(cal, name, year).date()
        assert dt.date(year, *first) <= day <= dt.date(year, *last), (name, day)


@pytest.mark.parametrize("year", YEARS)
def test_festival_ordering_within_year(cal: pd.DataFrame, year: int) -> None:
    def on(name: str) -> pd.Timestamp:
        return _on(cal, name, year)

    day = pd.Timedelta(days=1)
    assert on("Bhogi") == on("Sankranti / Pongal") - day
    assert on("Kanuma") == on("Sankranti / Pongal") + day
    # Bonalu: two Sundays a week apart, then the Monday holiday.
    sec = on("Bonalu - Secunderabad Ujjaini Mahankali")
    lal = on("Bonalu - Lal Darwaza Simhavahini Mahankali")
    hol = on("Bonalu (general holiday)")
    assert sec.weekday() == 6 and lal.weekday() == 6 and hol.weekday() == 0
    assert lal - sec == 7 * day and hol - lal == day
    # Bathukamma: eight to ten days, ending two days or so before Dasara.
    span = on("Saddula Bathukamma") - on("Bathukamma (starting day)")
    assert 7 * day <= span <= 9 * day
    assert day <= on("Dussehra (Vijayadashami)") - on("Saddula Bathukamma") <= 3 * day
    # Ganesh: immersion ten or eleven days after Chaturthi; Dhanteras just before Diwali.
    assert (
        9 * day
        <= on("Ganesh Nimajjanam (Hyderabad immersion)")
        - on("Ganesh Chaturthi (Vinayaka Chavithi)")
        <= 11 * day
    )
    assert day <= on("Diwali (Deepavali)") - on("Dhanteras") <= 3 * day
    # Ramzan: the Eid comes 29 or 30 days after the first roza (estimates use 30).
    roza = cal.loc[
        (cal["name"] == "Ramzan begins (first roza)") & (cal["date"].dt.year == year), "date"
    ].min()
    assert pd.Timedelta(days=29) <= on("Eid-ul-Fitr (Ramzan)") - roza <= pd.Timedelta(days=30)


def test_uncertain_dates_say_so(cal: pd.DataFrame) -> None:
    """Estimates and rule-derived dates are labelled, never passed off as checked."""
    future_eid = cal[(cal["name"] == "Eid-ul-Fitr (Ramzan)") & (cal["date"].dt.year >= 2027)]
    assert future_eid["source"].str.contains("estimated").all()
    late = cal[
        cal["name"].isin(["Saddula Bathukamma", "Dhanteras"]) & (cal["date"].dt.year >= 2027)
    ]
    assert late["source"].str.contains("unverified").all()
    assert cal["source"].str.contains(r"holidays \d+\.\d+", regex=True).any()


# --- the committed CSV is what the generator writes ------------------------------------


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_festivals", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_csv_matches_generator() -> None:
    gen = _load_generator()
    try:
        import holidays
    except ImportError:
        pytest.skip("the PyPI 'holidays' package (needed only to regenerate the CSV) is missing")
    if holidays.__version__ != gen.HOLIDAYS_VERSION:
        pytest.skip(
            f"calendar is pinned to holidays {gen.HOLIDAYS_VERSION}, "
            f"but {holidays.__version__} is installed"
        )
    assert CSV.read_text(encoding="utf-8") == gen.render(gen.build_rows())
