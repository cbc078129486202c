"""Social sign-in end to end against a real OpenID Connect provider process
and a real HTTP server speaking GitHub's OAuth 2.0 protocol."""
import json
import re
import urllib.parse

import pytest

from harness import ADMIN_TOKEN, Broker, reset_token, text_of
from social import Browser, FakeGitHub, providers_dir


@pytest.fixture
def github():
    server = FakeGitHub({"octocat": {"id": 583231, "name": "Mona", "emails": [
        {"email": "old@octo.example", "primary": False, "verified": True},
        {"email": "mona@octo.example", "primary": True, "verified": True}]}})
    yield server
    server.stop()


@pytest.fixture
def broker(tmp_path, smtp, oidc, github):
    b = Broker(tmp_path, smtp.port, extra={
        "providers": {"directory": providers_dir(tmp_path, oidc.url, github.url),
                      "credentials": {"mockoidc": {"client_id": "broker-client", "client_secret": "broker-secret"},
                                      "testhub": {"client_id": "gh-client", "client_secret": "gh-secret"}}},
    }).start()
    yield b
    b.stop()


def session_of(browser, broker):
    status, _, body = browser.get(broker.url + "/api/v1/session", headers={"Accept": "application/json"})
    return status, (json.loads(body) if body else None)


def test_first_sign_in_creates_the_account_and_the_second_finds_it(broker, oidc):
    oidc.set_user("alice-1", email="alice@idp.example", email_verified=True, name="Alice")
    browser = Browser()
    status, headers, _ = browser.sign_in_oidc(broker, oidc, "alice-1", "?return_to=" + urllib.parse.quote(broker.url + "/account"))
    assert status == 302 and headers["Location"] == broker.url + "/account"
    assert browser.cookie("broker_session")
    status, body = session_of(browser, broker)
    assert status == 200
    account = body["account"]
    assert account["identities"][0]["provider"] == "mockoidc" and account["identities"][0]["subject"] == "alice-1"
    assert account["email"] == "alice@idp.example" and account["email_verified"] is True and account["has_password"] is False
    assert body["session"]["methods"] == ["provider:mockoidc"]

    again = Browser()
    status, headers, _ = again.sign_in_oidc(broker, oidc, "alice-1")
    assert status == 302 and headers["Location"] == broker.url + "/account"

    # A path names a page of the broker itself (the contract's default is /account).
    third = Browser()
    status, headers, _ = third.sign_in_oidc(broker, oidc, "alice-1", "?return_to=/account%3Ftab%3Dsecurity")
    assert status == 302 and headers["Location"] == broker.url + "/account?tab=security"
    assert session_of(again, broker)[1]["account"]["id"] == account["id"]


def test_unverified_provider_email_is_not_taken(broker, oidc):
    oidc.set_user("bob-1", email="bob@idp.example", email_verified=False)
    browser = Browser()
    assert browser.sign_in_oidc(broker, oidc, "bob-1")[0] == 302
    assert session_of(browser, broker)[1]["account"]["email"] is None


def test_intent_link_attaches_to_the_signed_in_account(broker, oidc):
    broker.admin("POST", "/api/v1/admin/accounts", {"login": "carol", "email": "carol@corp.example", "password": "carol-password"})
    browser = Browser()
    status, _, _ = browser.post(broker.url + "/api/v1/login", json_body={"login": "carol", "password": "carol-password"})
    assert status == 200
    oidc.set_user("carol-idp", email="carol.private@idp.example", email_verified=True)
    status, headers, _ = browser.sign_in_oidc(broker, oidc, "carol-idp", "?intent=link")
    assert status == 302
    account = session_of(browser, broker)[1]["account"]
    assert account["login"] == "carol"
    assert [i["subject"] for i in account["identities"]] == ["carol-idp"]


def test_existing_email_requires_proof_before_linking(broker, oidc, smtp):
    """The pre-account-takeover case: a provider account with the victim's verified email
    must not get into the victim's account without proof."""
    _, victim = broker.admin("POST", "/api/v1/admin/accounts", {"login": "dave", "email": "dave@corp.example", "password": "dave-password"})
    oidc.set_user("attacker-1", email="dave@corp.example", email_verified=True)
    browser = Browser()
    status, _, body = browser.sign_in_oidc(broker, oidc, "attacker-1")
    assert status == 202 and json.loads(body)["status"] == "confirmation_required"
    assert browser.cookie("broker_session") is None
    assert broker.admin("GET", f"/api/v1/admin/accounts/{victim['id']}")[1]["identities"] == []

    # The owner gets a confirmation link; only that (or the password) links the identity.
    [mail] = smtp.wait_for("dave@corp.example")
    link = re.search(r"(http://\S+/auth/link/confirm\?token=[\w-]+)", text_of(mail)).group(1)
    owner = Browser()
    status, _, page = owner.get(link)
    assert status == 200
    csrf = re.search(r'name="csrf" value="([\w-]+)"', page).group(1)
    token = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["token"][0]
    status, headers, _ = owner.post(broker.url + "/auth/link/confirm", form={"csrf": csrf, "token": token})
    assert status == 302
    assert [i["subject"] for i in broker.admin("GET", f"/api/v1/admin/accounts/{victim['id']}")[1]["identities"]] == ["attacker-1"]


def test_existing_email_linked_with_the_accounts_password(broker, oidc):
    _, owner = broker.admin("POST", "/api/v1/admin/accounts", {"login": "erin", "email": "erin@corp.example", "password": "erin-password"})
    oidc.set_user("erin-idp", email="erin@corp.example", email_verified=True)
    browser = Browser()
    status, headers, _ = browser.get(f"{broker.url}/auth/mockoidc/start")
    status, headers, _ = browser.post(headers["Location"], form={"sub": "erin-idp"})
    status, _, page = browser.get(headers["Location"], headers={"Accept": "text/html"})
    assert status == 202 and "e•••@corp.example" in page
    csrf = re.search(r'name="csrf" value="([\w-]+)"', page).group(1)
    pending = re.search(r'name="pending" value="([\w-]+)"', page).group(1)
    status, _, _ = browser.post(broker.url + "/auth/link/password", form={"csrf": csrf, "pending": pending, "password": "wrong-password"})
    assert status == 401
    status, headers, _ = browser.post(broker.url + "/auth/link/password", form={"csrf": csrf, "pending": pending, "password": "erin-password"})
    assert status == 302
    assert session_of(browser, broker)[1]["account"]["id"] == owner["id"]


def test_forged_replayed_and_foreign_states_are_refused(broker, oidc):
    oidc.set_user("frank-1", email="frank@idp.example", email_verified=True)
    browser = Browser()
    status, headers, _ = browser.get(f"{broker.url}/auth/mockoidc/start")
    status, headers, _ = browser.post(headers["Location"], form={"sub": "frank-1"})
    callback = headers["Location"]
    forged = re.sub(r"state=[^&]+", "state=made-up", callback)
    status, _, body = browser.get(forged, headers={"Accept": "application/json"})
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_state"
    # Another browser with the real state: not the one that started the flow.
    status, _, body = Browser().get(callback, headers={"Accept": "application/json"})
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_state"
    assert browser.get(callback)[0] == 302
    status, _, body = browser.get(callback, headers={"Accept": "application/json"})
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_state", "a state works once"
    status, _, page = Browser().get(callback, headers={"Accept": "text/html"})
    assert status == 400 and "<html" in page


# The provider process itself signs these: oidc-provider-mock lets a user's claims
# override the ones it sets, so each is a real, validly signed id_token that lies.
HOSTILE_ID_TOKENS = {
    "another client's": {"aud": "someone-else"},
    "shared, for another party": {"aud": ["broker-client", "someone-else"], "azp": "someone-else"},
    "shared, no authorized party": {"aud": ["broker-client", "someone-else"]},
    "another issuer's": {"iss": "https://accounts.evil.example"},
    "expired": {"exp": 1_000_000_000},
    "replayed from another sign-in": {"nonce": "a-nonce-from-elsewhere"},
}


@pytest.mark.parametrize("claims", HOSTILE_ID_TOKENS.values(), ids=HOSTILE_ID_TOKENS.keys())
def test_lying_id_tokens_sign_nobody_in(broker, oidc, claims):
    oidc.set_user("mallory-1", email="mallory@idp.example", email_verified=True, **claims)
    browser = Browser()
    status, _, body = browser.sign_in_oidc(broker, oidc, "mallory-1")
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_id_token"
    assert not browser.cookie("broker_session")
    found = broker.admin("GET", "/api/v1/admin/accounts?q=mallory")[1]["accounts"]
    assert found == [], "no account was made"


def test_start_errors(broker):
    b = Browser()
    assert json.loads(b.get(broker.url + "/auth/nosuch/start")[2])["error"]["code"] == "unknown_provider"
    status, _, body = b.get(broker.url + "/auth/google/start")
    assert status == 409 and json.loads(body)["error"]["code"] == "provider_not_configured"
    status, _, body = b.get(broker.url + "/auth/mockoidc/start?return_to=https://evil.example/")
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_return_to"


def test_plain_oauth2_provider_with_github_emails(broker, github):
    browser = Browser()
    status, headers, _ = browser.get(f"{broker.url}/auth/testhub/start")
    authorize = headers["Location"]
    assert "code_challenge_method=S256" in authorize
    status, headers, _ = browser.get(authorize + "&login=octocat")
    status, headers, _ = browser.get(headers["Location"])
    assert status == 302
    account = session_of(browser, broker)[1]["account"]
    assert account["identities"][0] == {"provider": "testhub", "subject": "583231", "email": "mona@octo.example"}
    assert account["email"] == "mona@octo.example" and account["email_verified"] is True


def test_social_only_account_recovers_through_its_provider_and_signs_in_again(broker, oidc, smtp):
    oidc.set_user("gina-1", email="gina@idp.example", email_verified=True)
    first = Browser()
    first.sign_in_oidc(broker, oidc, "gina-1")
    broker.call("POST", "/api/v1/recovery", {"identifier": "gina@idp.example"})
    [mail] = smtp.wait_for("gina@idp.example")
    text = text_of(mail)
    assert oidc.url + "/recover" in text
    assert broker.url + "/auth/mockoidc/start" in text
    assert reset_token(text), "a link to set a password of its own"
    # Back from the provider's own recovery: sign in with it again.
    again = Browser()
    status, _, _ = again.sign_in_oidc(broker, oidc, "gina-1")
    assert status == 302 and session_of(again, broker)[0] == 200


def test_conversion_of_a_social_account(broker, oidc, smtp):
    """Sign in socially, attach an email, verify it from the real mail, set a login and a
    password, sign out, sign in natively, and sign in socially again to the same account."""
    oidc.set_user("hana-1", name="Hana")  # the provider gives no verified email
    browser = Browser()
    assert browser.sign_in_oidc(broker, oidc, "hana-1")[0] == 302
    account = session_of(browser, broker)[1]["account"]
    assert account["email"] is None and account["has_password"] is False

    status, _, _ = browser.post(broker.url + "/api/v1/account/email", json_body={"email": "hana@example.com"})
    assert status == 202
    [mail] = smtp.wait_for("hana@example.com")
    link = re.search(r"(http://\S+/account/verify-email\?token=[\w-]+)", text_of(mail)).group(1)
    page_browser = Browser()  # the mail may be opened anywhere
    status, _, page = page_browser.get(link)
    csrf = re.search(r'name="csrf" value="([\w-]+)"', page).group(1)
    token = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["token"][0]
    status, _, page = page_browser.post(broker.url + "/account/verify-email", form={"csrf": csrf, "token": token})
    assert status == 200

    status, _, body = browser.request("PUT", broker.url + "/api/v1/account/login", json_body={"login": "hana"})
    assert status == 200, body
    status, _, body = browser.post(broker.url + "/api/v1/account/password",
                                   json_body={"password": "hana-own-password", "password_confirmation": "hana-own-password"})
    assert status == 200, body
    converted = json.loads(body)
    assert converted["login"] == "hana" and converted["email_verified"] is True and converted["has_password"] is True

    # A cookie write without the JSON media type is refused, body or not; with it, it signs out.
    assert browser.post(broker.url + "/api/v1/logout")[0] == 415
    assert browser.post(broker.url + "/api/v1/logout", headers={"Content-Type": "application/json"})[0] == 204
    assert session_of(browser, broker)[0] == 401
    for who in ["hana", "hana@example.com"]:
        assert broker.call("POST", "/api/v1/login", {"login": who, "password": "hana-own-password"})[0] == 200
    again = Browser()
    assert again.sign_in_oidc(broker, oidc, "hana-1")[0] == 302
    assert session_of(again, broker)[1]["account"]["id"] == account["id"]
