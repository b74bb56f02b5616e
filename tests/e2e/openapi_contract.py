"""Checks one HTTP response against an OpenAPI 3.0 document: its status is documented for the operation,
its documented (required) headers are present and of their schema, its media type is documented and its
body matches that media type's schema.

openapi-schema-validator is not packaged for Debian 12, so schemas are checked with Debian's
python3-jsonschema (Draft 4, the dialect OpenAPI 3.0 schemas extend). The one OpenAPI keyword Draft 4 lacks
is `nullable`: a copy of the document is made with `"nullable": true` turned into a "null" type, exactly as
OpenAPI 3.0.3 reads it (an `enum` is not widened: a nullable enum must list null itself). `$ref`s resolve
against that whole copy, so a `#/components/...` pointer anywhere means what it means in the document.
Validators are compiled once per schema object and kept.
"""
import copy
import datetime as dt
import json
import re
import warnings
from urllib.parse import urlsplit

import jsonschema

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
INT_RANGES = {"int32": (-(2 ** 31), 2 ** 31 - 1), "int64": (-(2 ** 63), 2 ** 63 - 1)}
RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
# What a path with no such method, or no such path, answers: the shared responses of the document.
UNROUTED = {"404": "NotFound", "405": "MethodNotAllowed", "default": "UnexpectedError"}


def _with_null_types(node):
    """OpenAPI 3.0 `nullable: true` as JSON Schema: "null" joins the type (in place)."""
    if isinstance(node, dict):
        for value in node.values():
            _with_null_types(value)
        if node.get("nullable") is True:
            if isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            elif "type" not in node:
                rest = {k: v for k, v in node.items() if k != "nullable"}
                node.clear()
                node["anyOf"] = [{"type": "null"}, rest]
    elif isinstance(node, list):
        for value in node:
            _with_null_types(value)


def _format_checker():
    checker = jsonschema.FormatChecker(formats=("uuid",))

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value):
        if not isinstance(value, str):
            return True
        if not RFC3339_RE.match(value):
            raise ValueError("not RFC 3339")
        dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return True

    for name, (low, high) in INT_RANGES.items():
        checker.checks(name)(lambda v, low=low, high=high: not isinstance(v, int) or low <= v <= high)
    return checker


def _describe(error):
    """Where and what; for a oneOf/anyOf, the complaint of the alternative that matched furthest (the
    deepest one: with a discriminator, the others fail at the discriminating property itself)."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message[:300]}"


def _template_regex(template):
    parts = [re.escape(p) if not p.startswith("{") else "[^/]+" for p in template.split("/")]
    return re.compile("^" + "/".join(parts) + "$")


class Contract:
    """One OpenAPI document, ready to judge responses: check(...) returns a list of violations."""

    def __init__(self, document):
        self.document = document
        self._schema_doc = copy.deepcopy(document)
        _with_null_types(self._schema_doc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # RefResolver: fine for jsonschema 4.10
            self._resolver = jsonschema.RefResolver(base_uri="", referrer=self._schema_doc)
        self._formats = _format_checker()
        self._validators = {}
        # Literal paths before templates, so /v1/users never reads as /v1/users/{id}'s sibling.
        self._paths = sorted(((_template_regex(p), p) for p in document["paths"]), key=lambda rp: "{" in rp[1])

    # ---- lookup ------------------------------------------------------------------------------------
    def _deref(self, obj):
        """A Response/Header object with its $ref followed (in the schema copy: nullable already read)."""
        for _ in range(10):
            if not (isinstance(obj, dict) and "$ref" in obj):
                return obj
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                _, obj = self._resolver.resolve(obj["$ref"])
        raise ValueError(f"$ref chain too long at {obj}")

    def template_of(self, path):
        for regex, template in self._paths:
            if regex.match(path):
                return template
        return None

    def responses_for(self, method, path):
        """(name of what answered, {status: Response object}) for a request."""
        template = self.template_of(path)
        if template is not None:
            item = self._schema_doc["paths"][template]
            # HEAD is the GET without its body (RFC 9110 §9.3.2), as the document says.
            operation = item.get(method.lower()) or (item.get("get") if method.upper() == "HEAD" else None)
            if operation is not None:
                return f"{method} {template} ({operation.get('operationId')})", operation["responses"]
        shared = self._schema_doc["components"]["responses"]
        where = f"{method} {template}" if template else f"{method} {path} (no such path)"
        return where, {status: shared[name] for status, name in UNROUTED.items()}

    # ---- validation --------------------------------------------------------------------------------
    def _schema_errors(self, schema, instance):
        key = id(schema)
        validator = self._validators.get(key)
        if validator is None:
            validator = jsonschema.Draft4Validator(schema, resolver=self._resolver, format_checker=self._formats)
            self._validators[key] = (validator, schema)  # keep schema alive: its id stays unique
        else:
            validator = validator[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [_describe(e) for e in errors[:10]]

    def _header_errors(self, response_obj, headers):
        problems = []
        for name, header in (response_obj.get("headers") or {}).items():
            header = self._deref(header)
            value = headers.get(name)
            if value is None:
                if header.get("required"):
                    problems.append(f"required header {name} is missing")
                continue
            schema = self._deref(header.get("schema") or {})
            instance = value
            if schema.get("type") == "integer":
                if not re.fullmatch(r"-?\d+", value.strip()):
                    problems.append(f"header {name}: {value!r} is not an integer")
                    continue
                instance = int(value)
            problems += [f"header {name}: {e}" for e in self._schema_errors(schema, instance)]
        return problems

    def _body_errors(self, response_obj, content_type, body):
        content = response_obj.get("content") or {}
        if not content:
            return [] if not body else [f"the document declares no body, got {len(body)} bytes"]
        media = content_type.split(";")[0].strip().lower()
        documented = {k.lower(): v for k, v in content.items()}
        if media not in documented:
            return [f"Content-Type {content_type!r} is not documented (documented: {sorted(documented)})"]
        schema = documented[media].get("schema")
        if schema is None or not (media == "application/json" or media.endswith("+json")):
            return []
        try:
            instance = json.loads(body)
        except ValueError as exc:
            return [f"the {media} body is not JSON: {exc}"]
        return [f"body {e}" for e in self._schema_errors(schema, instance)]

    def check(self, method, url, status, headers, body, body_read=True):
        """Violations of the document by one response (an empty list when it conforms).

        headers: a case-insensitive mapping; body: bytes (ignored for HEAD, and when body_read is False)."""
        path = urlsplit(url).path
        where, responses = self.responses_for(method, path)
        code = str(status)
        response_obj = responses.get(code)
        if response_obj is None:
            if status < 400:
                return [f"{where}: status {status} is not documented (successes are never 'default')"]
            response_obj = responses.get("default")
            if response_obj is None:
                return [f"{where}: status {status} is not documented and the operation has no default"]
        response_obj = self._deref(response_obj)
        problems = self._header_errors(response_obj, headers)
        if method.upper() == "HEAD":
            if body:
                problems.append(f"a HEAD response has a body of {len(body)} bytes")
        elif body_read:
            problems += self._body_errors(response_obj, headers.get("Content-Type", ""), body)
        return [f"{where} -> {status}: {p}" for p in problems]
