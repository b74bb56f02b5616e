"""Recomputes the SigV4 Authorization header of a captured request with botocore, independently of
libcurl: the unit test (sigv4_signature_test.cpp) sends a request through our client to a loopback
receiver, writes what arrived as JSON on our stdin, and compares our answer with what curl sent.

stdin:  {"method", "path", "headers": [[name, value], ...], "body", "access_key", "secret_key",
         "token", "region", "service"}
stdout: {"authorization": "...", "canonical_request": "...", "botocore_would_sign": "a;b;c"}

The headers signed are the ones curl listed in SignedHeaders (botocore would sign every header; a
server checks the listed ones), with the X-Amz-Date that was sent: the signature must then match
byte for byte. Exit 3 when botocore is missing, so the test can tell "cannot check" from "wrong".
"""
import json
import sys

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as error:
    print(f"botocore is not installed: {error}", file=sys.stderr)
    sys.exit(3)


def main():
    captured = json.load(sys.stdin)
    headers = {}
    for name, value in captured["headers"]:
        headers.setdefault(name.lower(), value)
    authorization = headers["authorization"]
    signed_names = authorization.split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";")
    request = AWSRequest(method=captured["method"], url="http://" + headers["host"] + captured["path"],
                         data=captured["body"].encode(), headers={name: headers[name] for name in signed_names})
    credentials = Credentials(captured["access_key"], captured["secret_key"], captured["token"] or None)
    auth = SigV4Auth(credentials, captured["service"], captured["region"])
    request.context["timestamp"] = headers["x-amz-date"]
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    signed = auth.signed_headers(auth.headers_to_sign(request))
    expected = (f"AWS4-HMAC-SHA256 Credential={auth.scope(request)}, "
                f"SignedHeaders={signed}, Signature={signature}")

    everything = AWSRequest(method=captured["method"], url=request.url, data=captured["body"].encode(),
                            headers={name: value for name, value in headers.items() if name != "authorization"})
    json.dump({"authorization": expected, "canonical_request": canonical,
               "botocore_would_sign": auth.signed_headers(auth.headers_to_sign(everything))}, sys.stdout)


if __name__ == "__main__":
    main()
