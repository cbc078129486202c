"""Fixtures shared by the end-to-end and browser suites: the real SMTP server, SMS gateway sink
and OpenID Connect provider."""
import pytest

from harness import SMSSink, SMTPServer
from social import OIDCProvider


@pytest.fixture
def smtp(tmp_path):
    server = SMTPServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def sms():
    sink = SMSSink()
    yield sink
    sink.close()


@pytest.fixture
def oidc():
    provider = OIDCProvider()
    yield provider
    provider.stop()
