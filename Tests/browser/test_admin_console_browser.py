"""The admin console clicked through in chromium, as an operator of the seed's intranet would:
sign in with the admin token, find a user's login, offboard a dismissed employee."""
from selenium.webdriver.common.by import By

from conftest import SCREENSHOTS
from harness import ADMIN_TOKEN, Broker
from test_pages_browser import MARIA, click, fill, heading, submit


def wide_shot(driver, name):
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1024, max(700, min(height + 40, 2400)))
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def test_an_operator_finds_a_login_and_offboards_an_employee(tmp_path, smtp, browser):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        _, maria = broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        browser.set_window_size(1024, 800)
        browser.get(f"{broker.url}/admin?lang=pt-BR")
        fill(browser, token="wrong-token")
        submit(browser)
        assert browser.find_element(By.CSS_SELECTOR, "p.error").text
        fill(browser, token=ADMIN_TOKEN)
        submit(browser)
        fill(browser, q="maria")
        submit(browser)
        rows = browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
        assert len(rows) == 1 and "maria@example.com" in rows[0].text
        wide_shot(browser, "admin-search-pt-BR")
        click(browser, rows[0].find_element(By.TAG_NAME, "a"))
        assert heading(browser) == "maria"
        form = browser.find_element(By.CSS_SELECTOR, "form[action$='/email']")
        form.find_element(By.NAME, "email").send_keys("successor@example.com")
        click(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert browser.find_element(By.CSS_SELECTOR, "p.flash").text
        assert "successor@example.com" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
        events = browser.find_element(By.XPATH, "//table[last()]").text
        assert "email_replaced" in events and "console:" in events
        wide_shot(browser, "admin-account-pt-BR")
        status, account = broker.admin("GET", f"/api/v1/admin/accounts/{maria['id']}")
        assert account["email"] == "successor@example.com"
        # Sign out: the console asks for the token again.
        click(browser, browser.find_element(By.LINK_TEXT, browser.find_element(By.CSS_SELECTOR, "main > p > a").text))
        click(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/admin/signout'] button"))
        assert browser.find_elements(By.NAME, "token")
    finally:
        broker.stop()
