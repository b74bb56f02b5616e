"""The HTTP verbs the tests send a service, shared by a server process of the suite's own
(e2e_server.Server) and a service it did not start (external_service.ExternalService): both have a
`session` (requests) and a `base_url`."""


class ServiceHttp:
    request_timeout = 10  # seconds, unless a test says otherwise

    def url(self, path):
        return self.base_url + path

    def request(self, method, path, **kw):
        kw.setdefault("timeout", self.request_timeout)
        return self.session.request(method, self.url(path), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)
