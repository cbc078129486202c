"""An app's login page sends a person to the broker, who forgot the password: the whole walk
in Debian's chromium, through the broker's pages in pt-BR, back to the app signed in. The app
is a real web server using Authlib's OpenID Connect client, as an integrator's would."""
import http.server
import re
import threading
import urllib.parse

from selenium.webdriver.common.by import By

from apps import App as OIDCApp
from conftest import shot
from harness import Broker, text_of
from test_pages_browser import MARIA, click, fill, heading, submit


class ShopApp:
    """The integrator's site: a login page, and a callback that finishes the code flow."""

    def __init__(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.oidc = None  # set once the broker runs
        self.signed_in = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def apps_config(self):
        return [{"client_id": "shop", "client_secret": "shop-secret-0123456789", "name": "Shop",
                 "redirect_uris": [self.url + "/oidc/callback"], "post_logout_redirect_uris": [self.url + "/"]}]

    def handler(self):
        shop = self

        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = urllib.parse.urlparse(self.path).path
                if path == "/login":
                    self.send_response(302)
                    self.send_header("Location", shop.oidc.authorization_url(ui_locales="pt-BR"))
                    self.end_headers()
                    return
                if path == "/oidc/callback":
                    _, claims = shop.oidc.finish(shop.url + self.path)
                    shop.signed_in.append(claims)
                    body = f"<!doctype html><title>Shop</title><h1>Olá, {claims['email']}</h1>"
                else:
                    body = '<!doctype html><title>Shop</title><h1>Shop</h1><a href="/login">Entrar</a>'
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Page

    def stop(self):
        self.server.shutdown()


def test_an_apps_forgot_password_ends_signed_in_at_the_app(tmp_path, smtp, browser):
    shop = ShopApp()
    broker = Broker(tmp_path, smtp.port, extra={"apps": shop.apps_config()}).start()
    try:
        _, maria = broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        shop.oidc = OIDCApp(broker, redirect_uri=shop.url + "/oidc/callback", scope="openid email")
        browser.get(shop.url)
        click(browser, browser.find_element(By.LINK_TEXT, "Entrar"))
        assert heading(browser) == "Entrar em Shop"
        shot(browser, "app-signin-pt-BR")
        click(browser, browser.find_element(By.LINK_TEXT, "Esqueceu sua senha?"))
        assert heading(browser) == "Esqueceu sua senha?"
        click(browser, browser.find_element(By.LINK_TEXT, "Enviar um link por e-mail"))
        fill(browser, identifier="maria@example.com")
        submit(browser)
        assert heading(browser) == "Verifique seu e-mail"
        link = re.search(r"(http://\S+/recover/reset\?token=\S+)", text_of(smtp.wait_for("maria@example.com")[0])).group(1)
        browser.get(link)
        assert heading(browser) == "Escolha uma nova senha"
        fill(browser, password="brand-new-pass", password_confirmation="brand-new-pass")
        submit(browser)
        assert heading(browser) == "Senha alterada"
        shot(browser, "app-reset-done-pt-BR")
        click(browser, browser.find_element(By.CSS_SELECTOR, "p.back a"))
        assert heading(browser) == "Olá, maria@example.com"
        assert browser.current_url.startswith(shop.url + "/oidc/callback?code=")
        [claims] = shop.signed_in
        assert claims["sub"] == maria["id"] and claims["amr"] == ["otp"]
    finally:
        broker.stop()
        shop.stop()
