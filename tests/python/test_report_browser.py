"""The HTML report in a real headless browser: Debian's chromium driven by selenium.

Loads the report from ``file://`` and checks that it logs no console error, fetches nothing
from the network, and that the drill-down (selects, breakdown rows, table rows) changes the
chart and the tables. Skips only when chromium is not installed (``apt-get install chromium
chromium-driver``; scripts/setup.sh installs both, so CI runs it).
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import make_panel

import quickstock as qs


def _find(*names: str) -> str | None:
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


CHROMIUM = os.environ.get("QUICKSTOCK_CHROMIUM") or _find("chromium", "chromium-browser", "google-chrome")
DRIVER = os.environ.get("QUICKSTOCK_CHROMEDRIVER") or _find("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver  # a hard requirement when chromium is present
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1300,1600", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update"):
        opts.add_argument(arg)
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(driver, path):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")  # drop what earlier pages logged
    driver.get_log("performance")
    driver.get(path.as_uri())
    WebDriverWait(driver, 30).until(
        lambda d: d.find_element("tag name", "body").get_attribute("data-ready") == "1"
    )


def _console_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def _requests(driver):
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def _visible_rows(driver, table_id):
    return [tr for tr in driver.find_elements("css selector", f"#{table_id} tbody tr") if tr.is_displayed()]


def _title(driver):
    return driver.find_element("id", "chart-title").text


def _centre(driver):
    return driver.find_element("css selector", "#chart svg path.centre").get_attribute("d")


@pytest.fixture(scope="module")
def sample():
    return qs.datasets.load_hyderabad()


@pytest.fixture(scope="module")
def sample_page(sample, tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "report.html"
    qs.report(sample, str(path), h=7)
    return path


def test_loads_without_console_errors_or_network_requests(browser, sample_page):
    _open(browser, sample_page)
    assert _console_errors(browser) == []
    urls = _requests(browser)
    assert sample_page.as_uri() in urls  # the log does record requests: the page itself
    assert [u for u in urls if not (u.startswith("file://") or u.startswith("data:"))] == []
    assert [u for u in urls if u.startswith("file://")] == [sample_page.as_uri()]
    # The chart is drawn: bands and the P50 line of the total.
    assert _title(browser) == "All series (total)"
    assert len(browser.find_elements("css selector", "#chart svg path.band")) == 1
    assert browser.find_elements("css selector", "#chart svg path.centre")


def test_drill_down_changes_chart_and_tables(browser, sample_page, sample):
    from selenium.webdriver.support.ui import Select

    _open(browser, sample_page)
    n_all = sample.unique_id.nunique()
    assert len(_visible_rows(browser, "series-table")) == n_all
    total_path = _centre(browser)

    # City via its select: one city in the sample, so the same series as the total by value,
    # but a different node.
    Select(browser.find_element("id", "sel-city")).select_by_value("Hyderabad")
    assert _title(browser) == "city = Hyderabad"

    # Zone via a row of the breakdown table.
    browser.find_element("css selector", 'table.breakdown[data-column="zone"] tr[data-value="West"]').click()
    assert _title(browser) == "city = Hyderabad, zone = West"
    west = sample[sample.zone == "West"]
    assert len(_visible_rows(browser, "series-table")) == west.unique_id.nunique() < n_all
    west_path = _centre(browser)
    assert west_path != total_path
    alerts_west = _visible_rows(browser, "alerts-table")
    assert all("HYD-5000" in tr.text for tr in alerts_west)

    # Store via its select: the pincode above it is filled in.
    store = "HYD-500081"
    Select(browser.find_element("id", "sel-store_id")).select_by_value(store)
    assert Select(browser.find_element("id", "sel-pincode")).first_selected_option.text == "500081"
    rows = _visible_rows(browser, "series-table")
    assert len(rows) == sample[sample.store_id == store].unique_id.nunique()
    assert all(r.text.startswith(store + "/") for r in rows)
    assert _centre(browser) != west_path
    assert all(tr.text.split()[1].startswith(store) for tr in _visible_rows(browser, "alerts-table"))

    # The SKU list offers only the SKUs this store sells.
    skus = [o.get_attribute("value") for o in Select(browser.find_element("id", "sel-sku")).options][1:]
    assert sorted(skus) == sorted(sample[sample.store_id == store].sku.unique())

    # Category by the breakdown, then a series by clicking its table row.
    browser.find_element("css selector", 'table.breakdown[data-column="category"] tr[data-value="dairy"]').click()
    rows = _visible_rows(browser, "series-table")
    dairy = sample[(sample.store_id == store) & (sample.category == "dairy")].unique_id.unique()
    assert sorted(r.text.split()[0] for r in rows) == sorted(dairy)
    rows[0].click()
    target = rows[0].text.split()[0]
    assert _title(browser) == target
    assert len(_visible_rows(browser, "series-table")) == 1
    n_points = browser.find_element("css selector", "#chart svg path.centre").get_attribute("d").count("L") + 1
    assert n_points == 7

    # Back to everything.
    browser.find_element("id", "reset").click()
    assert _title(browser) == "All series (total)"
    assert len(_visible_rows(browser, "series-table")) == n_all
    assert _console_errors(browser) == []


def test_report_without_hierarchy_in_the_browser(browser, tmp_path, rng):
    from selenium.webdriver.support.ui import Select

    df = make_panel(rng, n_series=5)
    path = tmp_path / "plain.html"
    qs.report(df, str(path), h=4, max_charts=3)
    _open(browser, path)
    assert _title(browser) == "All series (total)"
    ids = sorted(df.unique_id.unique())
    Select(browser.find_element("id", "sel-__series")).select_by_value(ids[-1])
    assert _title(browser) == ids[-1]
    assert len(_visible_rows(browser, "series-table")) == 1
    # Beyond max_charts a series says so instead of drawing.
    texts = browser.find_element("id", "chart").text
    charted = browser.find_elements("css selector", "#chart svg")
    assert charted or "No chart embedded" in texts
    assert _console_errors(browser) == []
    assert [u for u in _requests(browser) if not u.startswith("file://")] == []
