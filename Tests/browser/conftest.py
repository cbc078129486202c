import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from fixtures import sms, smtp  # noqa: E402,F401  (shared with the end-to-end suite)
from harness import ROOT  # noqa: E402

SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture
def browser():
    """Debian's chromium driven by its chromedriver: headless, a phone-sized 360 px window."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=360,900", "--lang=en-US"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def shot(driver, name):
    """A full-page screenshot under build/screenshots/."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(360, max(640, min(height + 40, 2400)))
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
