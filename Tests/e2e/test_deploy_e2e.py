"""The systemd unit in deploy/ is one systemd accepts, pointing at the real binary."""
import shutil
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
