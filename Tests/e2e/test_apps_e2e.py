"""The broker as an OpenID Connect provider, end to end: the real binary, a real relying-party
library (Authlib, joserfc) on the app's side, aiosmtpd and an HTTP SMS sink for the recovery
paths, and oidc-provider-mock as the social provider behind the broker. Every path a person
can take at the broker ends back at the app with a code."""
import base64
import json
import re
import urllib.parse

import httpx
import pytest

from apps import HOME, REDIRECT, App, apps_config, csrf_of, follow_to_app, location
from harness import wait_until, Broker, reset_token, text_of
from social import Browser, providers_dir

MARIA = {"login": "maria", "email": "maria@example.com", "phone": "+5511999990000", "password": "maria-password", "locale": "pt-BR"}


@pytest.fixture
def broker(tmp_path, smtp, sms, oidc):
    b = Broker(tmp_path, smtp.port, sms_url=sms.url, extra={
        "apps": apps_config(),
        "providers": {"directory": providers_dir(tmp_path, oidc.url, "http://127.0.0.1:9"),
                      "credentials": {"mockoidc": {"client_id": "broker-client", "client_secret": "broker-secret"}}},
    }).start()
    yield b
    b.stop()


@pytest.fixture
def maria(broker):
    status, account = broker.admin("POST", "/api/v1/admin/accounts", MARIA)
    assert status == 201
    return account


def to_sign_in_page(browser, broker, app, **extra):
    """The app sends the browser to the broker; not signed in there, it lands on the sign-in page."""
    status, headers, _ = browser.get(app.authorization_url(**extra))
    assert status == 302
    target = location(headers)
    assert target.startswith("/signin?")
    status, _, page = browser.get(broker.url + target, headers={"Accept": "text/html"})
    assert status == 200
    return_to = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(target).query))["return_to"]
    return page, return_to


def sign_in_with_password(browser, broker, return_to, login="maria", password="maria-password"):
    _, _, page = browser.get(broker.url + "/signin?" + urllib.parse.urlencode({"return_to": return_to}))
    status, headers, body = browser.post(broker.url + "/signin", form={"csrf": csrf_of(page), "login": login, "password": password,
                                                                        "return_to": return_to})
    assert status == 303, body[:300]
    return location(headers)


def test_discovery_and_the_code_flow_from_a_signed_in_browser(broker, maria):
    app = App(broker)
    assert app.discovery["issuer"] == broker.url
    assert app.discovery["code_challenge_methods_supported"] == ["S256"]
    browser = Browser()
    sign_in_with_password(browser, broker, broker.url + "/account")
    status, headers, _ = browser.get(app.authorization_url())
    assert status == 302
    token, claims = app.finish(location(headers))
    assert claims["sub"] == maria["id"]
    assert claims["amr"] == ["pwd"]
    assert claims["email"] == "maria@example.com" and claims["email_verified"] is True
    assert "refresh_token" in token  # offline_access was asked for
    info = app.userinfo(token["access_token"]).json()
    assert info == {"sub": maria["id"], "email": "maria@example.com", "email_verified": True, "phone_number": "+5511999990000",
                    "phone_number_verified": True, "preferred_username": "maria", "locale": "pt-BR"}


def test_the_sign_in_page_names_the_app_and_ends_at_the_app(broker, maria):
    app = App(broker)
    browser = Browser()
    page, return_to = to_sign_in_page(browser, broker, app)
    assert "Sign in to Shop" in page
    callback = follow_to_app(browser, broker, sign_in_with_password(browser, broker, return_to))
    _, claims = app.finish(callback)
    assert claims["sub"] == maria["id"] and claims["amr"] == ["pwd"]


def test_forgot_password_by_email_link_ends_signed_in_at_the_app(broker, maria, smtp):
    app = App(broker)
    browser = Browser()
    page, return_to = to_sign_in_page(browser, broker, app, ui_locales="pt-BR")
    assert "Entrar em Shop" in page
    recover = re.search(r'href="(/recover\?[^"]+)"', page).group(1).replace("&amp;", "&")
    status, _, page = browser.get(broker.url + "/recover/email?" + recover.split("?", 1)[1])
    assert status == 200
    status, _, page = browser.post(broker.url + "/recover/email", form={"csrf": csrf_of(page), "identifier": "maria@example.com",
                                                                        "return_to": return_to})
    assert status == 200
    [message] = smtp.wait_for("maria@example.com")
    link = re.search(r"(http://\S+/recover/reset\?token=\S+)", text_of(message)).group(1)
    status, _, page = browser.get(link)
    assert status == 200
    status, _, page = browser.post(broker.url + "/recover/reset", form={
        "csrf": csrf_of(page), "token": reset_token(link), "password": "maria-new-pass", "password_confirmation": "maria-new-pass",
        "return_to": return_to})
    assert status == 200 and browser.cookie("broker_session")
    back = re.search(r'<a class="button secondary" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert back == return_to + "&broker_cancel=1", "back to the app without ever coming round to the sign-in page again"
    _, claims = app.finish(follow_to_app(browser, broker, back))
    assert claims["sub"] == maria["id"] and claims["amr"] == ["otp"]


def test_forgot_password_by_sms_code_ends_signed_in_at_the_app(broker, maria, sms):
    app = App(broker)
    browser = Browser()
    _, return_to = to_sign_in_page(browser, broker, app)
    _, _, page = browser.get(broker.url + "/recover/phone?" + urllib.parse.urlencode({"return_to": return_to}))
    status, _, page = browser.post(broker.url + "/recover/phone", form={"csrf": csrf_of(page), "phone": "+5511999990000", "return_to": return_to})
    assert status == 200
    [message] = sms.wait_for("+5511999990000")
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)
    status, _, page = browser.post(broker.url + "/recover/code", form={"csrf": csrf_of(page), "identifier": "+5511999990000", "code": code,
                                                                       "return_to": return_to})
    assert status == 200
    token = re.search(r'name="token" value="([\w-]+)"', page).group(1)
    status, _, page = browser.post(broker.url + "/recover/reset", form={
        "csrf": csrf_of(page), "token": token, "password": "sms-new-pass-1", "password_confirmation": "sms-new-pass-1", "return_to": return_to})
    assert status == 200
    _, claims = app.finish(follow_to_app(browser, broker, return_to))
    assert claims["sub"] == maria["id"] and claims["amr"] == ["otp"]


def test_a_social_provider_behind_the_broker_ends_at_the_app(broker, oidc):
    oidc.set_user("ana-idp", email="ana@idp.example", email_verified=True)
    app = App(broker)
    browser = Browser()
    page, return_to = to_sign_in_page(browser, broker, app)
    start = re.search(r'href="(/auth/mockoidc/start\?[^"]+)"', page).group(1).replace("&amp;", "&")
    status, headers, _ = browser.get(broker.url + start)
    assert status == 302 and location(headers).startswith(oidc.url)
    status, headers, _ = browser.post(location(headers), form={"sub": "ana-idp"})
    status, headers, _ = browser.get(location(headers), headers={"Accept": "text/html"})
    assert status == 302 and location(headers) == return_to
    _, claims = app.finish(follow_to_app(browser, broker, return_to))
    assert claims["amr"] == ["fed"] and claims["email"] == "ana@idp.example"


def test_the_link_proof_step_ends_at_the_app_too(broker, maria, oidc):
    oidc.set_user("maria-idp", email="maria@example.com", email_verified=True)
    app = App(broker)
    browser = Browser()
    _, return_to = to_sign_in_page(browser, broker, app)
    status, headers, _ = browser.get(broker.url + "/auth/mockoidc/start?" + urllib.parse.urlencode({"return_to": return_to}))
    status, headers, _ = browser.post(location(headers), form={"sub": "maria-idp"})
    status, _, page = browser.get(location(headers), headers={"Accept": "text/html"})
    assert status == 202  # the provider's email belongs to maria: she proves it is hers
    pending = re.search(r'name="pending" value="([\w-]+)"', page).group(1)
    status, headers, _ = browser.post(broker.url + "/auth/link/password", form={"csrf": csrf_of(page), "pending": pending,
                                                                                 "password": "maria-password"})
    assert status == 302 and location(headers) == return_to
    _, claims = app.finish(follow_to_app(browser, broker, return_to))
    assert claims["sub"] == maria["id"] and claims["amr"] == ["fed"]


def signed_in_code(broker, app):
    browser = Browser()
    sign_in_with_password(browser, broker, broker.url + "/account")
    status, headers, _ = browser.get(app.authorization_url())
    return browser, location(headers)


def test_what_the_token_endpoint_refuses(broker, maria):
    app = App(broker)
    _, callback = signed_in_code(broker, app)
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(callback).query))["code"]
    wrong_verifier = app.token_request(grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier="x" * 50)
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    wrong_secret = httpx.post(app.discovery["token_endpoint"], auth=("shop", "not-the-secret"),
                              data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": app.verifier})
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    token, _ = app.finish(callback)
    replay = app.token_request(grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=app.verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert app.userinfo(token["access_token"]).status_code == 401, "a replayed code ends the tokens of its first use"


def test_what_the_authorization_endpoint_refuses(broker, maria):
    browser = Browser()
    app = App(broker, redirect_uri="http://127.0.0.1:5999/elsewhere")
    status, headers, page = browser.get(app.authorization_url())
    assert status == 400 and "Location" not in headers and "redirect_uri" in page
    app = App(broker)
    status, headers, _ = browser.get(app.authorization_url(prompt="none"))
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location(headers)).query))
    assert query["error"] == "login_required" and query["state"] == app.state and query["iss"] == broker.url
    spa = "/oauth2/authorize?" + urllib.parse.urlencode({"response_type": "code", "client_id": "spa", "redirect_uri": "http://127.0.0.1:5998/cb",
                                                         "scope": "openid", "state": "s1"})
    status, headers, _ = browser.get(broker.url + spa)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location(headers)).query))
    assert query["error"] == "invalid_request" and "code_challenge" in query["error_description"]


def test_a_public_client_with_pkce_gets_tokens_without_a_secret(broker, maria):
    app = App(broker, client_id="spa", secret=None, redirect_uri="http://127.0.0.1:5998/cb", scope="openid")
    browser = Browser()
    sign_in_with_password(browser, broker, broker.url + "/account")
    status, headers, _ = browser.get(app.authorization_url())
    callback = location(headers)
    assert callback.startswith("http://127.0.0.1:5998/cb?code=")
    token = app.client.fetch_token(app.discovery["token_endpoint"], authorization_response=callback, code_verifier=app.verifier)
    assert app.verify(token["id_token"])["sub"] == maria["id"]
    assert "refresh_token" not in token, "no offline_access, no refresh token"


def test_refresh_tokens_rotate_and_a_reuse_ends_the_chain(broker, maria):
    app = App(broker)
    _, callback = signed_in_code(broker, app)
    first, _ = app.finish(callback)
    second = app.client.refresh_token(app.discovery["token_endpoint"], refresh_token=first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    assert app.verify(second["id_token"])["sub"] == maria["id"]
    reuse = app.token_request(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    assert app.token_request(grant_type="refresh_token", refresh_token=second["refresh_token"]).status_code == 400
    assert app.userinfo(second["access_token"]).status_code == 401


def test_tokens_die_with_the_sessions_on_a_reset(broker, maria, smtp):
    app = App(broker)
    _, callback = signed_in_code(broker, app)
    token, _ = app.finish(callback)
    assert app.userinfo(token["access_token"]).status_code == 200
    broker.call("POST", "/api/v1/recovery", {"identifier": "maria@example.com"})
    [message] = smtp.wait_for("maria@example.com")
    assert broker.call("POST", "/api/v1/recovery/reset", {"token": reset_token(text_of(message)), "password": "after-reset-1",
                                                          "password_confirmation": "after-reset-1"})[0] == 200
    assert app.userinfo(token["access_token"]).status_code == 401
    assert app.token_request(grant_type="refresh_token", refresh_token=token["refresh_token"]).json()["error"] == "invalid_grant"


def test_logout_ends_the_session_and_returns_to_the_app(broker, maria):
    app = App(broker)
    browser, callback = signed_in_code(broker, app)
    token, _ = app.finish(callback)
    query = urllib.parse.urlencode({"id_token_hint": token["id_token"], "post_logout_redirect_uri": HOME, "state": "bye"})
    status, headers, _ = browser.get(broker.url + "/oauth2/logout?" + query)
    assert status == 302 and location(headers) == HOME + "?state=bye"
    status, headers, _ = browser.get(app.authorization_url(prompt="none"))
    assert "error=login_required" in location(headers), "the broker session has ended"
    assert app.userinfo(token["access_token"]).status_code == 401


def test_the_signing_key_is_made_at_the_first_start(broker):
    """Before any app has asked for anything, the first start has made the key."""
    listed = wait_until(lambda: (r := broker.cli("keys", "list")).stdout.count("current") == 1 and r, what="a signing key")
    assert listed.returncode == 0, listed.stderr


def test_keys_rotate_and_retired_keys_stay_listed(broker, maria):
    app = App(broker)
    _, callback = signed_in_code(broker, app)
    old, _ = app.finish(callback)
    listed = broker.cli("keys", "list")
    assert listed.returncode == 0 and listed.stdout.count("current") == 1, listed.stdout
    rotated = broker.cli("keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    broker.stop()
    broker.start()
    kids = [k["kid"] for k in httpx.get(app.discovery["jwks_uri"]).json()["keys"]]
    assert len(kids) == 2
    new_app = App(broker)
    _, callback = signed_in_code(broker, new_app)
    new, _ = new_app.finish(callback)
    header = lambda t: json.loads(base64.urlsafe_b64decode(t.split(".")[0] + "=="))
    assert header(new["id_token"])["kid"] != header(old["id_token"])["kid"]
    assert app.verify(old["id_token"])["sub"] == maria["id"], "a token of the retired key still checks"


def test_no_app_secret_reaches_the_log_at_any_level(tmp_path, smtp, sms, oidc):
    from apps import SHOP_SECRET
    broker = Broker(tmp_path, smtp.port, sms_url=sms.url, extra={"apps": apps_config(), "log": {"level": "trace"}}).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        app = App(broker)
        _, callback = signed_in_code(broker, app)
        code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(callback).query))["code"]
        token, _ = app.finish(callback)
        refreshed = app.client.refresh_token(app.discovery["token_endpoint"], refresh_token=token["refresh_token"])
        app.userinfo(refreshed["access_token"])
        log = broker.log.read_text()
        assert "/oauth2/token" in log, "the requests were logged"
        for secret in (code, token["access_token"], token["refresh_token"], token["id_token"], refreshed["access_token"],
                       refreshed["refresh_token"], SHOP_SECRET, app.verifier, app.nonce, app.state):
            assert secret not in log
    finally:
        broker.stop()
