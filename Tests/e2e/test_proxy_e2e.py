"""Behind a reverse proxy: the per-address throttle counts the clients that
X-Forwarded-For names, but only when the peer is a trusted proxy."""
from harness import Broker

LIMITS = {"login_per_address": 3, "login_per_account": 100}


def failed_logins(broker, client, n):
    """n wrong passwords for n different logins, as `client` through the proxy."""
    return [broker.call("POST", "/api/v1/login", {"login": f"nobody{i}", "password": "wrong-password"},
                        headers={"X-Forwarded-For": f"198.51.100.77, {client}"})[0] for i in range(n)]


def test_trusted_proxy_throttles_each_forwarded_client(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port, extra={"server": {"trusted_proxies": ["127.0.0.1", "::1"]},
                                                "rate_limits": LIMITS}).start()
    try:
        assert failed_logins(broker, "203.0.113.5", 4) == [401, 401, 401, 429]
        # Another client behind the same proxy has its own count, whatever the first one did.
        assert failed_logins(broker, "203.0.113.6", 1) == [401]
        # The forged left-most entry is not who is counted: the first client stays throttled.
        assert failed_logins(broker, "203.0.113.5", 1) == [429]
    finally:
        broker.stop()


def test_without_trusted_proxies_the_header_is_ignored(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port, extra={"rate_limits": LIMITS}).start()
    try:
        assert failed_logins(broker, "203.0.113.5", 3) == [401, 401, 401]
        # A client cannot escape its throttle by inventing addresses.
        assert failed_logins(broker, "203.0.113.6", 1) == [429]
    finally:
        broker.stop()


def test_bad_trusted_proxy_stops_start_up_naming_the_key(tmp_path, smtp):
    broker = Broker(tmp_path, smtp.port, extra={"server": {"trusted_proxies": ["proxy.internal"]}})
    result = broker.cli("migrate")
    assert result.returncode != 0
    assert "server.trusted_proxies" in result.stderr
