"""The served OpenAPI document: identical to src/api/openapi.json, valid, and true to the router.

Uses the `server` fixture from conftest.py (`.base_url`, optionally `.api_key`).
"""
import glob
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from external_service import GATEWAY, not_on_gateway
import pytest
import requests

DOC_FILE = Path(__file__).resolve().parents[2] / "src" / "api" / "openapi.json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROBE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
OPS_PATHS = {"/healthz", "/readyz", "/metrics", "/openapi.json"}
TIMEOUT = 10

VALIDATE_SCRIPT = """
import json, sys
try:
    from openapi_spec_validator import validate
except ImportError:  # before 0.7
    from openapi_spec_validator import validate_spec as validate
validate(json.load(sys.stdin))
print("valid")
"""


def _headers(server):
    key = getattr(server, "api_key", None)
    return {"x-api-key": key} if key else {}


def _documented_operations(doc):
    """(path, METHOD, {status codes}) for every operation, 'default' left out."""
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                codes = {int(c) for c in operation["responses"] if c != "default"}
                yield path, method.upper(), codes


def _concrete(path):
    """A template path with every {param} replaced by a random UUID."""
    parts = path.split("/")
    return "/".join(str(uuid.uuid4()) if p.startswith("{") else p for p in parts)


def _interpreter_candidates():
    env = os.environ.get("NINJA_OPENAPI_PYTHON")
    if env:
        yield env
    on_path = shutil.which("python3")
    if on_path:
        yield on_path
    yield "/root/.pyenv/shims/python3"
    yield from sorted(glob.glob("/root/.pyenv/versions/*/bin/python3"), reverse=True)


def _validator_python():
    for candidate in _interpreter_candidates():
        try:
            probe = subprocess.run([candidate, "-c", "import openapi_spec_validator"],
                                   capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    return None


@pytest.fixture(scope="module")
def served(server):
    r = requests.get(server.base_url + "/openapi.json", timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return r


@pytest.fixture(scope="module")
def doc(served):
    return served.json()


def test_served_document_is_the_source_file(served):
    assert served.headers["Content-Type"].split(";")[0].strip().lower() == "application/json"
    assert served.json() == json.loads(DOC_FILE.read_text(encoding="utf-8"))
    assert served.json()["openapi"].startswith("3.")


def test_served_document_is_valid_openapi(doc):
    python = _validator_python()
    if python is None:
        pytest.fail("no Python interpreter with openapi_spec_validator found (tried $NINJA_OPENAPI_PYTHON, "
                    "python3 on PATH, /root/.pyenv/shims/python3, /root/.pyenv/versions/*/bin/python3); "
                    "install it (pip install openapi-spec-validator) or set NINJA_OPENAPI_PYTHON")
    result = subprocess.run([python, "-c", VALIDATE_SCRIPT], input=json.dumps(doc),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{python}: invalid OpenAPI document:\n{result.stderr[-4000:]}"


def test_every_documented_operation_routes(server, doc):
    operations = [op for op in _documented_operations(doc)
                  if (op[0].startswith("/v1/") or op[0] in OPS_PATHS) and not (GATEWAY and op[0] == "/metrics")]
    assert operations, "the document lists no operations"
    failures = []
    for path, method, codes in operations:
        kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        r = requests.request(method, server.base_url + _concrete(path), headers=_headers(server),
                             timeout=TIMEOUT, **kwargs)
        if r.status_code == 405 or r.status_code not in codes:
            failures.append(f"{method} {path}: got {r.status_code}, documented {sorted(codes)}")
    assert not failures, "\n".join(failures)


def test_undocumented_methods_get_405_with_allow(server, doc):
    failures = []
    for path, item in doc["paths"].items():
        if not_on_gateway(path):
            continue
        documented = {m.upper() for m in item if m in HTTP_METHODS} - {"HEAD", "OPTIONS"}
        for method in PROBE_METHODS:
            if method in documented:
                continue
            r = requests.request(method, server.base_url + _concrete(path), headers=_headers(server),
                                 timeout=TIMEOUT)
            allow = {m.strip().upper() for m in r.headers.get("Allow", "").split(",") if m.strip()}
            allow -= {"HEAD", "OPTIONS"}
            if r.status_code != 405 or allow != documented:
                failures.append(f"{method} {path}: got {r.status_code} Allow={r.headers.get('Allow')!r}, "
                                f"expected 405 with {sorted(documented)}")
            elif not r.headers.get("Content-Type", "").startswith("application/problem+json"):
                failures.append(f"{method} {path}: 405 without application/problem+json")
    assert not failures, "\n".join(failures)


# Addresses at the edges of the rule: the document's pattern and the server must agree on each.
EMAIL_PROBES = [
    "ada@example.com", "o.dd@example.com", "a!#$%&'*+-/=?^_`{|}~z@example.com", "x@xn--bcher-kva.example",
    "a@b.c", "a@b..c", "a@-b.com", "a@b-.com", "o..dd@example.com", ".a@example.com", "a.@example.com",
    "postmaster>,<x@example.com", "a;b@example.com", '"a b"@example.com', "jos\u00e9@example.com",
    "a@b\u00fccher.example", "a@example.c0m", "a@ex_ample.com", "l" * 65 + "@example.com",
    "l" * 64 + "@example.com", "a@" + "d" * 64 + ".com",
]


@pytest.mark.parametrize("local_and_domain", EMAIL_PROBES, ids=lambda v: v[:40])
def test_the_email_pattern_is_what_the_server_accepts(server, doc, local_and_domain):
    import re
    pattern = doc["components"]["schemas"]["CreateUserRequest"]["properties"]["email"]["pattern"]
    # Python's re reads this pattern (lookahead, classes, quantifiers) as ECMA-262 does.
    # Unique per run: a suffix in the local part when there is room, else a fresh domain label.
    local, _, domain = local_and_domain.rpartition("@")
    tag = uuid.uuid4().hex[:8]
    email = f"{local}@{tag}{domain}" if domain[:1].isalnum() else local_and_domain
    documented = re.search(pattern, email) is not None
    resp = requests.post(server.base_url + "/v1/users", headers={**_headers(server), "Content-Type": "application/json"},
                         json={"name": "Probe", "email": email, "notify_channel": "none"}, timeout=TIMEOUT)
    assert resp.status_code in (201, 422), resp.text
    assert (resp.status_code == 201) == documented, f"{email!r}: server {resp.status_code}, pattern {documented}"
