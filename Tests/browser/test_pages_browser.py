"""Each flow clicked through in a real browser (Debian's chromium), as a person would."""
import re

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import shot
from harness import ADMIN_TOKEN, Broker, reset_token, text_of
from social import OIDCProvider, providers_dir

MARIA = {"login": "maria", "email": "maria@example.com", "phone": "+5511999990000", "password": "old-password-1", "locale": "pt-BR"}


def fill(driver, **fields):
    for name, value in fields.items():
        element = driver.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def replaced(old):
    """True once `old` belongs to a page that is gone. chromedriver sometimes reports that
    moment as an 'unknown error' ("Node with given id does not belong to the document")
    instead of a stale element, when the check lands in the middle of the navigation."""
    def check(_driver):
        try:
            old.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return check


def click(driver, element):
    """Clicks and waits for the next page, as a person would."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(replaced(old))


def submit(driver):
    click(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def test_forgot_password_by_email(tmp_path, smtp, browser):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        browser.get(f"{broker.url}/recover?lang=pt-BR&return_to={broker.url}/account")
        assert heading(browser) == "Esqueceu sua senha?"
        shot(browser, "recover-chooser-pt-BR")
        click(browser, browser.find_element(By.LINK_TEXT, "Enviar um link por e-mail"))
        fill(browser, identifier="maria@example.com")
        submit(browser)
        assert heading(browser) == "Verifique seu e-mail"
        link = re.search(r"(http://\S+/recover/reset\?token=\S+)", text_of(smtp.wait_for("maria@example.com")[0])).group(1)
        browser.get(link + "&lang=pt-BR")
        assert heading(browser) == "Escolha uma nova senha"
        assert browser.find_element(By.CSS_SELECTOR, "label[for=password]").text == "Nova senha"
        fill(browser, password="brand-new-pass", password_confirmation="brand-new-pass")
        shot(browser, "reset-form-pt-BR")
        submit(browser)
        assert heading(browser) == "Senha alterada"
        assert not browser.find_elements(By.TAG_NAME, "form"), "a confirmation, no form"
        assert browser.find_element(By.CSS_SELECTOR, "p.back a").get_attribute("href") == f"{broker.url}/account"
        shot(browser, "reset-done-pt-BR")
        assert broker.call("POST", "/api/v1/login", {"login": "maria", "password": "brand-new-pass"})[0] == 200
    finally:
        broker.stop()


def test_forgot_password_by_phone(tmp_path, smtp, sms, browser):
    broker = Broker(tmp_path, smtp.port, sms_url=sms.url).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        browser.get(f"{broker.url}/recover?lang=en")
        click(browser, browser.find_element(By.LINK_TEXT, "Send me a code by SMS"))
        fill(browser, phone="+55 11 99999-0000")
        submit(browser)
        assert heading(browser) == "Type the code"
        code = re.search(r"\b(\d{6})\b", sms.wait_for("+5511999990000")[0]["text"]).group(1)
        fill(browser, code=code)
        shot(browser, "code-entry-en")
        submit(browser)
        assert heading(browser) == "Choose a new password"
        assert "token=" not in browser.current_url, "the check word never sits in the URL"
        fill(browser, password="sms-new-pass-1", password_confirmation="sms-new-pass-1")
        submit(browser)
        assert heading(browser) == "Password changed"
        assert broker.call("POST", "/api/v1/login", {"login": "+5511999990000", "password": "sms-new-pass-1"})[0] == 200
    finally:
        broker.stop()


def test_outdated_link_explains_that_a_newer_one_was_sent(tmp_path, smtp, browser):
    broker = Broker(tmp_path, smtp.port, extra={"recovery": {"resend_cooldown_seconds": 0}}).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        broker.call("POST", "/api/v1/recovery", {"identifier": "maria"})
        first = reset_token(text_of(smtp.wait_for("maria@example.com")[0]))
        broker.call("POST", "/api/v1/recovery", {"identifier": "maria"})
        smtp.wait_for("maria@example.com", count=2)
        browser.get(f"{broker.url}/recover/reset?token={first}&lang=pt-BR")
        assert heading(browser) == "Este link não funciona"
        assert "Palavra de verificação incorreta" in browser.find_element(By.CSS_SELECTOR, "p.error").text
        shot(browser, "outdated-link-pt-BR")
    finally:
        broker.stop()


def test_social_sign_in_and_conversion(tmp_path, smtp, browser):
    oidc = OIDCProvider()
    broker = Broker(tmp_path, smtp.port, extra={"providers": {
        "directory": providers_dir(tmp_path, oidc.url, "http://127.0.0.1:9"),
        "credentials": {"mockoidc": {"client_id": "c", "client_secret": "s"}}}}).start()
    try:
        oidc.set_user("lia-1", name="Lia")
        browser.get(f"{broker.url}/signin?lang=en")
        click(browser, browser.find_element(By.LINK_TEXT, "Mock OIDC"))
        fill(browser, sub="lia-1")  # the provider's own page
        click(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit]"))
        assert heading(browser) == "Your account"
        assert "Mock OIDC" in browser.page_source
        # Attach an email, confirm it from the real mail, set a login and a password.
        fill(browser, email="lia@example.com")
        click(browser, browser.find_element(By.CSS_SELECTOR, "form[action^='/account/email'] button"))
        assert "We sent a confirmation link" in browser.find_element(By.CSS_SELECTOR, ".flash").text
        code = re.search(r"\b(\d{6})\b", text_of(smtp.wait_for("lia@example.com")[0])).group(1)
        browser.find_element(By.ID, "email-code").send_keys(code)
        click(browser, browser.find_element(By.CSS_SELECTOR, "form[action^='/account/email/verify'] button"))
        browser.find_element(By.ID, "login").send_keys("lia")
        click(browser, browser.find_element(By.CSS_SELECTOR, "form[action^='/account/login'] button"))
        browser.find_element(By.ID, "password").send_keys("lia-own-password")
        browser.find_element(By.ID, "password_confirmation").send_keys("lia-own-password")
        click(browser, browser.find_element(By.CSS_SELECTOR, "form[action^='/account/password'] button"))
        assert browser.find_element(By.CSS_SELECTOR, ".flash").text == "Saved."
        page = browser.find_element(By.TAG_NAME, "dl").text
        assert "lia@example.com (verified)" in page and "lia" in page and "set" in page
        shot(browser, "account-converted-en")
        click(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/signout'] button"))
        assert heading(browser) == "Sign in"
        fill(browser, login="lia", password="lia-own-password")
        submit(browser)
        assert heading(browser) == "Your account"
        assert "Mock OIDC" in browser.page_source, "the identity stays linked"
    finally:
        broker.stop()
        oidc.stop()


def test_language_switch(tmp_path, smtp, browser):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        browser.get(f"{broker.url}/recover?lang=en")
        assert heading(browser) == "Forgot your password?"
        click(browser, browser.find_element(By.LINK_TEXT, "Español"))
        assert heading(browser) == "¿Olvidaste tu contraseña?"
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
        browser.get(f"{broker.url}/recover/email")
        assert heading(browser) == "Restablecer por correo", "the choice is remembered"
        click(browser, browser.find_element(By.LINK_TEXT, "Português"))
        assert heading(browser) == "Redefinir por e-mail"
        shot(browser, "email-form-pt-BR")
    finally:
        broker.stop()


class App:
    """The integrator's site on another origin: the page a person returns to after signing in."""

    def __init__(self):
        import http.server
        import threading

        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"<!doctype html><title>App</title><h1>Welcome back to the app</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


def test_sign_in_returns_to_the_app_on_another_origin(tmp_path, smtp, browser):
    # The page's Content-Security-Policy must let the sign-in form's redirect reach the app.
    app = App()
    broker = Broker(tmp_path, smtp.port, extra={"server": {"allowed_return_to": [app.url]}})
    broker.start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        browser.get(f"{broker.url}/signin?lang=en&return_to={app.url}/home")
        fill(browser, login="maria", password="old-password-1")
        submit(browser)
        assert heading(browser) == "Welcome back to the app"
        assert browser.current_url == f"{app.url}/home"
    finally:
        broker.stop()
        app.stop()


def test_social_account_forgot_password_through_the_chooser(tmp_path, smtp, browser):
    """The seed's third way: an account made with a social network recovers through it,
    or sets a password of its own from the emailed link."""
    oidc = OIDCProvider()
    broker = Broker(tmp_path, smtp.port, extra={"providers": {
        "directory": providers_dir(tmp_path, oidc.url, "http://127.0.0.1:9"),
        "credentials": {"mockoidc": {"client_id": "c", "client_secret": "s"}}}}).start()
    try:
        oidc.set_user("rui-1", email="rui@idp.example", email_verified=True, name="Rui")
        broker.admin("POST", "/api/v1/admin/accounts", {
            "email": "rui@idp.example", "identities": [{"provider": "mockoidc", "subject": "rui-1"}]})
        browser.get(f"{broker.url}/recover?lang=en")
        providers = browser.find_element(By.CSS_SELECTOR, "ul.providers").text
        assert "Mock OIDC" in providers and "Google" in providers
        assert browser.find_element(By.LINK_TEXT, "Sign in with Mock OIDC")
        # By email: the message names the provider and offers a password of its own.
        click(browser, browser.find_element(By.LINK_TEXT, "Send me a link by email"))
        fill(browser, identifier="rui@idp.example")
        submit(browser)
        text = text_of(smtp.wait_for("rui@idp.example")[0])
        assert oidc.url + "/recover" in text and "/auth/mockoidc/start" in text
        browser.get(re.search(r"(http://\S+/recover/reset\?token=\S+)", text).group(1) + "&lang=en")
        fill(browser, password="rui-own-password", password_confirmation="rui-own-password")
        submit(browser)
        assert heading(browser) == "Password changed"
        assert broker.call("POST", "/api/v1/login", {"login": "rui@idp.example", "password": "rui-own-password"})[0] == 200
        # Or straight back through the provider from the chooser.
        browser.get(f"{broker.url}/recover?lang=en")
        click(browser, browser.find_element(By.LINK_TEXT, "Sign in with Mock OIDC"))
        fill(browser, sub="rui-1")
        click(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit]"))
        assert heading(browser) == "Your account"
        assert "rui@idp.example (verified)" in browser.find_element(By.TAG_NAME, "dl").text
    finally:
        broker.stop()
        oidc.stop()
