"""MotoServer against the real moto_server: it answers the AWS JSON protocol, serves DynamoDB
transactions safely under concurrency, reset() empties it, a failed start says why, and neither
stop() nor a killed starter leaves anything behind."""
import json
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from local_servers import MotoServer, ServerError, is_alive, port_is_free
from server_process import wait_until

HERE = Path(__file__).resolve().parent
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def dynamodb(moto, operation, body):
    """One DynamoDB JSON-protocol call (moto checks that a SigV4 header is there, not that it is right)."""
    request = urllib.request.Request(moto.url + "/", data=json.dumps(body).encode(), headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{operation}",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    with OPENER.open(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def moto(tmp_path):
    with MotoServer(tmp_path) as server:
        yield server


def test_answers_dynamodb_and_reset_forgets_everything(moto):
    assert moto.url == f"http://127.0.0.1:{moto.port}"
    dynamodb(moto, "CreateTable", {"TableName": "t", "BillingMode": "PAY_PER_REQUEST",
                                   "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                                   "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]})
    assert dynamodb(moto, "ListTables", {})["TableNames"] == ["t"]
    moto.reset()
    assert dynamodb(moto, "ListTables", {})["TableNames"] == []


def test_stop_leaves_nothing(tmp_path):
    moto = MotoServer(tmp_path).start()
    pid, port, directory = moto.pid(), moto.port, moto.dir
    moto.stop()
    assert wait_until(lambda: not is_alive(pid), 10)
    assert port_is_free(port) and not directory.exists()


def test_a_moto_that_fails_is_reported_with_its_log(tmp_path):
    with pytest.raises(ServerError, match="moto_server exited with 1"):
        MotoServer(tmp_path, python="/bin/false").start()


def test_concurrent_dynamodb_transactions_all_succeed(moto):
    """Unserialised, moto answers some of these with HTTP 500 (moto_serialised.py says why)."""
    dynamodb(moto, "CreateTable", {"TableName": "t", "BillingMode": "PAY_PER_REQUEST",
                                   "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                                   "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]})
    failures = []

    def writer(thread):
        for i in range(40):
            item = {"id": {"S": f"{thread}-{i}"}, "pad": {"S": "x" * 200}}
            try:
                dynamodb(moto, "TransactWriteItems", {"TransactItems": [
                    {"Put": {"TableName": "t", "Item": item, "ConditionExpression": "attribute_not_exists(id)"}}]})
            except urllib.error.HTTPError as e:
                failures.append(f"{thread}-{i}: HTTP {e.code}")

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert dynamodb(moto, "Scan", {"TableName": "t", "Select": "COUNT"})["Count"] == 8 * 40


ORPHAN_MAKER = r"""
import json, os, signal, sys
sys.path.insert(0, sys.argv[1])
from local_servers import MotoServer
moto = MotoServer(sys.argv[2]).start()
print(json.dumps({"pid": moto.pid(), "port": moto.port, "dir": str(moto.dir)}), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_starter_leaves_no_moto_behind(tmp_path):
    started = subprocess.run([sys.executable, "-c", ORPHAN_MAKER, str(HERE), str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
    assert started.returncode == -signal.SIGKILL, started.stderr
    report = json.loads(started.stdout)
    assert wait_until(lambda: not is_alive(report["pid"]), 15), report
    assert wait_until(lambda: not Path(report["dir"]).exists(), 5), report
    assert port_is_free(report["port"])
