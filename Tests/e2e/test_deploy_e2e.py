"""The systemd unit in deploy/ is one systemd accepts, pointing at the real binary."""
import shutil
import subprocess

import pytest

from harness import BROKER, ROOT


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_service_unit_verifies(tmp_path):
    unit = (ROOT / "deploy" / "broker.service").read_text().replace("/usr/local/bin/broker", BROKER)
    for setting in ("NoNewPrivileges=yes", "ProtectSystem=strict", "DynamicUser=yes", "StateDirectory=broker"):
        assert setting in unit
    (tmp_path / "broker.service").write_text(unit)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "broker.service")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "broker.service" not in result.stderr, result.stderr
