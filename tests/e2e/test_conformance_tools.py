"""The ecosystem's own checkers on what the service exposes (issue 13 §3): promtool on /metrics after
varied traffic, @redocly/cli lint on the OpenAPI document (zero problems, warnings included). Each also
runs on a broken copy first, so a checker that silently accepts everything fails the test."""
import json
import subprocess
import uuid

from conformance_tools import CONFORMANCE, ROOT, node_bin, require_node_modules, require_promtool
from external_service import no_metrics
from conftest import create_order, create_user

DOC_FILE = ROOT / "src" / "api" / "openapi.json"


def traffic(server):
    """A bit of everything the metrics count: successes, each error class, HEAD, odd methods."""
    user = create_user(server)
    create_order(server, user["id"])
    server.get("/v1/users?limit=1")
    server.get(f"/v1/orders/{uuid.uuid4()}")
    server.post("/v1/users", json={"name": ""})
    server.request("PATCH", "/v1/users")
    server.request("HEAD", "/v1/orders")
    server.get("/v1/users?cursor=%%%")
    server.get("/nowhere")


def promtool(text):
    return subprocess.run([require_promtool(), "check", "metrics"], input=text, capture_output=True, text=True,
                          timeout=60)


@no_metrics
def test_metrics_pass_promtool_after_traffic(server):
    traffic(server)
    resp = server.get("/metrics")
    assert resp.status_code == 200
    broken = resp.text.replace("http_requests_total", "http_requests", 1)  # counters end in _total
    assert promtool(broken).returncode != 0, "promtool accepted a counter without _total"
    checked = promtool(resp.text)
    assert checked.returncode == 0 and not checked.stdout.strip() and not checked.stderr.strip(), \
        f"promtool check metrics:\n{checked.stdout}{checked.stderr}"
    assert 'method="PATCH"' in resp.text and 'status="422"' in resp.text  # the traffic was counted


def redocly_lint(path):
    require_node_modules("@redocly/cli")
    result = subprocess.run([node_bin("redocly"), "lint", "--config", str(CONFORMANCE / "redocly.yaml"),
                             "--format=json", str(path)], capture_output=True, text=True, timeout=120,
                            cwd=CONFORMANCE)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"redocly lint printed no JSON (exit {result.returncode}):\n{result.stderr[-3000:]}")
    problems = [f"{p['severity']} {p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}"
                for p in report.get("problems", [])]
    return result.returncode, report["totals"], problems


def test_redocly_lint_finds_no_problem_in_the_document(tmp_path):
    doc = json.loads(DOC_FILE.read_text(encoding="utf-8"))
    broken = dict(doc, paths={**doc["paths"], "/v1/users": {"get": {"responses": {}}}})  # no response at all
    broken_file = tmp_path / "broken.json"
    broken_file.write_text(json.dumps(broken), encoding="utf-8")
    rc, totals, _ = redocly_lint(broken_file)
    assert rc != 0 and totals["errors"] > 0, "redocly lint accepted an operation without responses"
    rc, totals, problems = redocly_lint(DOC_FILE)
    assert rc == 0 and totals["errors"] == 0 and totals["warnings"] == 0, "\n".join(problems)
