"""The contract's Security rules against the real broker binary: each test is an attack an
outside review made (real concurrent requests, real sockets, a real PostgreSQL stopped under
a running broker), and asserts it no longer works."""
import concurrent.futures
import json
import re
import socket
import subprocess
import time
import urllib.request

import pytest

from harness import ADMIN_TOKEN, BROKER, ROOT, Broker, reset_token, text_of
from social import Browser, OIDCProvider, providers_dir
from test_multi_instance_e2e import database, pair, postgres  # noqa: F401  (fixtures by name)


def burst(brokers, count, body):
    """`count` sign-ins at once, spread over `brokers`; the statuses they got."""
    def one(i):
        return brokers[i % len(brokers)].call("POST", "/api/v1/login", body(i))[0]
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        return sorted(pool.map(one, range(count)))


def assert_burst_is_throttled(brokers):
    assert brokers[0].admin("POST", "/api/v1/admin/accounts", {"login": "maria", "password": "right-password"})[0] == 201
    statuses = burst(brokers, 40, lambda i: {"login": "maria", "password": f"wrong-{i}"})
    # login_per_account is 10: exactly ten wrong passwords were checked, the rest never hashed.
    assert statuses.count(401) == 10, statuses
    assert statuses.count(429) == 30, statuses
    # The right password is refused too while the account is locked for the window.
    assert brokers[-1].call("POST", "/api/v1/login", {"login": "maria", "password": "right-password"})[0] == 429


def test_sign_in_throttle_cannot_be_raced_on_sqlite(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        assert_burst_is_throttled([broker])
    finally:
        broker.stop()


def test_sign_in_throttle_cannot_be_raced_across_two_postgres_instances(tmp_path, smtp, database):
    a, b = pair(tmp_path, smtp.port, database)
    try:
        assert_burst_is_throttled([a, b])
    finally:
        a.stop()
        b.stop()


def test_wrong_codes_answer_alike_for_known_and_unknown_phones(tmp_path, smtp, sms):
    broker = Broker(tmp_path, smtp.port, sms_url=sms.url).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", {"login": "maria", "phone": "+5511999990000", "password": "old-password"})
        answers = {}
        for phone in ("+5511999990000", "+5511900000000"):
            assert broker.call("POST", "/api/v1/recovery", {"identifier": phone})[0] == 202
            answers[phone] = [
                (lambda r: (r[0], r[1]["error"]["code"]))(broker.call("POST", "/api/v1/recovery/code", {"identifier": phone, "code": "000000"}))
                for _ in range(7)
            ]
        known, unknown = answers.values()
        assert known == unknown
        assert known[:4] == [(400, "invalid_code")] * 4 and known[4] == (429, "too_many_attempts"), known
    finally:
        broker.stop()


def test_no_secret_reaches_the_log_at_any_level(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port, extra={"log": {"level": "trace"}}).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", {"login": "maria", "email": "maria@example.com", "password": "old-password"})
        broker.call("POST", "/api/v1/recovery", {"identifier": "maria@example.com"})
        token = reset_token(text_of(smtp.wait_for("maria@example.com")[0]))
        assert broker.call("GET", f"/api/v1/recovery/token?token={token}")[0] == 200
        with urllib.request.urlopen(f"{broker.url}/recover/reset?token={token}&return_to=%2Faccount") as page:
            assert page.status == 200
        status, body = broker.call("POST", "/api/v1/login", {"login": "maria", "password": "old-password"})
        session = body["session"]["token"]
        assert broker.call("GET", "/api/v1/session", token=session)[0] == 200
        broker.call("GET", "/auth/google/callback?code=SECRETCODE123&state=SECRETSTATE456", headers={"Accept": "application/json"})
        time.sleep(0.5)
        log = broker.log.read_text()
        assert "/api/v1/recovery/token?token=<redacted>" in log, "request lines are there, with the value redacted"
        for secret in (token, session, "old-password", ADMIN_TOKEN, "SECRETCODE123", "SECRETSTATE456"):
            assert secret not in log, f"{secret[:6]}… is in the log"
    finally:
        broker.stop()


def raw_request(port, data, close_sending=False):
    """Sends bytes as they are on a new connection; the status line and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        if close_sending:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body


def test_badly_framed_bodies_are_bad_requests_not_errors(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        head = b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
        for framed, close_sending in [
            (b"Transfer-Encoding: chunked\r\n\r\nZZ\r\n\r\n", False),   # a chunk size that is no number
            (b"Transfer-Encoding: chunked\r\n\r\n-1\r\n\r\n", False),
            (b"Content-Length: 100\r\n\r\n{\"login\":", True),          # fewer bytes than announced, then closed
        ]:
            status, body = raw_request(broker.port, head + framed, close_sending)
            assert status.startswith("HTTP/1.1 400"), (framed, status, body)
            assert json.loads(body)["error"]["code"] == "invalid_request", body
        page = b"POST /recover/email HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
        status, body = raw_request(broker.port, page + b"Transfer-Encoding: chunked\r\n\r\nZZ\r\n\r\n")
        assert status.startswith("HTTP/1.1 400"), status
        assert b"<html" in body.lower(), "a page answers with a page"
        assert broker.call("GET", "/health/live")[0] == 200, "the broker keeps serving"
        assert "unexpected error" not in broker.log.read_text(), "nothing was logged as the broker's own failure"
    finally:
        broker.stop()


def test_idle_and_half_sent_requests_are_closed(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port, extra={"server": {"idle_timeout_seconds": 2}}).start()
    try:
        half = socket.create_connection(("127.0.0.1", broker.port))
        half.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        trickle = socket.create_connection(("127.0.0.1", broker.port))
        trickle.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        started = time.monotonic()
        closed_after = None
        for sock in (half, trickle):
            sock.settimeout(0.3)
        while time.monotonic() - started < 8:
            try:
                trickle.sendall(b" ")  # a byte every 0.3 s keeps resetting a plain idle timer
            except OSError:
                closed_after = time.monotonic() - started
                break
            try:
                if trickle.recv(1024) == b"":
                    closed_after = time.monotonic() - started
                    break
            except socket.timeout:
                pass
        assert closed_after is not None and closed_after < 5, closed_after
        half.settimeout(5)
        assert half.recv(1024) == b"", "the half-sent request's connection is closed"
        assert broker.call("GET", "/health/live")[0] == 200, "the broker keeps serving others"
    finally:
        broker.stop()


def test_cookie_writes_from_another_origin_are_refused(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        _, account = broker.admin("POST", "/api/v1/admin/accounts", {"login": "maria", "email": "maria@example.com", "password": "old-password"})
        session = broker.call("POST", "/api/v1/login", {"login": "maria", "password": "old-password"})[1]["session"]["token"]

        def post(headers):
            request = urllib.request.Request(broker.url + "/api/v1/account/email", data=b'{"email":"attacker@evil.example"}', method="POST")
            request.add_header("Cookie", f"broker_session={session}")
            for k, v in headers.items():
                request.add_header(k, v)
            try:
                with urllib.request.urlopen(request) as r:
                    return r.status, None
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())["error"]["code"]

        assert post({}) == (415, "unsupported_media_type")  # urllib sends form-urlencoded; a Blob sends none
        assert post({"Content-Type": "application/json", "Origin": "https://evil.example"}) == (403, "forbidden")
        assert post({"Content-Type": "application/json", "Origin": broker.url}) == (202, None)
    finally:
        broker.stop()


def test_costly_imported_hashes_are_skipped_with_the_reason(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port)
    lines = [
        {"login": "bcrypt31", "password_hash": "$2b$31$n7fsh1WHge6UbKxb6oS6eeUMSEqkuDFRlsWaxPLEh0XM9cDaHjXSm"},
        {"login": "argon4g", "password_hash": "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo"},
        {"login": "argon100k", "password_hash": "$argon2id$v=19$m=19456,t=100000,p=1$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo"},
        {"login": "pbkdf5m", "password_hash": "pbkdf2_sha256$5000000$salt$aGFzaGhhc2hoYXNoaGFzaGhhc2g="},
        {"login": "fine", "password_hash": "$2b$10$n7fsh1WHge6UbKxb6oS6eeUMSEqkuDFRlsWaxPLEh0XM9cDaHjXSm"},
    ]
    source = tmp_path / "accounts.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = broker.cli("account", "import", str(source))
    assert result.returncode == 2, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "imported 1, skipped 4"
    for reason in ("bcrypt cost above 14", "Argon2 memory above 262144 KiB", "Argon2 iterations above 16", "PBKDF2 above 2,000,000 iterations"):
        assert reason in result.stderr, result.stderr


def test_dev_mode_on_a_public_host_does_not_start(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port, extra={"server": {"host": "0.0.0.0"}})
    result = subprocess.run([BROKER, "serve", "--config", str(broker.config)], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "server.dev_mode" in result.stderr + result.stdout


@pytest.fixture
def oidc():
    provider = OIDCProvider()
    yield provider
    provider.stop()


def test_social_starts_and_link_proof_passwords_are_throttled(tmp_path, smtp, oidc):
    broker = Broker(tmp_path, smtp.port, extra={
        "providers": {"directory": providers_dir(tmp_path, oidc.url, "http://127.0.0.1:9"),
                      "credentials": {"mockoidc": {"client_id": "broker-client", "client_secret": "broker-secret"}}},
        "rate_limits": {"start_per_address": 6, "login_per_account": 3},
    }).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", {"login": "erin", "email": "erin@corp.example", "password": "erin-password"})
        oidc.set_user("erin-idp", email="erin@corp.example", email_verified=True)
        browser = Browser()
        status, headers, _ = browser.get(f"{broker.url}/auth/mockoidc/start")
        status, headers, _ = browser.post(headers["Location"], form={"sub": "erin-idp"})
        status, _, page = browser.get(headers["Location"], headers={"Accept": "text/html"})
        assert status == 202
        csrf = re.search(r'name="csrf" value="([\w-]+)"', page).group(1)
        pending = re.search(r'name="pending" value="([\w-]+)"', page).group(1)
        statuses = [browser.post(broker.url + "/auth/link/password", form={"csrf": csrf, "pending": pending, "password": f"guess-{i}"})[0]
                    for i in range(5)]
        assert statuses == [401, 401, 401, 429, 429], statuses
        # The right password waits out the window like a sign-in would.
        assert browser.post(broker.url + "/auth/link/password", form={"csrf": csrf, "pending": pending, "password": "erin-password"})[0] == 429
        assert broker.call("POST", "/api/v1/login", {"login": "erin", "password": "erin-password"})[0] == 429

        # One start was made above; five more are allowed, the seventh is refused.
        starts = [Browser().get(f"{broker.url}/auth/mockoidc/start", headers={"Accept": "application/json"})[0] for _ in range(6)]
        assert starts == [302] * 5 + [429], starts
    finally:
        broker.stop()


def test_a_stopped_postgres_gets_quick_503s_and_the_broker_recovers(tmp_path, smtp):
    out = subprocess.run([str(ROOT / "scripts" / "pg.sh"), "start"], capture_output=True, text=True, check=True).stdout.split()
    pgdir, url = out[0], out[1]
    broker = Broker(tmp_path, smtp.port, extra={"database": {"url": url, "connect_timeout_seconds": 2}}).start()
    try:
        assert broker.admin("POST", "/api/v1/admin/accounts", {"login": "maria", "password": "old-password"})[0] == 201
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "pause", pgdir], check=True)

        started = time.monotonic()
        status, body = broker.call("GET", "/health/ready")
        assert status == 503 and time.monotonic() - started < 2.0, (status, time.monotonic() - started)
        started = time.monotonic()
        status, body = broker.call("POST", "/api/v1/login", {"login": "maria", "password": "old-password"})
        assert (status, body["error"]["code"]) == (503, "unavailable")
        assert time.monotonic() - started < 4.0, time.monotonic() - started
        assert broker.call("GET", "/health/live")[0] == 200

        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "resume", pgdir], check=True)
        deadline = time.monotonic() + 20
        while broker.call("GET", "/health/ready")[0] != 200:
            assert time.monotonic() < deadline, "the broker did not recover by itself"
            time.sleep(0.2)
        assert broker.call("POST", "/api/v1/login", {"login": "maria", "password": "old-password"})[0] == 200
    finally:
        broker.stop()
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop", pgdir], check=False)


def test_a_port_already_taken_stops_serve_naming_the_setting(tmp_path, smtp):
    """serve exits 64 with a message naming server.port when it cannot listen, instead of a bare
    socket error after logging "serving"."""
    broker = Broker(tmp_path, smtp.port)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", broker.port))
        taken.listen()
        result = subprocess.run([BROKER, "serve", "--config", str(broker.config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 64, result
    assert "server.host/server.port: cannot listen on 127.0.0.1:%d" % broker.port in result.stderr, result.stderr
