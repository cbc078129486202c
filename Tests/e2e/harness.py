"""Real processes for end-to-end tests: the broker binary, an aiosmtpd SMTP
server writing a Maildir, and an HTTP SMS gateway sink. Nothing is mocked:
the broker talks SMTP and HTTP to them over loopback."""
import email
import email.policy
import http.server
import json
import mailbox
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("BROKER_BIN", str(ROOT / ".build" / "debug" / "broker"))
ADMIN_TOKEN = "e2e-admin-token-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=20.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def arrival_order(key):
    """Maildir names are "<sec>.M<usec>P<pid>Q<count>.<host>" with the microseconds
    unpadded, so a plain string sort can put two mails of the same second out of
    order (M987 after M12345). Compare the numbers instead; the server's counter Q
    breaks a tie within one microsecond."""
    m = re.match(r"(\d+)\.M(\d+)P\d+Q(\d+)", key)
    return tuple(int(g) for g in m.groups()) if m else (0, 0, 0)


class SMTPServer:
    """aiosmtpd with its Mailbox handler: every message lands in a Maildir."""

    def __init__(self, workdir, port=None):
        self.port = port or free_port()
        self.maildir = Path(workdir) / f"maildir-{self.port}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", str(self.maildir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._listening, what="SMTP server")
        return self

    def _listening(self):
        if self.process.poll() is not None:
            raise AssertionError(f"aiosmtpd exited with {self.process.returncode} (port {self.port} taken?)")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def messages(self, to=None):
        return [msg for msg, _ in self.received(to)]

    def raw(self, to=None):
        """The messages as they came over the wire, bytes."""
        return [raw for _, raw in self.received(to)]

    def received(self, to):
        if not self.maildir.exists():
            return []
        box = mailbox.Maildir(str(self.maildir), factory=None, create=False)
        found = []
        for key in sorted(box.keys(), key=arrival_order):
            raw = box.get_bytes(key)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            if to is None or to in str(msg["To"]):
                found.append((msg, raw))
        return found

    def wait_for(self, to, count=1, timeout=20.0):
        return wait_until(lambda: (lambda m: m if len(m) >= count else None)(self.messages(to)),
                          timeout=timeout, what=f"{count} message(s) to {to}")


def text_of(msg):
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content()


def html_of(msg):
    part = msg.get_body(preferencelist=("html",))
    return part.get_content() if part else None


def reset_token(text):
    m = re.search(r"/recover/reset\?token=([A-Za-z0-9_-]+)", text)
    return m.group(1) if m else None


class SMSSink:
    """A real HTTP server standing in for an SMS gateway; it records what it is sent."""

    def __init__(self, token="sms-gateway-token"):
        self.token = token
        self.received = []
        self.port = free_port()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Authorization") != f"Bearer {sink.token}":
                    self.send_response(401)
                    self.end_headers()
                    return
                sink.received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/sms"

    def wait_for(self, to, count=1, timeout=20.0):
        return wait_until(lambda: (lambda m: m if len(m) >= count else None)([r for r in self.received if r["to"] == to]),
                          timeout=timeout, what=f"{count} SMS to {to}")

    def close(self):
        self.server.shutdown()


class Broker:
    """The real `broker serve` process with a config of the test's own."""

    def __init__(self, workdir, smtp_port, sms_url=None, extra=None, sms_token="sms-gateway-token"):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = self.workdir / f"broker-{self.port}.yaml"
        self.log = self.workdir / f"broker-{self.port}.log"
        self.process = None
        sections = {
            "server": {"host": "127.0.0.1", "port": self.port, "public_url": self.url, "dev_mode": True,
                       "allowed_return_to": [self.url]},
            "database": {"url": f"sqlite://{self.workdir}/broker.sqlite"},
            "admin": {"tokens": [ADMIN_TOKEN]},
            "providers": {"directory": str(ROOT / "providers")},
            "mail": {"transport": "smtp", "smtp_url": f"smtp://127.0.0.1:{smtp_port}", "from": "Accounts <no-reply@broker.test>"},
            "sms": {"transport": "http" if sms_url else "file", "http_url": sms_url or "http://127.0.0.1:9/sms",
                    "http_token": sms_token, "file_directory": str(self.workdir / "sms")},
            "delivery": {"max_attempts": 10, "backoff_max_seconds": 1},
            "security": {"argon2_memory_kib": 1024, "argon2_iterations": 1},
        }
        for key, values in (extra or {}).items():
            if isinstance(values, list):
                sections[key] = values  # a list section (apps) is set whole
            else:
                sections.setdefault(key, {}).update(values)
        self.config.write_text(json.dumps(sections))  # JSON is YAML

    def start(self):
        self.process = subprocess.Popen([BROKER, "serve", "--config", str(self.config)],
                                        stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        wait_until(self._ready, what=f"broker on {self.url} (log: {self.log})")
        return self

    def _ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"broker exited: {self.log.read_text()[-2000:]}")
        try:
            return self.call("GET", "/health/ready")[0] == 200
        except OSError:
            return False

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def cli(self, *args, stdin=None):
        return subprocess.run([BROKER, *args, "--config", str(self.config)], input=stdin, capture_output=True, text=True, timeout=60)

    def call(self, method, path, body=None, token=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            request.add_header(k, v)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, (json.loads(raw) if raw else None)

    def admin(self, method, path, body=None):
        return self.call(method, path, body, token=ADMIN_TOKEN)
