"""Shared fixtures: the Gambit reference games shipped under tests/data (see its PROVENANCE.md), and a
headless Chromium for the browser tests, found wherever it is installed. CI installs Debian's
``chromium`` and ``chromium-driver`` (``make browser``, as root) and must run those tests; a
contributor without them gets a skip that says how to install them."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[1]
GAMBIT_GAMES = ROOT / "tests" / "data" / "gambit_games"


def gambit_reference() -> dict[str, dict]:
    records = json.loads((GAMBIT_GAMES / "reference.json").read_text())
    return {record["file"]: record for record in records}


def gambit_efg_files() -> list[Path]:
    return sorted(GAMBIT_GAMES.glob("*.efg"))


@pytest.fixture
def gambit_games() -> Path:
    return GAMBIT_GAMES


SCREENSHOTS = ROOT / "out" / "test-screenshots"
WIDTHS = (1400, 800)  # a laptop's window and a narrow one: every page must fit both
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
NO_BROWSER = (
    "no Chromium and chromedriver on PATH (or in ESCALADE_CHROMIUM / ESCALADE_CHROMEDRIVER): "
    "install them (Debian: `sudo make browser`) to run the browser tests"
)


def _find(variable: str, names: tuple[str, ...]) -> str | None:
    given = os.environ.get(variable)
    if given:
        return given if Path(given).exists() else None
    return next((found for name in names if (found := shutil.which(name))), None)


@pytest.fixture(scope="session")
def chromium():
    chromium = _find("ESCALADE_CHROMIUM", BROWSERS)
    chromedriver = _find("ESCALADE_CHROMEDRIVER", ("chromedriver",))
    if chromium is None or chromedriver is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests, but " + NO_BROWSER)
        pytest.skip(NO_BROWSER)
    options = Options()
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,4000",
    ):  # fmt: skip
        options.add_argument(flag)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium):
    """The shared Chromium with its console log emptied, so each test reads only its own messages."""
    chromium.get_log("browser")
    return chromium


def overflow(browser) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")


def screenshots(browser, name: str) -> None:
    """The page saved at each of :data:`WIDTHS` as ``{name}-{width}.png``, each checked to fit the window."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for width in WIDTHS:
            browser.set_window_size(width, 4000)
            try:  # responsive charts redraw on the resize event, a moment later
                WebDriverWait(browser, 5).until(lambda _: overflow(browser) <= 1)
            except TimeoutException:
                pytest.fail(f"{name} is {overflow(browser)} px wider than a {width}-px window")
            browser.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
    finally:
        browser.set_window_size(1280, 4000)
