"""moto_server as the image installs it, but with its DynamoDB requests served one at a time.

Run by MotoServer with moto's own interpreter (moto_python.py): `python moto_serialised.py -H HOST -p PORT`.

Why: moto's DynamoDB backend is not safe under concurrent requests, and the tests send them (several
API threads, relays, notifiers). Found on 2026-12-01 with 16 clients creating orders of one user:
TransactWriteItems deep-copies every table to roll back with while other request threads change
them, and 143 of about a thousand writes failed with HTTP 500 "RuntimeError: dictionary changed
size during iteration" (moto 5.2.1, moto/dynamodb/models/__init__.py transact_write_items); a
cancelled transaction also restores that copy over what other requests wrote meanwhile. DynamoDB
itself does neither, and our retries only hid part of it. Everything else moto serves (SNS, SQS,
its own API) stays concurrent: the notifier's SQS long polls hold a request for seconds.
"""
import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def serialising_dynamodb(app):
    lock = threading.Lock()

    def serve(environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            return app(environ, start_response)
        with lock:
            body = app(environ, start_response)
            try:
                return [b"".join(body)]   # the whole answer is built before the next request starts
            finally:
                if hasattr(body, "close"):
                    body.close()
    return serve


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, serialising_dynamodb(app), threaded=True)


if __name__ == "__main__":
    main()
