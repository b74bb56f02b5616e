"""A TypeScript client generated from the served /openapi.json (openapi-typescript + openapi-fetch,
TypeScript 5) compiles with --strict and runs create / list-all-pages / get / delete / 422 / idempotent
replay against the real server (tests/conformance/client-flow.ts says what each step proves)."""
import json
import os
import shutil
import subprocess

from conformance_tools import CONFORMANCE, NODE_MODULES, node_bin, require_node_modules

PACKAGES = ("openapi-typescript", "openapi-fetch", "typescript")
TSC_FLAGS = ["--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
             "--noUncheckedIndexedAccess", "--noEmitOnError", "--pretty", "false"]


def run(cmd, cwd, timeout=180):
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))} exited {result.returncode}:\n" \
                                   f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    return result


def generated_client(tmp_path, document):
    """tmp_path laid out as a tiny ESM package: the document, its generated types, the flow, node_modules."""
    (tmp_path / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    (tmp_path / "package.json").write_text('{"type": "module", "private": true}\n', encoding="utf-8")
    os.symlink(NODE_MODULES, tmp_path / "node_modules")
    shutil.copy(CONFORMANCE / "client-flow.ts", tmp_path / "client-flow.ts")
    run([node_bin("openapi-typescript"), "openapi.json", "--output", "schema.d.ts"], tmp_path)
    return tmp_path


def test_generated_typescript_client_compiles_strict_and_runs_the_flow(fresh_server, tmp_path):
    node = require_node_modules(*PACKAGES)
    document = fresh_server.get("/openapi.json").json()
    out = generated_client(tmp_path, document)
    version = run([node_bin("tsc"), "--version"], out).stdout
    assert version.startswith("Version 5."), version
    run([node_bin("tsc"), *TSC_FLAGS, "client-flow.ts"], out)
    flow = subprocess.run([node, "client-flow.js", fresh_server.base_url], cwd=out, capture_output=True, text=True,
                          timeout=60)
    assert flow.returncode == 0, f"the client flow failed:\n{flow.stderr[-4000:]}"
    seen = json.loads(flow.stdout)
    assert seen["pages"] == 3 and seen["listed"] == seen["orders"][::-1]
    assert seen["fields"] == ["email", "name"]
    # The server saw what the client did.
    assert fresh_server.get(f"/v1/orders/{seen['orders'][0]}").status_code == 404
    assert fresh_server.get(f"/v1/orders/{seen['replayed']}").json()["note"] == "once"


def test_the_strict_compile_fails_on_a_document_with_the_old_flaws(fresh_server, tmp_path):
    """The compile is a real check: with `default` on a request field and a free-string Problem.type
    (as before issue 13) the same flow does not compile."""
    require_node_modules(*PACKAGES)
    document = fresh_server.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    schemas["CreateOrderRequest"]["properties"]["currency"]["default"] = "USD"
    del schemas["Problem"]["properties"]["type"]["enum"]
    out = generated_client(tmp_path, document)
    result = subprocess.run([node_bin("tsc"), *TSC_FLAGS, "client-flow.ts"], cwd=out, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode != 0
    assert "'currency' is missing" in result.stdout or "currency" in result.stdout, result.stdout[-3000:]
    assert "not assignable to type 'never'" in result.stdout, result.stdout[-3000:]
