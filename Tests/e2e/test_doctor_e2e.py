"""`broker doctor` against the real binary: a configuration that is fine passes, one with the
mistakes operators make is refused with each mistake named."""
import json
import socket
import subprocess

from harness import BROKER, ROOT, Broker, free_port


def doctor(config):
    return subprocess.run([BROKER, "doctor", "--config", str(config)], capture_output=True, text=True, timeout=60)


def test_a_working_setup_passes(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port).start()  # creates and migrates the database
    try:
        result = doctor(broker.config)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "mail.smtp_url" in result.stdout and "accepts connections" in result.stdout
        assert "SQLite at" in result.stdout
    finally:
        broker.stop()


def test_the_usual_mistakes_are_named(tmp_path):
    closed = free_port()  # nothing listens here
    config = tmp_path / "prod.yaml"
    config.write_text(json.dumps({
        "server": {"host": "0.0.0.0", "port": free_port(), "public_url": "http://accounts.example.com", "dev_mode": False},
        "database": {"url": f"sqlite://{tmp_path}/missing/broker.sqlite"},
        "admin": {"tokens": ["dev-admin-token-change-me"]},
        "providers": {"directory": str(ROOT / "providers")},
        "mail": {"transport": "smtp", "smtp_url": f"smtp://127.0.0.1:{closed}"},
        "rate_limits": {"enabled": False},
        "apps": [{"client_id": "shop", "client_secret": "short", "redirect_uris": ["http://shop.example.com/cb"]}],
    }))
    result = doctor(config)
    assert result.returncode == 1, result.stdout
    out = result.stdout
    for line in ("problem server.public_url: is http", "problem admin.tokens: holds the sample token",
                 "problem rate_limits.enabled: is false", f"problem mail.smtp_url: 127.0.0.1:{closed} cannot be reached",
                 "warning database.url:", "warning sms.transport: is file",
                 "problem apps[0].redirect_uris: shop has the http URI http://shop.example.com/cb", "warning apps[0].client_secret:"):
        assert line in out, out
    assert not (tmp_path / "missing").exists(), "doctor writes nothing"
    assert out.strip().splitlines()[-1].startswith("5 problems")
