"""NINJA_E2E_URL: the e2e suite against a service it did not start — a deployed stack behind API Gateway,
or the local Lambda front (tests/lambda/gateway_front.py). The tests of the module-shared `server` run
against it; those that start, stop or kill their own server, read its logs or run an admin command on
its store skip, saying why. NINJA_E2E_API_KEY, when set, goes with every request as `x-api-key` (the
stack's usage plan wants one); NINJA_E2E_GATEWAY (below) says the service is the Lambda api function."""
import os

import pytest
import requests

from service_http import ServiceHttp

EXTERNAL_URL = os.environ.get("NINJA_E2E_URL", "").rstrip("/")
API_KEY = os.environ.get("NINJA_E2E_API_KEY", "")
# v1|v2: the service is the Lambda api function behind API Gateway (a deployed stack: v1; locally
# tests/lambda/run_e2e_through_lambda), which serves no /metrics and answers HEAD through a proxy reply.
GATEWAY = os.environ.get("NINJA_E2E_GATEWAY", "")

NO_METRICS = "the api function serves no /metrics: a Lambda function's metrics are CloudWatch's"
no_metrics = pytest.mark.skipif(bool(GATEWAY), reason=NO_METRICS)
NO_PAGES = "the api function serves no /console and no /docs: API Gateway would make them public"
no_pages = pytest.mark.skipif(bool(GATEWAY), reason=NO_PAGES)


def not_on_gateway(path):
    """Documented paths that the Lambda api function does not serve: /metrics and the web pages."""
    return bool(GATEWAY) and (path == "/metrics" or path.split("/")[1] in ("console", "docs"))


def key_headers():
    """The API key header for requests made outside the `server` fixture's session."""
    return {"x-api-key": API_KEY} if EXTERNAL_URL and API_KEY else {}


def _needs_process(what):
    pytest.skip(f"{what}: not with NINJA_E2E_URL (the service runs elsewhere)")


class ExternalService(ServiceHttp):
    """The Server interface the shared-server tests use, on a URL."""

    request_timeout = 30  # a cold start of a Lambda function comes on top

    killed = False
    deaths = ()

    def __init__(self, base_url=EXTERNAL_URL, api_key=API_KEY):
        self.base_url = base_url
        self.api_key = api_key or None
        self.session = requests.Session()
        if api_key:
            self.session.headers["x-api-key"] = api_key

    def close(self):
        self.session.close()

    # What only a process of our own has.
    @property
    def proc(self):
        _needs_process("watches the server's process")

    @property
    def host(self):
        _needs_process("speaks raw HTTP/1.1 to the server's socket")

    @property
    def port(self):
        _needs_process("speaks raw HTTP/1.1 to the server's socket")

    @property
    def db_path(self):
        _needs_process("uses the server's database")

    def log_records(self):
        _needs_process("reads the server's log")

    def access_records(self):
        _needs_process("reads the server's access log")

    def wait_for_records(self, *args, **kw):
        _needs_process("reads the server's log")

    def stderr_lines(self):
        _needs_process("reads the server's log")

    def stderr_tail(self, n=40):
        return "(the service runs elsewhere: no log here)"
