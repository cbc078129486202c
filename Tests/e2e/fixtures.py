"""Fixtures shared by the end-to-end and browser suites: the real SMTP server and SMS gateway sink."""
import pytest

from harness import SMSSink, SMTPServer


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
