"""Recovery end to end: the real broker, a real SMTP server, a real SMS gateway sink."""
import re
import time

from harness import Broker, SMTPServer, free_port, html_of, reset_token, text_of, wait_until

MARIA = {"login": "maria", "email": "maria@example.com", "phone": "+5511999990000", "password": "old-password-1", "locale": "pt-BR"}


def login(broker, who, password):
    return broker.call("POST", "/api/v1/login", {"login": who, "password": password})


def test_forgot_password_by_email_link(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        assert broker.admin("POST", "/api/v1/admin/accounts", MARIA)[0] == 201
        status, body = login(broker, "maria", "old-password-1")
        old_session = body["session"]["token"]

        assert broker.call("POST", "/api/v1/recovery", {"identifier": "maria@example.com"}) == (202, {"status": "accepted"})
        [mail] = smtp.wait_for("maria@example.com")
        assert mail["Subject"] == "Redefinir sua senha"
        assert "no-reply@broker.test" in mail["From"]
        token = reset_token(text_of(mail))
        assert token and token in html_of(mail)
        # The link stands verbatim in the raw message (no base64, no quoted-printable "=3D").
        [raw] = smtp.raw("maria@example.com")
        assert f"/recover/reset?token={token}".encode() in raw
        assert "Alguém (esperamos que você) pediu" in text_of(mail), "UTF-8 text arrives intact"

        assert broker.call("GET", f"/api/v1/recovery/token?token={token}") == (200, {"status": "valid"})
        status, body = broker.call("POST", "/api/v1/recovery/reset",
                                   {"token": token, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"})
        assert (status, body) == (200, {"status": "password_changed"})
        assert login(broker, "maria", "brand-new-pass")[0] == 200
        assert login(broker, "maria", "old-password-1")[0] == 401
        assert broker.call("GET", "/api/v1/session", token=old_session)[0] == 401
        status, body = broker.call("POST", "/api/v1/recovery/reset",
                                   {"token": token, "password": "another-pass-1", "password_confirmation": "another-pass-1"})
        assert (status, body["error"]["code"]) == (410, "token_used")
        # The "your password was changed" notice follows.
        notices = smtp.wait_for("maria@example.com", count=2)
        assert sorted(m["Subject"] for m in notices) == ["Redefinir sua senha", "Sua senha foi alterada"]
    finally:
        broker.stop()


def test_older_link_answers_incorrect_check_word(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port, extra={"recovery": {"resend_cooldown_seconds": 0}}).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        broker.call("POST", "/api/v1/recovery", {"identifier": "maria"})
        first = reset_token(text_of(smtp.wait_for("maria@example.com")[0]))
        broker.call("POST", "/api/v1/recovery", {"identifier": "maria"})
        second = reset_token(text_of(smtp.wait_for("maria@example.com", count=2)[1]))
        status, body = broker.call("POST", "/api/v1/recovery/reset",
                                   {"token": first, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"},
                                   headers={"Accept-Language": "pt-BR"})
        assert status == 400 and body["error"]["code"] == "incorrect_check_word"
        assert body["error"]["message"].startswith("Palavra de verificação incorreta")
        assert broker.call("POST", "/api/v1/recovery/reset",
                           {"token": second, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"})[0] == 200
    finally:
        broker.stop()


def test_forgot_password_by_sms_code(tmp_path, smtp, sms):
    broker = Broker(tmp_path, smtp.port, sms_url=sms.url).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        assert broker.call("POST", "/api/v1/recovery", {"identifier": "+55 11 99999-0000"})[0] == 202
        [message] = sms.wait_for("+5511999990000")
        code = re.search(r"\b(\d{6})\b", message["text"]).group(1)
        status, body = broker.call("POST", "/api/v1/recovery/code", {"identifier": "+5511999990000", "code": code})
        assert status == 200
        assert broker.call("POST", "/api/v1/recovery/reset",
                           {"token": body["token"], "password": "sms-new-pass", "password_confirmation": "sms-new-pass"})[0] == 200
        assert login(broker, "+5511999990000", "sms-new-pass")[0] == 200
    finally:
        broker.stop()


def test_unknown_identifier_sends_nothing_and_answers_alike(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port).start()
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        known = broker.call("POST", "/api/v1/recovery", {"identifier": "maria@example.com"})
        unknown = broker.call("POST", "/api/v1/recovery", {"identifier": "stranger@example.com"})
        assert known == unknown == (202, {"status": "accepted"})
        smtp.wait_for("maria@example.com")
        time.sleep(1.0)
        assert smtp.messages("stranger@example.com") == []
    finally:
        broker.stop()


# Retries enough that a slow machine cannot turn the message into a dead letter before the server is up.
PATIENT = {"delivery": {"max_attempts": 1000, "backoff_max_seconds": 1}}


def test_mail_server_down_then_back(tmp_path):
    port = free_port()
    broker = Broker(tmp_path, port, extra=PATIENT).start()
    smtp = SMTPServer(tmp_path, port)
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        assert broker.call("POST", "/api/v1/recovery", {"identifier": "maria@example.com"})[0] == 202
        listed = wait_until(lambda: (lambda out: out if "maria@example.com" in out and "\t0\t" not in out else None)(
            broker.cli("outbox", "list").stdout), what="a failed attempt in the outbox")
        assert "pending" in listed and "smtp" in listed
        smtp.start()
        [mail] = smtp.wait_for("maria@example.com", timeout=30)
        assert reset_token(text_of(mail))
        wait_until(lambda: "no undelivered messages" in broker.cli("outbox", "list").stdout, what="an empty outbox")
    finally:
        broker.stop()
        smtp.stop()


def test_kill_9_between_commit_and_send(tmp_path):
    port = free_port()
    broker = Broker(tmp_path, port, extra=PATIENT).start()
    smtp = SMTPServer(tmp_path, port)
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        assert broker.call("POST", "/api/v1/recovery", {"identifier": "maria@example.com"})[0] == 202
        broker.kill9()  # committed, not sent: the mail server was not up yet
        smtp.start()
        broker.start()
        [mail] = smtp.wait_for("maria@example.com", timeout=40)
        token = reset_token(text_of(mail))
        assert broker.call("GET", f"/api/v1/recovery/token?token={token}") == (200, {"status": "valid"})
    finally:
        broker.stop()
        smtp.stop()


def test_dead_letters_stay_visible_and_can_be_retried(tmp_path):
    port = free_port()
    broker = Broker(tmp_path, port, extra={"delivery": {"max_attempts": 2, "backoff_max_seconds": 1}}).start()
    smtp = SMTPServer(tmp_path, port)
    try:
        broker.admin("POST", "/api/v1/admin/accounts", MARIA)
        broker.call("POST", "/api/v1/recovery", {"identifier": "maria@example.com"})
        line = wait_until(lambda: next((l for l in broker.cli("outbox", "list").stdout.splitlines() if "\tdead\t" in l), None),
                          what="a dead letter")
        message_id, state, channel, recipient, account, attempts, error = line.split("\t")
        assert (state, channel, recipient, attempts) == ("dead", "email", "maria@example.com", "2")
        assert error != "-"
        smtp.start()
        time.sleep(1.5)
        assert smtp.messages("maria@example.com") == [], "a dead letter is not retried by itself"
        result = broker.cli("outbox", "retry", message_id)
        assert result.returncode == 0, result.stderr
        smtp.wait_for("maria@example.com")
        assert broker.cli("outbox", "retry", "no-such-id").returncode == 1
    finally:
        broker.stop()
        smtp.stop()
