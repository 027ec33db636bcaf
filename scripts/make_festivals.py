#!/usr/bin/env python3
"""Generate quickstock's India + Telangana festival calendar, 2015-2030.

Output: ``python/quickstock/datasets/data/festivals_in_tg.csv`` with the columns
``date,name,kind,region,source``, sorted by date then name, one row per (date, name).
``qs.festivals()`` reads only that file at run time; this script is for maintainers.

Where the dates come from, in order of precedence for each festival and year:

1. ``OVERRIDES``: a date checked against a named report when both the PyPI ``holidays``
   package and the Telangana list are known to be wrong for that year (e.g. Eid-ul-Fitr 2016
   moved by moon sighting after the list was published).
2. ``TG_LISTS``: the Telangana Government General Administration Department (GAD) list of
   general holidays for that year (as amended by later G.O.s where noted), transcribed
   from the press reports named in ``TG_CITATIONS``. Used for festivals whose Telangana
   date follows the Telugu panchang (Sankranti, Ugadi, Sri Rama Navami, Krishnashtami,
   Vinayaka Chavithi, Bathukamma, Dasara, Deepavali, Bonalu...).
3. The PyPI ``holidays`` package, version ``HOLIDAYS_VERSION`` exactly (India, subdivision
   ``TS`` = Telangana, categories public + optional + government), where it is right.
4. The hand tables ``BONALU``, ``SADDULA``, ``NIMAJJANAM``, ``DHANTERAS``, ``ROZA`` and the
   fixed dates in ``build_rows``: what ``holidays`` lacks (Bonalu temple Sundays, Saddula
   Bathukamma, Ganesh immersion in Hyderabad, Dhanteras, Ramzan start, Telangana Formation
   Day, New Year's Eve, the Bonalu holiday outside 2018-2027, Bhogi/Kanuma), each date with
   its source.

Every row's ``source`` says which of these gave the date, and, where the sources disagree,
what the others said. Dates that are the compiler's best knowledge or a calendar rule rather
than a checked document say so ("computed ...; unverified" or "not re-checked").

Usage (from the repository root)::

    pip install holidays==<HOLIDAYS_VERSION>
    python3 scripts/make_festivals.py            # writes the CSV
    python3 scripts/make_festivals.py --check    # exit 1 if the committed CSV differs
    python3 scripts/make_festivals.py --report   # print where holidays and TG lists disagree
    python3 scripts/make_festivals.py --verify-astronomy   # re-derive the "computed" dates
                                                           # (needs `pip install ephem`)

Requires only the standard library and ``holidays`` (``--verify-astronomy`` also needs ``ephem``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "python" / "quickstock" / "datasets" / "data" / "festivals_in_tg.csv"

HOLIDAYS_VERSION = "0.109"
FIRST_YEAR, LAST_YEAR = 2015, 2030
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
COLUMNS = ("date", "name", "kind", "region", "source")
HOL = f"holidays {HOLIDAYS_VERSION}"

# ---------------------------------------------------------------------------------------
# Festivals taken from the holidays package.
#   key -> (name written to the CSV, kind, region, holidays names (en_US), date policy)
# policy "tg": the Telangana list wins when it differs (Telugu-panchang festivals);
# policy "in": the all-India date from holidays wins and the Telangana list is only noted
#              (Holi: Telangana's list sometimes names Phalguna Purnima, the Holika Dahan
#              day, while the colours are played on the all-India date).
# ---------------------------------------------------------------------------------------
FROM_HOLIDAYS: dict[str, tuple[str, str, str, tuple[str, ...], str]] = {
    "new_year": ("New Year's Day", "observance", "IN", ("New Year's Day",), "tg"),
    "republic": ("Republic Day", "national_holiday", "IN", ("Republic Day",), "tg"),
    "shivaratri": ("Maha Shivaratri", "festival", "IN", ("Maha Shivaratri",), "tg"),
    "holi": ("Holi", "festival", "IN", ("Holi",), "in"),
    "ugadi": ("Ugadi", "festival", "IN-TG", ("Ugadi",), "tg"),
    "eid_fitr": ("Eid-ul-Fitr (Ramzan)", "festival", "IN", ("Eid al-Fitr",), "tg"),
    "good_friday": ("Good Friday", "festival", "IN", ("Good Friday",), "tg"),
    "jagjivan": (
        "Babu Jagjivan Ram Jayanti",
        "state_holiday",
        "IN-TG",
        ("Babu Jagjivan Ram's Birthday",),
        "tg",
    ),
    "ambedkar": (
        "Dr. B. R. Ambedkar Jayanti",
        "state_holiday",
        "IN-TG",
        ("Dr. B. R. Ambedkar's Birthday",),
        "tg",
    ),
    "rama_navami": ("Sri Rama Navami", "festival", "IN", ("Ram Navami",), "tg"),
    "mahavir": ("Mahavir Jayanti", "festival", "IN", ("Mahavira's Birthday",), "tg"),
    "buddha": ("Buddha Purnima", "festival", "IN", ("Buddha Purnima",), "tg"),
    "eid_adha": ("Eid-ul-Adha (Bakrid)", "festival", "IN", ("Eid al-Adha",), "tg"),
    "muharram": ("Muharram (Ashura)", "festival", "IN", ("Ashura",), "tg"),
    "independence": ("Independence Day", "national_holiday", "IN", ("Independence Day",), "tg"),
    "rakhi": ("Raksha Bandhan", "observance", "IN", ("Raksha Bandhan",), "tg"),
    "janmashtami": ("Krishna Janmashtami", "festival", "IN", ("Janmashtami (Vaishnava)",), "tg"),
    "ganesh": (
        "Ganesh Chaturthi (Vinayaka Chavithi)",
        "festival",
        "IN",
        ("Ganesh Chaturthi",),
        "tg",
    ),
    "milad": ("Eid Milad-un-Nabi", "festival", "IN", ("Prophet's Birthday",), "tg"),
    "gandhi": ("Gandhi Jayanti", "national_holiday", "IN", ("Mahatma Gandhi's Birthday",), "tg"),
    "bathukamma": ("Bathukamma (starting day)", "festival", "IN-TG", ("Bathukamma",), "tg"),
    "dussehra": ("Dussehra (Vijayadashami)", "festival", "IN", ("Dussehra",), "tg"),
    "diwali": ("Diwali (Deepavali)", "festival", "IN", ("Diwali",), "tg"),
    "guru_nanak": (
        "Guru Nanak Jayanti (Kartika Purnima)",
        "festival",
        "IN",
        ("Guru Nanak's Birthday",),
        "tg",
    ),
    "christmas": ("Christmas", "festival", "IN", ("Christmas",), "tg"),
    "boxing": ("Boxing Day", "state_holiday", "IN-TG", ("Boxing Day",), "tg"),
    "bonalu": ("Bonalu (general holiday)", "festival", "IN-TG", ("Bonalu",), "tg"),
    "sankranti": ("Sankranti / Pongal", "festival", "IN-TG", ("Pongal",), "tg"),
}

# Keys whose holidays dates are missing in some years; the BONALU table fills those years.
PARTIAL_IN_HOLIDAYS = {"bonalu"}

# ---------------------------------------------------------------------------------------
# Telangana GAD general-holiday lists, transcribed from the press reports cited below.
# Only festivals this calendar carries are transcribed. "MM-DD" per key.
# ---------------------------------------------------------------------------------------
TG_CITATIONS = {
    2015: "TG GAD G.O.Rt.No.995 of 2014-11-05 (general holidays 2015; reported by Siasat 2014-11-06)",
    2016: "TG GAD G.O.Rt.No.3192 of 2015-12-05 (general holidays 2016; reported by Sakshi)",
    2017: "TG GAD general holidays 2017 (notified 2016-11-22; reported by Sakshi)",
    2018: "TG GAD general holidays 2018 (reported by ap7am and Zee News Telugu)",
    2020: "TG GAD general holidays 2020 (as listed by Republic World)",
    2021: "TG GAD general holidays 2021 (as listed by India Today 2021-02-18)",
    2022: "TG GAD general holidays 2022 (G.O. of 2021-11-26; reported by mytelangana.com and TV9 Telugu)",
    2023: "TG GAD general holidays 2023 (reported by Siasat and Sakshi 2022-11)",
    2024: "TG GAD general holidays 2024 (notified Dec 2023; reported by alltimereport.com and comply360.in)",
    2025: "TG GAD general holidays 2025 (reported by Sakshi Post 2024-12)",
    2026: "TG GAD general holidays 2026 (issued 2025-12; reported by Siasat 2025-12-10 and ETV Bharat)",
}

TG_LISTS: dict[int, dict[str, str]] = {
    2015: {
        "sankranti": "01-15",
        "shivaratri": "02-17",
        "holi": "03-05",
        "ugadi": "03-21",
        "rama_navami": "03-28",
        "good_friday": "04-03",
        "eid_fitr": "07-18",
        "bonalu": "08-10",
        "ganesh": "09-17",
        "eid_adha": "09-24",
        "bathukamma": "10-12",
    },
    2016: {
        "sankranti": "01-15",
        "shivaratri": "03-07",
        "holi": "03-23",
        "good_friday": "03-25",
        "ugadi": "04-08",
        "rama_navami": "04-15",
        "eid_fitr": "07-06",
        "bonalu": "08-01",
        "janmashtami": "08-25",
        "ganesh": "09-05",
        "eid_adha": "09-12",
        "bathukamma": "09-30",
        "dussehra": "10-11",
    },
    2017: {
        "shivaratri": "02-24",
        "ugadi": "03-29",
        "rama_navami": "04-05",
        "good_friday": "04-14",
        "eid_fitr": "06-26",
        "bonalu": "07-10",
        "janmashtami": "08-14",
        "ganesh": "08-25",
        "eid_adha": "09-02",
        "bathukamma": "09-20",
        "diwali": "10-18",
    },
    2018: {
        "sankranti": "01-15",
        "shivaratri": "02-13",
        "holi": "03-01",
        "rama_navami": "03-26",
        "good_friday": "03-30",
        "eid_fitr": "06-16",
        "bonalu": "08-06",
        "eid_adha": "08-22",
        "janmashtami": "09-03",
        "ganesh": "09-13",
        "muharram": "09-21",
        "dussehra": "10-18",
        "diwali": "11-07",
    },
    2020: {
        "sankranti": "01-15",
        "shivaratri": "02-21",
        "holi": "03-09",
        "ugadi": "03-25",
        "rama_navami": "04-02",
        "good_friday": "04-10",
        "eid_fitr": "05-25",
        "bonalu": "07-20",
        "eid_adha": "08-01",
        "janmashtami": "08-11",
        "ganesh": "08-22",
        "bathukamma": "10-17",
        "milad": "10-30",
        "guru_nanak": "11-30",
    },
    2021: {
        "sankranti": "01-14",
        "shivaratri": "03-11",
        "holi": "03-29",
        "good_friday": "04-02",
        "ugadi": "04-13",
        "rama_navami": "04-21",
        "eid_fitr": "05-14",
        "eid_adha": "07-21",
        "bonalu": "08-02",
        "muharram": "08-19",
        "janmashtami": "08-31",
        "ganesh": "09-10",
        "bathukamma": "10-06",
        "dussehra": "10-15",
        "milad": "10-19",
        "diwali": "11-04",
        "guru_nanak": "11-19",
    },
    2022: {
        "sankranti": "01-15",
        "shivaratri": "03-01",
        "holi": "03-18",
        "ugadi": "04-02",
        "rama_navami": "04-10",
        "good_friday": "04-15",
        "eid_fitr": "05-03",
        "eid_adha": "07-10",
        "muharram": "08-08",
        "janmashtami": "08-20",
        "ganesh": "08-31",
        "bathukamma": "09-25",
        "dussehra": "10-05",
        "milad": "10-09",
        "diwali": "10-25",
    },
    2023: {
        "sankranti": "01-15",
        "shivaratri": "02-18",
        "holi": "03-07",
        "ugadi": "03-22",
        "rama_navami": "03-30",
        "good_friday": "04-07",
        "eid_fitr": "04-22",
        "eid_adha": "06-29",
        "bonalu": "07-17",
        "muharram": "07-29",
        "janmashtami": "09-07",
        "ganesh": "09-18",
        "milad": "09-28",
        "bathukamma": "10-14",
        "dussehra": "10-24",
        "diwali": "11-12",
        "guru_nanak": "11-27",
    },
    2024: {
        "sankranti": "01-15",
        "shivaratri": "03-08",
        "holi": "03-25",
        "good_friday": "03-29",
        "ugadi": "04-09",
        "eid_fitr": "04-11",
        "rama_navami": "04-17",
        "eid_adha": "06-17",
        "muharram": "07-17",
        "bonalu": "07-29",
        "janmashtami": "08-26",
        "ganesh": "09-07",
        "milad": "09-16",
        "bathukamma": "10-02",
        "dussehra": "10-12",
        "diwali": "10-31",
        "guru_nanak": "11-15",
    },
    2025: {
        "sankranti": "01-14",
        "shivaratri": "02-26",
        "holi": "03-14",
        "ugadi": "03-30",
        "eid_fitr": "03-31",
        "rama_navami": "04-06",
        "good_friday": "04-18",
        "eid_adha": "06-07",
        "muharram": "07-06",
        "bonalu": "07-21",
        "janmashtami": "08-16",
        "ganesh": "08-27",
        "milad": "09-05",
        "bathukamma": "09-21",
        "dussehra": "10-02",
        "diwali": "10-20",
        "guru_nanak": "11-05",
    },
    2026: {
        "sankranti": "01-15",
        "shivaratri": "02-15",
        "holi": "03-03",
        "ugadi": "03-19",
        "eid_fitr": "03-21",
        "rama_navami": "03-27",
        "good_friday": "04-03",
        "eid_adha": "05-27",
        "muharram": "06-26",
        "bonalu": "08-10",
        "milad": "08-26",
        "janmashtami": "09-04",
        "ganesh": "09-14",
        "dussehra": "10-20",
        "diwali": "11-08",
        "guru_nanak": "11-24",
    },
}

# ---------------------------------------------------------------------------------------
# Checked corrections that beat both holidays and the TG list: (key, year) -> (MM-DD, source)
# ---------------------------------------------------------------------------------------
OVERRIDES: dict[tuple[str, int], tuple[str, str]] = {
    ("holi", 2015): (
        "03-06",
        "TG GAD G.O.Rt.No.694 of 2015-03-03 moved the Holi holiday from 03-05 to 03-06",
    ),
    ("eid_fitr", 2016): (
        "07-07",
        "moon not sighted on 2016-07-05: Hyderabad Ruet-e-Hilal Committee set Eid for 07-07 "
        "and TG moved its holidays to 07-07/07-08 (twocircles.net 2016-07-05); "
        "TG list and holidays 0.109 had 07-06",
    ),
    ("eid_adha", 2015): (
        "09-25",
        "holidays 0.109 (observed in India); TG GAD list 2015 had 09-24 subject to moon sighting",
    ),
    ("muharram", 2022): (
        "08-09",
        "holidays 0.109 (observed in India); TG GAD list 2022 had 08-08 subject to moon sighting",
    ),
    ("diwali", 2017): (
        "10-19",
        "TG moved the Deepavali holiday from 10-18 to 10-19 (Amavasya) in Oct 2017 (Oneindia Telugu 2017-10-14)",
    ),
    ("diwali", 2022): (
        "10-24",
        "TG G.O. of 2022-10-20 moved the Deepavali holiday from 10-25 to 10-24 (Telangana Today, Siasat)",
    ),
    ("bathukamma", 2018): (
        "10-09",
        "TG government dates for Bathukamma 2018: 10-09 to 10-17 (press, e.g. telugubullet.com); "
        "holidays 0.109 has 10-08",
    ),
    ("bathukamma", 2020): (
        "10-16",
        "start fixed on 10-16 by the Telangana Vidvat Sabha priests because of Adhika Ashvija "
        "(Hans India 2020-09-14); holidays 0.109 agrees; TG GAD list 2020 had 10-17",
    ),
    ("sankranti", 2030): (
        "01-15",
        "computed, unverified: Makara sankramana on 2030-01-14 at about 15:27 IST; Telangana "
        "moves Sankranti to the next day when the transit is after midday (as in the TG lists "
        "for 2018, 2022 and 2026); holidays 0.109 has 01-14",
    ),
}

# ---------------------------------------------------------------------------------------
# Festivals holidays lacks: explicit dates with their sources.
# ---------------------------------------------------------------------------------------
PRESS = "press reports"
UNVERIFIED = "unverified"

BONALU_RULE = (
    "rule: Lal Darwaza Sunday = last Sunday before the Ashadha Amavasya, Secunderabad = the "
    "Sunday before it, holiday = the Monday after Lal Darwaza (fits every year 2015-2026 "
    "with a known holiday)"
)
# year -> (Secunderabad Ujjaini Mahankali Sunday, Lal Darwaza Sunday, Bonalu holiday Monday, note)
BONALU = {
    2015: (
        "08-02",
        "08-09",
        "08-10",
        "Sundays per press (ap7am: Secunderabad 08-02/03, Old City 08-09/10); holiday per TG GAD list 2015",
    ),
    2016: (
        "07-24",
        "07-31",
        "08-01",
        "holiday per TG GAD list 2016; Sundays derived by " + BONALU_RULE + "; " + UNVERIFIED,
    ),
    2017: (
        "07-09",
        "07-16",
        "07-17",
        "Secunderabad 07-09/10 per press (SMTV 2017-07-06); holiday per TG order of July 2017; Lal Darwaza derived, "
        + UNVERIFIED,
    ),
    2018: (
        "07-29",
        "08-05",
        "08-06",
        "holiday per TG GAD list 2018; Sundays derived by " + BONALU_RULE + "; " + UNVERIFIED,
    ),
    2019: (
        "07-21",
        "07-28",
        "07-29",
        "holiday per holidays 0.109; Sundays derived by " + BONALU_RULE + "; " + UNVERIFIED,
    ),
    2020: (
        "07-12",
        "07-19",
        "07-20",
        "holiday per TG GAD list 2020 (temple-only celebrations under COVID-19); Sundays derived, "
        + UNVERIFIED,
    ),
    2021: (
        "07-25",
        "08-01",
        "08-02",
        "holiday per TG GAD list 2021; Sundays derived by " + BONALU_RULE + "; " + UNVERIFIED,
    ),
    2022: (
        "07-17",
        "07-24",
        "07-25",
        "holiday per holidays 0.109; Sundays derived by " + BONALU_RULE + "; " + UNVERIFIED,
    ),
    2023: (
        "07-09",
        "07-16",
        "07-17",
        "holiday per TG GAD list 2023; Sundays derived by " + BONALU_RULE + "; " + UNVERIFIED,
    ),
    2024: (
        "07-21",
        "07-28",
        "07-29",
        "Bonalu schedule 2024 (Endowments Dept./temple committees) as reported in the Hyderabad press; holiday per TG GAD list 2024",
    ),
    2025: (
        "07-13",
        "07-20",
        "07-21",
        "Bonalu schedule 2025 (Endowments Dept./temple committees) as reported in the Hyderabad press; holiday per TG GAD list 2025",
    ),
    2026: (
        "08-02",
        "08-09",
        "08-10",
        "holiday per TG GAD list 2026; Sundays derived by " + BONALU_RULE + "; " + UNVERIFIED,
    ),
    2027: (
        "07-25",
        "08-01",
        "08-02",
        "holiday per holidays 0.109; Sundays derived by " + BONALU_RULE + "; " + UNVERIFIED,
    ),
    2028: (
        "07-09",
        "07-16",
        "07-17",
        "computed by " + BONALU_RULE + " (Ashadha Amavasya 2028-07-22); " + UNVERIFIED,
    ),
    2029: (
        "07-29",
        "08-05",
        "08-06",
        "computed by " + BONALU_RULE + " (Ashadha Amavasya 2029-08-10); " + UNVERIFIED,
    ),
    2030: (
        "07-21",
        "07-28",
        "07-29",
        "computed by " + BONALU_RULE + " (Ashadha Amavasya 2030-07-30); " + UNVERIFIED,
    ),
}

# Saddula Bathukamma (Durgashtami, last day of Bathukamma): year -> (MM-DD, source)
SADDULA_RULE = (
    "computed: Durgashtami (Ashvija Shukla Ashtami current at Hyderabad sunrise or sunset, from "
    "Sun/Moon longitudes); Telangana has chosen both the sunrise and the evening Ashtami in past "
    "years, so " + UNVERIFIED
)
SADDULA = {
    2015: (
        "10-21",
        "TG GAD/Bathukamma action plan: grand finale (Saddula Bathukamma) in Hyderabad on 2015-10-21 (teachersbadi.in)",
    ),
    2016: ("10-09", SADDULA_RULE + " (hindupad.com gives 10-08)"),
    2017: ("09-28", SADDULA_RULE),
    2018: (
        "10-17",
        "TG GAD list 2018 (Durgashtami/Bathukamma general holiday) and government dates 10-09 to 10-17",
    ),
    2019: (
        "10-06",
        "New Indian Express 2019-10-07: Saddula Bathukamma at Tank Bund on Sunday 10-06",
    ),
    2020: ("10-24", "TG GAD list 2020 (Durgashtami general holiday)"),
    2021: (
        "10-13",
        "TG GAD list 2021 (Durgashtami optional holiday 10-13); not checked against a report of the day",
    ),
    2022: ("10-03", "Telangana Today 2022-10-03 (celebrated on Monday 10-03)"),
    2023: ("10-22", "Telangana Today 2023-10-22 (celebrated on Sunday 10-22)"),
    2024: ("10-10", "Hans India / Vijayakranthi 2024-10: state celebrations at Tank Bund on 10-10"),
    2025: ("09-30", "Deccan Chronicle 2025-09-28: state memo fixed Saddula Bathukamma on 09-30"),
    2026: ("10-18", "TG GAD general holidays 2026 (Saddula Bathukamma, Siasat 2025-12-10)"),
    2027: ("10-07", SADDULA_RULE),
    2028: ("09-26", SADDULA_RULE),
    2029: ("10-14", SADDULA_RULE),
    2030: ("10-04", SADDULA_RULE),
}

# Ganesh immersion in Hyderabad (Anant Chaturdashi, the big Hussain Sagar day).
NIMAJJANAM_RULE = (
    "computed: first day after Vinayaka Chavithi with Shukla Chaturdashi at Hyderabad sunrise "
    "(Anant Chaturdashi); " + UNVERIFIED
)
NIMAJJANAM = {
    2015: ("09-27", NIMAJJANAM_RULE + "; agrees with holidays 0.109 Anant Chaturdashi"),
    2016: ("09-15", NIMAJJANAM_RULE + "; agrees with holidays 0.109 Anant Chaturdashi"),
    2017: ("09-05", NIMAJJANAM_RULE + "; agrees with holidays 0.109 Anant Chaturdashi"),
    2018: ("09-23", NIMAJJANAM_RULE + "; holidays 0.109 Anant Chaturdashi is 09-24"),
    2019: ("09-12", NIMAJJANAM_RULE + "; holidays 0.109 Anant Chaturdashi is 09-13"),
    2020: ("09-01", NIMAJJANAM_RULE + " (scaled down under COVID-19)"),
    2021: ("09-19", "Hans India 2021-09-19: Khairatabad idol immersed in Hussain Sagar on 09-19"),
    2022: ("09-09", NIMAJJANAM_RULE + "; agrees with holidays 0.109 Anant Chaturdashi"),
    2023: (
        "09-28",
        "News on AIR / Hans India 2023-09-28: Ganesh immersion procession in Hyderabad on 09-28",
    ),
    2024: (
        "09-17",
        "Telugu360 2024-09-17 and TG holiday for Hyderabad-area districts on 09-17 (Siasat Urdu)",
    ),
    2025: ("09-06", "press reports 2025-09-06: Khairatabad idol immersed on Saturday 09-06"),
    2026: ("09-25", NIMAJJANAM_RULE + "; agrees with holidays 0.109 Anant Chaturdashi"),
    2027: ("09-14", NIMAJJANAM_RULE + "; agrees with holidays 0.109 Anant Chaturdashi"),
    2028: ("09-02", NIMAJJANAM_RULE + "; agrees with holidays 0.109 Anant Chaturdashi"),
    2029: ("09-21", NIMAJJANAM_RULE + "; agrees with holidays 0.109 Anant Chaturdashi"),
    2030: ("09-10", NIMAJJANAM_RULE + "; holidays 0.109 Anant Chaturdashi is 09-11"),
}

DHANTERAS_KNOWN = (
    "Hindu panchang date as widely published (Ashvija Krishna Trayodashi in the evening); "
    "compiler's record, not re-checked against a printed panchang; agrees with the computation"
)
DHANTERAS_RULE = (
    "computed: last day on which Krishna Trayodashi covers the evening (pradosh) before "
    "Diwali, from Sun/Moon longitudes at Hyderabad; " + UNVERIFIED
)
DHANTERAS = {
    2015: ("11-09", DHANTERAS_KNOWN),
    2016: ("10-28", DHANTERAS_KNOWN),
    2017: ("10-17", DHANTERAS_KNOWN),
    2018: ("11-05", DHANTERAS_KNOWN),
    2019: ("10-25", DHANTERAS_KNOWN),
    2020: ("11-13", DHANTERAS_KNOWN),
    2021: ("11-02", DHANTERAS_KNOWN),
    2022: ("10-23", DHANTERAS_KNOWN),
    2023: ("11-10", DHANTERAS_KNOWN),
    2024: ("10-29", "Hindu panchang (Dhanteras), widely published; as in festivals_used.csv"),
    2025: ("10-18", "Hindu panchang (Dhanteras), widely published; as in festivals_used.csv"),
    2026: ("11-06", DHANTERAS_RULE),
    2027: ("10-27", DHANTERAS_RULE),
    2028: ("10-15", DHANTERAS_RULE),
    2029: (
        "11-04",
        DHANTERAS_RULE + "; Trayodashi misses both evenings this year, so the day it is "
        "current at sunrise is used",
    ),
    2030: ("10-24", DHANTERAS_RULE),
}

ROZA_KNOWN = (
    "first roza in India/Hyderabad after moon sighting; compiler's record, not re-checked against "
    "an announcement; consistent with the Eid-ul-Fitr date (29 or 30 fasts)"
)
ROZA_EST = (
    "estimated: Eid-ul-Fitr (holidays 0.109) minus 30 days; the real date depends on moon sighting "
    "in Hyderabad and may be a day later"
)
ROZA = [
    ("2015-06-19", ROZA_KNOWN),
    ("2016-06-07", ROZA_KNOWN),
    ("2017-05-28", ROZA_KNOWN),
    ("2018-05-17", ROZA_KNOWN),
    ("2019-05-07", ROZA_KNOWN),
    ("2020-04-25", ROZA_KNOWN),
    ("2021-04-14", ROZA_KNOWN),
    ("2022-04-03", ROZA_KNOWN),
    ("2023-03-24", ROZA_KNOWN),
    (
        "2024-03-12",
        "Central Ruet-e-Hilal Committee Hyderabad moon sighting (first roza), press reports",
    ),
    (
        "2025-03-02",
        "Central Ruet-e-Hilal Committee Hyderabad moon sighting (first roza), press reports",
    ),
    ("2026-02-19", ROZA_EST),
    ("2027-02-08", ROZA_EST),
    ("2028-01-28", ROZA_EST),
    ("2029-01-16", ROZA_EST),
    ("2030-01-06", ROZA_EST),
    (
        "2030-12-26",
        "estimated: Eid-ul-Fitr 2031 (holidays 0.109, 2031-01-25) minus 30 days; depends on moon sighting",
    ),
]

# Names of the hand-table festivals.
N_SEC = "Bonalu - Secunderabad Ujjaini Mahankali"
N_LAL = "Bonalu - Lal Darwaza Simhavahini Mahankali"
N_SADDULA = "Saddula Bathukamma"
N_NIMAJJANAM = "Ganesh Nimajjanam (Hyderabad immersion)"
N_DHANTERAS = "Dhanteras"
N_ROZA = "Ramzan begins (first roza)"
N_FORMATION = "Telangana Formation Day"
N_NYE = "New Year's Eve"
N_BHOGI = "Bhogi"
N_KANUMA = "Kanuma"


def _date(year: int, mmdd: str) -> dt.date:
    month, day = mmdd.split("-")
    return dt.date(year, int(month), int(day))


def holidays_dates() -> dict[str, dict[int, list[tuple[dt.date, bool]]]]:
    """Dates from the holidays package: key -> year -> [(date, estimated)]."""
    import holidays  # only the generator needs it

    if holidays.__version__ != HOLIDAYS_VERSION:
        raise SystemExit(
            f"holidays {holidays.__version__} is installed but the calendar is pinned to {HOLIDAYS_VERSION}: "
            f"run `pip install holidays=={HOLIDAYS_VERSION}` (or update HOLIDAYS_VERSION, regenerate and review the diff)"
        )
    by_name: dict[str, set[tuple[dt.date, bool]]] = {}
    for category in ("public", "optional", "government"):
        cal = holidays.country_holidays(
            "IN", subdiv="TS", years=YEARS, categories=(category,), language="en_US"
        )
        for day, names in cal.items():
            for name in names.split("; "):
                estimated = name.endswith(" (estimated)")
                base = name[: -len(" (estimated)")] if estimated else name
                by_name.setdefault(base, set()).add((day, estimated))
    out: dict[str, dict[int, list[tuple[dt.date, bool]]]] = {}
    for key, (_, _, _, names, _) in FROM_HOLIDAYS.items():
        per_year: dict[int, list[tuple[dt.date, bool]]] = {}
        for name in names:
            for day, estimated in by_name.get(name, ()):
                per_year.setdefault(day.year, []).append((day, estimated))
        for year in per_year:
            per_year[year] = sorted(set(per_year[year]))
        out[key] = per_year
    return out


def _holidays_source(estimated: bool) -> str:
    return f"{HOL} (India, Telangana subdivision)" + (
        ", estimated: subject to moon sighting" if estimated else ""
    )


def build_rows() -> list[tuple[str, str, str, str, str]]:
    """All rows of the calendar, sorted by (date, name)."""
    hol = holidays_dates()
    rows: list[tuple[dt.date, str, str, str, str]] = []

    for key, (name, kind, region, _, policy) in FROM_HOLIDAYS.items():
        for year in YEARS:
            found = hol[key].get(year, [])
            if not found:
                if key in PARTIAL_IN_HOLIDAYS:
                    continue  # filled from the BONALU table below
                raise SystemExit(f"holidays {HOLIDAYS_VERSION} has no {name!r} in {year}")
            tg = TG_LISTS.get(year, {}).get(key)
            if (key, year) in OVERRIDES:
                mmdd, source = OVERRIDES[(key, year)]
                rows.append((_date(year, mmdd), name, kind, region, source))
                continue
            if len(found) > 1:  # e.g. Milad-un-Nabi twice in 2015: keep both, from holidays
                for day, estimated in found:
                    rows.append((day, name, kind, region, _holidays_source(estimated)))
                continue
            day, estimated = found[0]
            source = _holidays_source(estimated)
            if tg is not None:
                tg_day = _date(year, tg)
                if tg_day == day:
                    source += f"; agrees with {TG_CITATIONS[year]}"
                elif policy == "tg":
                    source = f"{TG_CITATIONS[year]}; {HOL} has {day.isoformat()}"
                    day = tg_day
                else:
                    source += (
                        f"; all-India date kept: {TG_CITATIONS[year]} gives {tg_day.isoformat()} "
                        "(Phalguna Purnima)"
                    )
            rows.append((day, name, kind, region, source))

    # Bhogi and Kanuma follow the (Telangana) Sankranti date.
    sankranti = {d.year: (d, s) for d, n, _, _, s in rows if n == FROM_HOLIDAYS["sankranti"][0]}
    for year in YEARS:
        day, _ = sankranti[year]
        bhogi_source = "day before Sankranti (Telugu practice)"
        if "sankranti" in TG_LISTS.get(year, {}):
            bhogi_source += f"; agrees with {TG_CITATIONS[year]}"
        rows.append((day - dt.timedelta(days=1), N_BHOGI, "festival", "IN-TG", bhogi_source))
        rows.append(
            (
                day + dt.timedelta(days=1),
                N_KANUMA,
                "observance",
                "IN-TG",
                "day after Sankranti (Telugu practice; a TG optional holiday)",
            )
        )

    for year, (sec, lal, holiday, note) in BONALU.items():
        rows.append((_date(year, sec), N_SEC, "observance", "IN-TG", note))
        rows.append((_date(year, lal), N_LAL, "observance", "IN-TG", note))
        if not hol["bonalu"].get(year):
            rows.append(
                (_date(year, holiday), FROM_HOLIDAYS["bonalu"][0], "festival", "IN-TG", note)
            )
    for year, (mmdd, source) in SADDULA.items():
        rows.append((_date(year, mmdd), N_SADDULA, "festival", "IN-TG", source))
    for year, (mmdd, source) in NIMAJJANAM.items():
        rows.append((_date(year, mmdd), N_NIMAJJANAM, "observance", "IN-TG", source))
    for year, (mmdd, source) in DHANTERAS.items():
        rows.append((_date(year, mmdd), N_DHANTERAS, "observance", "IN", source))
    for iso, source in ROZA:
        rows.append((dt.date.fromisoformat(iso), N_ROZA, "observance", "IN", source))
    for year in YEARS:
        rows.append(
            (
                dt.date(year, 6, 2),
                N_FORMATION,
                "state_holiday",
                "IN-TG",
                "fixed date: Telangana formed on 2014-06-02; a public holiday in Telangana (e.g. Sakshi Post 2025-06-01)",
            )
        )
        rows.append((dt.date(year, 12, 31), N_NYE, "observance", "IN", "fixed date"))

    _check(rows)
    rows.sort(key=lambda r: (r[0], r[1]))
    return [(d.isoformat(), n, k, r, s) for d, n, k, r, s in rows]


def _check(rows: list[tuple[dt.date, str, str, str, str]]) -> None:
    """Refuse to write a calendar that breaks the file's contract."""
    kinds = {"national_holiday", "state_holiday", "festival", "observance"}
    seen: set[tuple[dt.date, str]] = set()
    for day, name, kind, region, source in rows:
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(f"{name} on {day} is outside {FIRST_YEAR}-{LAST_YEAR}")
        if kind not in kinds or region not in {"IN", "IN-TG"} or not source:
            raise ValueError(f"{name} on {day}: bad kind/region/source {kind!r} {region!r}")
        if (day, name) in seen:
            raise ValueError(f"duplicate row {name} on {day}")
        seen.add((day, name))
    week, one = dt.timedelta(days=7), dt.timedelta(days=1)
    for year, (sec, lal, holiday, _) in BONALU.items():
        s_day, l_day, h_day = _date(year, sec), _date(year, lal), _date(year, holiday)
        if (s_day.weekday(), l_day.weekday(), h_day.weekday()) != (6, 6, 0) or (
            l_day - s_day != week or h_day - l_day != one
        ):
            raise ValueError(f"Bonalu {year}: expected Sunday, Sunday + 7, Monday after")


def render(rows: list[tuple[str, str, str, str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buf.getvalue()


def report() -> None:
    """Print where holidays and the Telangana lists disagree (for maintainers)."""
    hol = holidays_dates()
    for year in sorted(TG_LISTS):
        for key, mmdd in sorted(TG_LISTS[year].items()):
            dates = [d for d, _ in hol[key].get(year, [])]
            tg = _date(year, mmdd)
            if tg not in dates:
                print(f"{year} {key:12s} TG {tg}  holidays {[d.isoformat() for d in dates]}")


# ---------------------------------------------------------------------------------------
# --verify-astronomy: re-derive the "computed" dates from Sun/Moon positions (needs PyEphem).
# Tithi = floor(((moon - sun) ecliptic longitude mod 360) / 12) + 1 (1-15 Shukla, 16-30 Krishna).
# Positions are geocentric apparent, of date; the sidereal (Lahiri) Sun is approximated
# (ayanamsa 23.857 deg at J2000 + 50.28"/year), good to a few minutes of time.
# ---------------------------------------------------------------------------------------
IST = dt.timedelta(hours=5, minutes=30)


def verify_astronomy() -> int:
    """Recompute the rule-based hand-table dates and print where they disagree."""
    import math

    import ephem  # type: ignore[import-not-found]

    site = ephem.Observer()
    site.lat, site.lon, site.elevation, site.pressure = "17.385", "78.4867", 540, 0
    site.horizon = "-0:34"

    def lon(body: object, when: float) -> float:
        body.compute(when, epoch=when)  # type: ignore[attr-defined]
        eq = ephem.Equatorial(body.ra, body.dec, epoch=when)  # type: ignore[attr-defined]
        return math.degrees(ephem.Ecliptic(eq, epoch=when).lon)

    def tithi(when: float) -> int:
        return int(((lon(ephem.Moon(), when) - lon(ephem.Sun(), when)) % 360) // 12) + 1

    def local_midnight(day: dt.date) -> float:
        return ephem.Date(dt.datetime(day.year, day.month, day.day) - IST)

    def sunrise(day: dt.date) -> float:
        o = site.copy()
        o.date = local_midnight(day)
        return o.next_rising(ephem.Sun())

    def sunset(day: dt.date) -> float:
        o = site.copy()
        o.date = local_midnight(day)
        return o.next_setting(ephem.Sun())

    def sidereal_sun(when: float) -> float:
        years = (when - ephem.Date("2000/1/1 12:00")) / 365.25
        return (lon(ephem.Sun(), when) - 23.857 - 50.28 * years / 3600.0) % 360

    def ist_day(when: float) -> dt.date:
        return (ephem.Date(when).datetime() + IST).date()

    problems = 0

    def expect(what: str, got: dt.date, want: dt.date) -> None:
        nonlocal problems
        flag = "ok " if got == want else "DIFF"
        problems += got != want
        print(f"{flag} {what:45s} table {want}  computed {got}")

    one = dt.timedelta(days=1)
    for year in YEARS:
        # Ashadha Amavasya: the new moon that ends the lunar month begun with the Sun in
        # sidereal Mithuna (Gemini); Lal Darwaza = last Sunday strictly before that day.
        nm = ephem.next_new_moon(ephem.Date(f"{year}/6/1"))
        while (
            int(sidereal_sun(nm) // 30) != 2
            or int(sidereal_sun(ephem.next_new_moon(nm + 1)) // 30) == 2
        ):
            nm = ephem.next_new_moon(nm + 1)
        end = ephem.next_new_moon(nm + 1)
        ama = ist_day(end)
        if tithi(sunrise(ama)) != 30 and tithi(sunrise(ama - one)) == 30:
            ama -= one
        lal = ama - one
        while lal.weekday() != 6:
            lal -= one
        expect(f"{year} Bonalu Lal Darwaza (Amavasya {ama})", lal, _date(year, BONALU[year][1]))
        # Immersion: first day of that fortnight with Shukla Chaturdashi (14) at sunrise.
        day = _date(year, NIMAJJANAM[year][0]) - 5 * one
        while tithi(sunrise(day)) != 14:
            day += one
        expect(f"{year} Ganesh Nimajjanam", day, _date(year, NIMAJJANAM[year][0]))
        # Dhanteras: last day, before Diwali, on which Krishna Trayodashi (28) touches the
        # evening (sunset .. +2h24m); if none, the day it is current at sunrise.
        diwali = _date(year, DHANTERAS[year][0]) + 2 * one
        cands = [diwali - k * one for k in range(1, 5)]
        evening = [
            d for d in cands if 28 in {tithi(sunset(d) + h / 24) for h in (0, 0.6, 1.2, 1.8, 2.4)}
        ]
        dhanteras = max(evening) if evening else next(d for d in cands if tithi(sunrise(d)) == 28)
        expect(f"{year} Dhanteras", dhanteras, _date(year, DHANTERAS[year][0]))
        # Saddula Bathukamma: the table's day must have Shukla Ashtami (8) at sunrise or sunset.
        saddula = _date(year, SADDULA[year][0])
        ok = 8 in (tithi(sunrise(saddula)), tithi(sunset(saddula)))
        problems += not ok
        print(
            f"{'ok ' if ok else 'DIFF'} {year} Saddula Bathukamma {saddula}: Ashtami at sunrise or sunset"
        )
        # Sankranti: Makara sankramana (sidereal Sun at 270 deg); next day if after midday.
        lo, hi = ephem.Date(f"{year}/1/10"), ephem.Date(f"{year}/1/18")
        for _ in range(50):
            mid = ephem.Date((lo + hi) / 2)
            lo, hi = (mid, hi) if 180 < sidereal_sun(mid) < 270 else (lo, mid)
        transit = ephem.Date(lo).datetime() + IST
        print(f"info {year} Makara sankramana {transit:%Y-%m-%d %H:%M} IST")
    print(f"{problems} disagreement(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="CSV to write (default: %(default)s)")
    parser.add_argument(
        "--check", action="store_true", help="compare with --out instead of writing it"
    )
    parser.add_argument("--report", action="store_true", help="list holidays/TG-list disagreements")
    parser.add_argument(
        "--verify-astronomy",
        action="store_true",
        help="recompute the rule-based dates from Sun/Moon positions (needs PyEphem)",
    )
    args = parser.parse_args(argv)
    if args.verify_astronomy:
        return verify_astronomy()
    if args.report:
        report()
        return 0
    text = render(build_rows())
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run scripts/make_festivals.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({text.count(chr(10)) - 1} rows)")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
