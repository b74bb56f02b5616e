"""--ca-file: the CA certificates every HTTPS peer is checked against (webhooks here; AWS and SMTP go
through the same libcurl option). A Lambda package carries Debian's bundle because Amazon Linux keeps
its own where Debian's libcurl does not look; this shows the option is what decides."""
import ssl
import subprocess

import pytest

from conftest import create_order, create_user
from receivers import WebhookReceiver
from test_notifications import notifications, wait_status

FAST_RETRIES = {"retry_base_ms": 50, "retry_max_ms": 100}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: trusted only by a CA file that holds it."""
    d = tmp_path_factory.mktemp("tls")
    key, cert = d / "key.pem", d / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, cert


@pytest.fixture
def https_webhooks(certificate):
    key, cert = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    receiver = WebhookReceiver(tls=context)
    yield receiver
    receiver.close()


def webhook_order(srv, receiver, name):
    user = create_user(srv, notify_channel="webhook", webhook_url=receiver.url("/" + name))
    receiver.expect(name, user["webhook_secret"])
    return create_order(srv, user["id"])


def test_a_peer_signed_by_the_ca_file_is_trusted(start_server, https_webhooks, certificate):
    _, cert = certificate
    srv = start_server(webhook_allow_private=True, ca_file=str(cert), **FAST_RETRIES)
    order = webhook_order(srv, https_webhooks, "trusted")
    wait_status(srv, order["id"], "delivered")
    seen = https_webhooks.for_path("trusted")
    assert len(seen) == 1 and seen[0]["verified"]


def test_without_the_ca_file_the_same_peer_is_refused(start_server, https_webhooks):
    srv = start_server(webhook_allow_private=True, max_attempts=2, **FAST_RETRIES)
    order = webhook_order(srv, https_webhooks, "untrusted")
    dead = wait_status(srv, order["id"], "dead")
    assert "certificate" in (dead["last_error"] or "").lower(), dead
    assert https_webhooks.for_path("untrusted") == []
    assert notifications(srv, order["id"])[0]["attempts"] == 2
