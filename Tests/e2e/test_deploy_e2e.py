"""The systemd unit in deploy/ is one systemd accepts, pointing at the real binary."""
import shutil
import signal
import subprocess

from harness import BROKER, ROOT


def test_the_service_unit_verifies(tmp_path):
    # make test installs Debian's systemd for systemd-analyze; a missing one is a failure, not a skip.
    assert shutil.which("systemd-analyze"), "systemd-analyze is not installed (scripts/install-deps.sh --test)"
    unit = (ROOT / "deploy" / "broker.service").read_text().replace("/usr/local/bin/broker", BROKER)
    for setting in ("NoNewPrivileges=yes", "ProtectSystem=strict", "DynamicUser=yes", "StateDirectory=broker"):
        assert setting in unit
    (tmp_path / "broker.service").write_text(unit)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "broker.service")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "broker.service" not in result.stderr, result.stderr


def test_sigterm_lets_requests_in_flight_finish_then_stops(tmp_path, smtp):
    import threading
    import time
    from harness import Broker
    # A costly Argon2 setting makes a sign-in take about a second: long enough to be in flight.
    broker = Broker(tmp_path, smtp.port, extra={"security": {"argon2_memory_kib": 262144, "argon2_iterations": 4}}).start()
    try:
        assert broker.admin("POST", "/api/v1/admin/accounts", {"login": "slow", "password": "slow-password-1"})[0] == 201
        answers = {}
        signing_in = threading.Thread(target=lambda: answers.update(
            login=broker.call("POST", "/api/v1/login", {"login": "slow", "password": "slow-password-1"})))
        signing_in.start()
        time.sleep(0.3)
        broker.process.send_signal(signal.SIGTERM)
        signing_in.join(30)
        assert answers["login"][0] == 200, "the request in flight finished"
        assert broker.process.wait(30) == 0
        log = broker.log.read_text()
        assert "delivery worker stopped" in log
    finally:
        broker.stop()
