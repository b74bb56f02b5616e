"""Every response a test receives from a ninja-orders server through `requests` is checked against the
OpenAPI document that server serves (openapi_contract.Contract).

Servers register their base URL once listening (conftest.Server); `requests.Session.send` is wrapped for
the whole pytest session, so `server.get(...)`, `requests.get(server.url(...))` and sessions a test makes
itself are all covered. Raw sockets (rawhttp.py) and curl are not: they test the wire below the contract.

A violation raises ContractViolation in the thread that made the request when that is the main thread;
from other threads (a test's workers) it is only recorded. Either way the test that made the request fails
(conftest's `_contract_violations_fail_the_test`), even if it swallowed the exception.
"""
import threading

import requests

from openapi_contract import Contract


class ContractViolation(AssertionError):
    pass


class ContractHook:
    """The served document (fetched once: every server of a run is the same binary) and the servers."""

    def __init__(self):
        self._lock = threading.Lock()
        self._contract = None
        self._origins = {}  # origin (scheme://host:port) -> the base path the service is served under
        self.violations = []
        self.judged = 0
        self._original_send = None

    # ---- servers -------------------------------------------------------------------------------
    def register(self, base_url):
        """Called once a server listens: fetches its /openapi.json the first time, then judges its answers."""
        with self._lock:
            self._origins[_origin(base_url)] = base_url[len(_origin(base_url)):]  # "/prod" behind a stage
            if self._contract is not None:
                return
        resp = self._send_unchecked(requests.Request("GET", base_url + "/openapi.json").prepare(), timeout=10)
        if resp.status_code != 200:  # e.g. a server at its connection limit: the next one will serve it
            return
        contract = Contract(resp.json())
        with self._lock:
            self._contract = self._contract or contract

    def unregister(self, base_url):
        with self._lock:
            self._origins.pop(_origin(base_url), None)

    # ---- requests ------------------------------------------------------------------------------
    def install(self):
        self._original_send = requests.Session.send
        hook = self

        def send(session, request, **kwargs):
            response = hook._original_send(session, request, **kwargs)
            hook.judge(response, body_read=not kwargs.get("stream", False))
            return response

        requests.Session.send = send

    def uninstall(self):
        if self._original_send is not None:
            requests.Session.send = self._original_send
            self._original_send = None

    def _send_unchecked(self, prepared, **kwargs):
        with requests.Session() as s:
            return (self._original_send or requests.Session.send)(s, prepared, **kwargs)

    def judge(self, response, body_read=True):
        request = response.request
        origin = _origin(request.url)
        with self._lock:
            contract = self._contract if origin in self._origins else None
            base_path = self._origins.get(origin, "")
        if contract is None:
            return
        url = request.url
        if base_path and url.startswith(origin + base_path):
            url = origin + url[len(origin + base_path):]  # the document's paths are the service's own
        with self._lock:
            self.judged += 1
        body = response.content if body_read else b""
        problems = contract.check(request.method, url, response.status_code, response.headers, body,
                                  body_read=body_read)
        if not problems:
            return
        message = "response does not match the served OpenAPI document:\n  " + "\n  ".join(problems)
        main = threading.current_thread() is threading.main_thread()
        with self._lock:
            self.violations.append((message, main))
        if main:
            raise ContractViolation(message)

    def take_violations(self):
        with self._lock:
            found, self.violations = self.violations, []
        return found


def _origin(url):
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
