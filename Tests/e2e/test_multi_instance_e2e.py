"""Several broker instances on one PostgreSQL: everything shared goes through the database."""
import json
import os
import re
import subprocess
import time
import urllib.parse
import uuid

import pytest

from harness import ROOT, Broker, reset_token, text_of, wait_until
from social import Browser, OIDCProvider, providers_dir


@pytest.fixture(scope="session")
def postgres():
    url = os.environ.get("BROKER_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    out = subprocess.run([str(ROOT / "scripts" / "pg.sh"), "start"], capture_output=True, text=True, check=True).stdout.split()
    yield out[1]
    subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop", out[0]], check=False)


@pytest.fixture
def database(postgres):
    name = "e2e_" + uuid.uuid4().hex[:12]
    return subprocess.run([str(ROOT / "scripts" / "pg.sh"), "createdb", postgres, name], capture_output=True, text=True, check=True).stdout.strip()


class Blackhole:
    """Accepts TCP connections and never answers: a mail server that hangs mid-delivery."""

    def __init__(self):
        import socket
        import threading
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(100)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.sock.close()
        for c in self.held:
            c.close()


def pair(tmp_path, smtp_port, database, extra=None, smtp_port_a=None):
    """Two instances, one database and nothing else shared: the check-word key is the
    one the first instance stored in the database, so links made on one work on the other."""
    settings = {"database": {"url": database},
                "recovery": {"resend_cooldown_seconds": 0},
                # Behind one load balancer, every instance has the same public address.
                "server": {"public_url": "http://accounts.lb.test"}}
    for key, values in (extra or {}).items():
        if isinstance(values, list):
            settings[key] = values
        else:
            settings.setdefault(key, {}).update(values)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = Broker(tmp_path / "a", smtp_port_a or smtp_port, extra=settings).start()
    b = Broker(tmp_path / "b", smtp_port, extra=settings).start()
    return a, b


def test_recovery_requested_on_a_is_completed_on_b(tmp_path, smtp, database):
    a, b = pair(tmp_path, smtp.port, database)
    try:
        assert a.admin("POST", "/api/v1/admin/accounts", {"login": "maria", "email": "maria@example.com", "password": "old-password"})[0] == 201
        assert b.admin("GET", "/api/v1/admin/accounts?q=maria")[1]["accounts"][0]["login"] == "maria"
        assert a.call("POST", "/api/v1/recovery", {"identifier": "maria@example.com"})[0] == 202
        token = reset_token(text_of(smtp.wait_for("maria@example.com")[0]))
        assert b.call("POST", "/api/v1/recovery/reset", {"token": token, "password": "new-password-1", "password_confirmation": "new-password-1"})[0] == 200
        assert a.call("POST", "/api/v1/login", {"login": "maria", "password": "new-password-1"})[0] == 200
        status, body = a.call("GET", f"/api/v1/recovery/token?token={token}")
        assert (status, body["error"]["code"]) == (410, "token_used")
    finally:
        a.stop()
        b.stop()


def test_social_sign_in_started_on_a_finishes_on_b(tmp_path, smtp, database):
    oidc = OIDCProvider()
    try:
        providers = providers_dir(tmp_path, oidc.url, "http://127.0.0.1:9")
        a, b = pair(tmp_path, smtp.port, database, extra={"providers": {
            "directory": providers, "credentials": {"mockoidc": {"client_id": "c", "client_secret": "s"}}}})
        try:
            oidc.set_user("multi-1", email="multi@idp.example", email_verified=True)
            browser = Browser()
            status, headers, _ = browser.get(a.url + "/auth/mockoidc/start")
            status, headers, _ = browser.post(headers["Location"], form={"sub": "multi-1"})
            callback = headers["Location"]
            assert callback.startswith("http://accounts.lb.test/auth/mockoidc/callback")
            callback_on_b = callback.replace("http://accounts.lb.test", b.url)
            status, headers, _ = browser.get(callback_on_b)
            assert status == 302
            status, _, body = browser.get(b.url + "/api/v1/session")
            assert json.loads(body)["account"]["identities"][0]["subject"] == "multi-1"
        finally:
            a.stop()
            b.stop()
    finally:
        oidc.stop()


def test_rate_limits_count_across_instances(tmp_path, smtp, database):
    a, b = pair(tmp_path, smtp.port, database, extra={"rate_limits": {"send_per_identifier": 4}})
    try:
        answers = [(a if i % 2 else b).call("POST", "/api/v1/recovery", {"identifier": "ghost@example.com"})[0] for i in range(4)]
        assert answers == [202, 202, 202, 202]
        assert a.call("POST", "/api/v1/recovery", {"identifier": "ghost@example.com"})[0] == 429
        assert b.call("POST", "/api/v1/recovery", {"identifier": "ghost@example.com"})[0] == 429
    finally:
        a.stop()
        b.stop()


def test_two_hundred_requests_make_exactly_two_hundred_messages_even_when_one_instance_dies(tmp_path, smtp, database):
    # Instance A's mail server hangs, so A dies holding claimed messages: B must take them over
    # once their lease (30 s) runs out, and send each exactly once.
    hole = Blackhole()
    a, b = pair(tmp_path, smtp.port, database, extra={"rate_limits": {"enabled": False}}, smtp_port_a=hole.port)
    try:
        for i in range(200):
            assert a.admin("POST", "/api/v1/admin/accounts", {"email": f"user{i:03d}@example.com"})[0] == 201
        for i in range(200):
            target = a if i % 2 == 0 else b
            if i == 120:
                a.kill9()  # mid-run: its claimed messages are taken over after the lease
            if i >= 120:
                target = b
            assert target.call("POST", "/api/v1/recovery", {"identifier": f"user{i:03d}@example.com"})[0] == 202
        def delivered():
            messages = smtp.messages()
            return messages if len(messages) >= 200 else None
        messages = wait_until(delivered, timeout=120, what="200 messages")
        time.sleep(2)
        recipients = [str(m["To"]) for m in smtp.messages()]
        assert len(recipients) == 200, f"{len(recipients)} messages"
        assert sorted(recipients) == sorted(f"user{i:03d}@example.com" for i in range(200)), "each exactly once"
        assert hole.held, "A did claim messages before it died"
    finally:
        a.stop()
        b.stop()
        hole.close()


def test_a_reset_on_one_instance_ends_the_session_on_the_other_within_the_cache_life(tmp_path, smtp, database):
    """Sessions are served from memory; another instance's revocation reaches this one within
    the cache's life (2 s, README), and at once on the instance that made it."""
    a, b = pair(tmp_path, smtp.port, database)
    try:
        a.admin("POST", "/api/v1/admin/accounts", {"login": "maria", "email": "maria@example.com", "password": "old-password"})
        token = a.call("POST", "/api/v1/login", {"login": "maria", "password": "old-password"})[1]["session"]["token"]
        assert b.call("GET", "/api/v1/session", token=token)[0] == 200  # now in b's memory
        assert a.call("POST", "/api/v1/recovery", {"identifier": "maria@example.com"})[0] == 202
        reset = reset_token(text_of(smtp.wait_for("maria@example.com")[0]))
        assert a.call("POST", "/api/v1/recovery/reset", {"token": reset, "password": "new-password-1", "password_confirmation": "new-password-1"})[0] == 200
        assert a.call("GET", "/api/v1/session", token=token)[0] == 401, "at once where the reset happened"
        started = time.monotonic()
        while b.call("GET", "/api/v1/session", token=token)[0] != 401:
            assert time.monotonic() - started < 3.0, "the other instance still serves the revoked session"
            time.sleep(0.1)
    finally:
        a.stop()
        b.stop()


def test_an_apps_code_from_a_is_exchanged_on_b_and_both_publish_the_same_keys(tmp_path, smtp, database):
    import base64
    import hashlib
    import httpx
    from joserfc import jwt
    from joserfc.jwk import KeySet
    from apps import REDIRECT, SHOP_SECRET, apps_config, csrf_of
    a, b = pair(tmp_path, smtp.port, database, extra={"apps": apps_config()})
    try:
        a.admin("POST", "/api/v1/admin/accounts", {"login": "maria", "email": "maria@example.com", "password": "maria-password"})
        browser = Browser()
        _, _, page = browser.get(a.url + "/signin")
        assert browser.post(a.url + "/signin", form={"csrf": csrf_of(page), "login": "maria", "password": "maria-password"})[0] == 303
        verifier = "v" * 50
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urllib.parse.urlencode({"response_type": "code", "client_id": "shop", "redirect_uri": REDIRECT, "scope": "openid offline_access",
                                        "state": "s", "nonce": "n", "code_challenge": challenge, "code_challenge_method": "S256"})
        status, headers, _ = browser.get(a.url + "/oauth2/authorize?" + query)
        code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(headers["Location"]).query))["code"]
        tokens = httpx.post(b.url + "/oauth2/token", auth=("shop", SHOP_SECRET), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}).json()
        assert "id_token" in tokens, tokens
        jwks_a, jwks_b = (httpx.get(x.url + "/oauth2/jwks").json() for x in (a, b))
        assert jwks_a == jwks_b and len(jwks_a["keys"]) == 1, "one key, made by whichever instance signed first, shared"
        claims = jwt.decode(tokens["id_token"], KeySet.import_key_set(jwks_a)).claims
        assert claims["iss"] == "http://accounts.lb.test" and claims["nonce"] == "n"
        assert httpx.get(a.url + "/oauth2/userinfo", headers={"Authorization": "Bearer " + tokens["access_token"]}).status_code == 200
        refreshed = httpx.post(a.url + "/oauth2/token", auth=("shop", SHOP_SECRET),
                               data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200
        again = httpx.post(b.url + "/oauth2/token", auth=("shop", SHOP_SECRET),
                           data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
        assert again.json()["error"] == "invalid_grant", "a refresh token reused on another instance is caught too"
    finally:
        a.stop()
        b.stop()
