"""The response hook can fail: real responses against a served document that is true, then against copies
doctored in one place each, and a violation fails the test that made the request (contract_hook.py)."""
import copy
import threading
import uuid

import pytest
import requests

from external_service import key_headers, no_metrics
from conftest import CONTRACT, create_user, user_payload
from contract_hook import ContractHook, ContractViolation
from openapi_contract import Contract


@pytest.fixture(scope="module")
def served(server):
    return requests.get(server.url("/openapi.json"), timeout=10).json()


def judge(doc, resp):
    return Contract(doc).check(resp.request.method, resp.request.url, resp.status_code, resp.headers, resp.content)


def doctored(served, edit):
    doc = copy.deepcopy(served)
    edit(doc)
    return doc


def test_real_responses_conform_to_the_served_document(server, served):
    created = server.post("/v1/users", json=user_payload(notify_channel="webhook",
                                                         webhook_url="https://hooks.example.com/x"))
    for resp in (created, server.get(f"/v1/users/{created.json()['id']}"), server.get("/v1/users?limit=2"),
                 server.post("/v1/users", json={"name": ""}), server.request("PATCH", "/v1/users"),
                 server.get("/nowhere"), server.request("HEAD", "/v1/users"), server.get("/metrics"),
                 server.delete(f"/v1/users/{uuid.uuid4()}")):
        assert judge(served, resp) == [], resp.request.url


@pytest.mark.parametrize("edit, response, expected", [
    (lambda d: d["components"]["schemas"]["User"]["required"].append("nickname"), "user",
     "'nickname' is a required property"),
    (lambda d: d["components"]["schemas"]["User"]["properties"]["phone"].pop("nullable"), "user",
     "phone: None is not of type 'string'"),
    (lambda d: d["components"]["schemas"]["User"]["properties"]["notify_channel"].update(enum=["sms"]), "user",
     "notify_channel: 'email' is not one of ['sms']"),
    (lambda d: d["components"]["schemas"]["User"].update(additionalProperties=False), "webhook-user",
     "Additional properties are not allowed ('webhook_secret' was unexpected)"),
    (lambda d: d["paths"]["/v1/users"]["post"]["responses"].pop("201"), "user",
     "status 201 is not documented"),
    (lambda d: d["components"]["headers"]["Location"].update(schema={"type": "integer"}), "user",
     "header Location: '/v1/users/"),
    (lambda d: (d["components"]["headers"].update(Deprecation={"required": True, "schema": {"type": "string"}}),
                d["paths"]["/v1/users"]["post"]["responses"]["201"]["headers"].update(
                    Deprecation={"$ref": "#/components/headers/Deprecation"})), "user",
     "required header Deprecation is missing"),
    (lambda d: d["components"]["schemas"]["FieldError"]["properties"]["field"].update(enum=["x"]), "422",
     "errors/0/field"),
    (lambda d: d["components"]["schemas"]["Problem"]["properties"]["type"].update(
        enum=["/problems/validation"]), "405", "'/problems/method-not-allowed' is not one of"),
    (lambda d: d["paths"]["/v1/users"]["get"]["responses"]["200"]["content"].update(
        {"application/json": {"schema": {"type": "array"}}}), "head",
     None),  # HEAD has no body to judge: no violation
    pytest.param(lambda d: d["paths"]["/metrics"]["get"]["responses"]["200"].update(
        content={"application/openmetrics-text": {"schema": {"type": "string"}}}), "metrics",
        "Content-Type 'text/plain; version=0.0.4; charset=utf-8' is not documented", marks=no_metrics),
])
def test_a_doctored_document_is_caught(server, served, edit, response, expected):
    calls = {"user": lambda: server.post("/v1/users", json=user_payload()),
             "webhook-user": lambda: server.post("/v1/users", json=user_payload(
                 notify_channel="webhook", webhook_url="https://hooks.example.com/x")),
             "422": lambda: server.post("/v1/users", json={"name": "x", "email": "nope"}),
             "405": lambda: server.request("PATCH", "/v1/users"),
             "head": lambda: server.request("HEAD", "/v1/users"),
             "metrics": lambda: server.get("/metrics")}
    resp = calls[response]()
    problems = judge(doctored(served, edit), resp)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def swap_contract(doc):
    saved = CONTRACT._contract
    CONTRACT._contract = Contract(doc)
    return saved


def test_a_violation_raises_in_the_test_that_made_the_request(server, served):
    doc = doctored(served, lambda d: d["components"]["schemas"]["User"]["required"].append("nickname"))
    saved = swap_contract(doc)
    try:
        with pytest.raises(ContractViolation, match="nickname"):
            create_user(server)
        # requests made without the server's helpers are judged as well
        with pytest.raises(ContractViolation, match="nickname"):
            requests.post(server.url("/v1/users"), json=user_payload(), timeout=10, headers=key_headers())
    finally:
        CONTRACT._contract = saved
    assert len(CONTRACT.take_violations()) == 2  # consumed here: this test expected them


def test_a_violation_in_a_worker_thread_is_recorded_for_the_test(server, served):
    doc = doctored(served, lambda d: d["components"]["schemas"]["User"]["required"].append("nickname"))
    saved = swap_contract(doc)
    try:
        worker = threading.Thread(target=lambda: server.post("/v1/users", json=user_payload()))
        worker.start()
        worker.join(10)
    finally:
        CONTRACT._contract = saved
    found = CONTRACT.take_violations()
    assert [raised for _, raised in found] == [False] and "nickname" in found[0][0]


def test_other_hosts_are_not_judged(server, served):
    doc = doctored(served, lambda d: d["paths"].clear())
    saved = swap_contract(doc)
    try:
        other = requests.get(f"http://localhost:{server.port}/healthz", timeout=10)  # not the registered origin
    finally:
        CONTRACT._contract = saved
    assert other.status_code == 200 and CONTRACT.take_violations() == []


def test_a_service_under_a_base_path_is_judged_by_its_own_paths():
    """A deployed stack's URL ends in its stage (https://…/prod): /prod/v1/users is the document's /v1/users."""
    hook = ContractHook()
    hook._contract = Contract({"openapi": "3.1.0", "paths": {"/v1/users": {"get": {"responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}}}}})
    hook._origins["https://api.example"] = "/prod"

    class Response:
        def __init__(self, url, body):
            self.request = requests.Request("GET", url).prepare()
            self.status_code, self.headers, self.content = 200, {"Content-Type": "application/json"}, body

    hook.judge(Response("https://api.example/prod/v1/users", b"{}"), body_read=True)  # conforms
    with pytest.raises(ContractViolation):
        hook.judge(Response("https://api.example/prod/v1/users", b"[]"), body_read=True)  # not an object
