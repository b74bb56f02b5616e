"""The operator console (/console/) and the API reference (/docs/): embedded files served with redirects,
caching, ETag/304, a Content-Security-Policy, and nothing fetched from another origin."""
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from external_service import no_pages

pytestmark = no_pages
TIMEOUT = 10


class _Links(HTMLParser):
    """The URLs a page loads or links to: src/href attributes."""

    def __init__(self):
        super().__init__()
        self.urls, self.inline_scripts, self._in_script = [], 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "script":
            self._in_script = True
            if "src" not in attrs:
                self.inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def links(html):
    parser = _Links()
    parser.feed(html)
    return parser


def get(server, path, **kw):
    return requests.get(server.url(path), timeout=TIMEOUT, **kw)


@pytest.mark.parametrize("folder", ["/console", "/docs"])
def test_the_folder_redirects_to_its_slash(server, folder):
    r = get(server, folder, allow_redirects=False)
    assert r.status_code == 301, r.text
    assert r.headers["Location"] == folder + "/"
    r = get(server, folder + "?x=1", allow_redirects=False)
    assert r.headers["Location"] == folder + "/?x=1"
    assert get(server, folder).url == server.url(folder + "/")  # followed


def test_the_console_index_and_its_hashed_assets(server):
    index = get(server, "/console/")
    assert index.status_code == 200
    assert index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert index.headers["Cache-Control"] == "no-cache"
    assert index.headers["X-Content-Type-Options"] == "nosniff"
    page = links(index.text)
    assert page.inline_scripts == 0
    assets = [u for u in page.urls if u.startswith("/console/assets/")]
    assert any(u.endswith(".js") for u in assets) and any(u.endswith(".css") for u in assets), page.urls
    for url in assets:
        r = get(server, url)
        assert r.status_code == 200, url
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert r.headers["Content-Type"].startswith("text/javascript" if url.endswith(".js") else "text/css")
        assert re.search(r"-[A-Za-z0-9_-]{6,}\.(js|css)$", url), f"{url} is not named after its content"
    script = get(server, next(u for u in assets if u.endswith(".js"))).text
    for testid in ("key-form", "error-banner", "orders-table", "timeline-entry", "chart-latency", "replay-all"):
        assert testid in script, f"the console's script has no {testid}"


def test_etag_and_if_none_match(server):
    index = get(server, "/console/")
    js = next(u for u in links(index.text).urls if u.endswith(".js"))
    first = get(server, js)
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{16,}"', etag), etag
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        r = get(server, js, headers={"If-None-Match": header})
        assert r.status_code == 304, header
        assert r.content == b""
        assert r.headers["ETag"] == etag
        assert r.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert get(server, js, headers={"If-None-Match": '"stale"'}).status_code == 200
    assert index.headers["ETag"] != etag
    assert get(server, "/console/", headers={"If-None-Match": index.headers["ETag"]}).status_code == 304


def test_head_is_the_get_without_body(server):
    r = requests.head(server.url("/docs/swagger-ui-bundle.js"), timeout=TIMEOUT)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["ETag"] == get(server, "/docs/swagger-ui-bundle.js").headers["ETag"]


@pytest.mark.parametrize("path", ["/console/", "/console/favicon.svg", "/docs/", "/docs/docs.js"])
def test_content_security_policy(server, path):
    r = get(server, path)
    assert r.status_code == 200
    policy = {d.split()[0]: d.split()[1:] for d in r.headers["Content-Security-Policy"].split(";") if d.strip()}
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("script-src", []) and "script-src" not in policy  # default: self
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    if path.startswith("/console"):
        assert policy["style-src"] == ["'self'"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/console/assets/nope.js", "/console/nope.txt", "/docs/nope.js",
                                  "/docs/..%2Fconsole%2Findex.html", "/console/assets/%00"])
def test_an_unknown_file_is_a_404_problem(server, path):
    r = get(server, path)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["type"] == "/problems/not-found"


def test_pages_need_no_api_key(start_server):
    srv = start_server(auth="api-key")
    assert requests.get(srv.url("/v1/users"), timeout=TIMEOUT).status_code == 401
    for path in ("/console/", "/docs/", "/docs/swagger-ui-bundle.js"):
        assert requests.get(srv.url(path), timeout=TIMEOUT).status_code == 200, path


def test_docs_renders_the_served_document_from_this_origin_only(server):
    page = get(server, "/docs/")
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    parsed = links(page.text)
    assert parsed.inline_scripts == 0
    origin = urlsplit(server.url("/"))
    for url in parsed.urls:
        absolute = urlsplit(urljoin(page.url, url))
        assert (absolute.scheme, absolute.netloc) == (origin.scheme, origin.netloc), f"{url} is not same-origin"
        assert get(server, absolute.path).status_code == 200, url
    init = get(server, "/docs/docs.js").text
    assert '"/openapi.json"' in init and "tryItOutEnabled: true" in init and "validatorUrl: null" in init
    bundle = get(server, "/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 500_000  # Swagger UI itself, bundled
    assert "SwaggerUIBundle" in bundle.text
    assert get(server, "/docs/swagger-ui.css").headers["Content-Type"] == "text/css; charset=utf-8"
    assert "Apache License" in get(server, "/docs/LICENSE.txt").text
    assert get(server, "/openapi.json").status_code == 200


def test_only_the_page_folders_end_in_a_slash(server):
    # tests/conformance/redocly.yaml turns no-path-trailing-slash off for these two; no API path may.
    paths = get(server, "/openapi.json").json()["paths"]
    assert sorted(p for p in paths if p.endswith("/")) == ["/console/", "/docs/"]
