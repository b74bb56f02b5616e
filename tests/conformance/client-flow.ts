// A client generated from the served /openapi.json (openapi-typescript → schema.d.ts beside this file,
// openapi-fetch at run time), compiled with `tsc --strict` and run against the real server by
// tests/e2e/test_conformance_client.py. Compiling is half the test: optional request fields must stay
// optional, Problem.type must be a closed union (the switch below is exhaustive), a ValidationProblem must
// have `errors`. Running is the other half: create, list every page, get, delete, 422, idempotent replay.
//
// usage: node client-flow.js BASE_URL   → prints one JSON line of what it saw; exits 1 on a failed check
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];
type ValidationProblem = components["schemas"]["ValidationProblem"];

const baseUrl = process.argv[2];
if (!baseUrl) throw new Error("usage: node client-flow.js BASE_URL");
const client = createClient<paths>({ baseUrl });

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`);
}

// Exhaustive over Problem.type: a free-string type would leave `never` unreachable and fail to compile.
function kind(type: Problem["type"]): "client" | "server" | "retry" {
  switch (type) {
    case "/problems/malformed-request":
    case "/problems/malformed-json":
    case "/problems/bad-query":
    case "/problems/bad-idempotency-key":
    case "/problems/unauthorized":
    case "/problems/admin-key-required":
    case "/problems/admin-disabled":
    case "/problems/not-found":
    case "/problems/method-not-allowed":
    case "/problems/email-taken":
    case "/problems/payload-too-large":
    case "/problems/uri-too-long":
    case "/problems/unsupported-media-type":
    case "/problems/validation":
    case "/problems/idempotency-mismatch":
    case "/problems/headers-too-large":
      return "client";
    case "/problems/internal":
      return "server";
    case "/problems/idempotency-in-flight":
    case "/problems/too-many-requests":
    case "/problems/not-ready":
    case "/problems/overloaded":
    case "/problems/unavailable":
      return "retry";
    default: {
      const unknown: never = type;
      return unknown;
    }
  }
}

function isValidation(problem: { type: Problem["type"] }): problem is ValidationProblem {
  return problem.type === "/problems/validation" && Array.isArray((problem as ValidationProblem).errors);
}

async function createUser(email: string, name: string) {
  // No notify_channel: optional, its default stated in words (a `default` made generated types require it).
  const { data, error, response } = await client.POST("/v1/users", { body: { name, email } });
  check(response.status === 201 && data !== undefined && error === undefined, `create user ${response.status}`);
  check(data.notify_channel === "email", "notify_channel defaults to email");
  check(response.headers.get("Location") === `/v1/users/${data.id}`, "Location of the user");
  return data;
}

async function main() {
  const tag = Math.random().toString(36).slice(2, 10);
  const user = await createUser(`ts-${tag}@example.com`, "TypeScript Client");
  const extra = await createUser(`ts-${tag}-2@example.com`, "Second");

  // Orders without currency: optional too (USD).
  const created: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { data, response } = await client.POST("/v1/orders", {
      body: { user_id: user.id, items: [{ sku: `SKU-${i}`, quantity: i + 1, unit_price: 100 }] },
    });
    check(response.status === 201 && data !== undefined, `create order ${response.status}`);
    check(data.currency === "USD" && data.total === (i + 1) * 100, "currency defaults to USD, total is exact");
    created.push(data.id);
  }

  // Every page of the user's orders, two at a time, by next_cursor.
  const listed: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const { data, response } = await client.GET("/v1/users/{id}/orders", {
      params: { path: { id: user.id }, query: { limit: 2, cursor } },
    });
    check(response.status === 200 && data !== undefined, `list page ${response.status}`);
    listed.push(...data.items.map((o) => o.id));
    cursor = data.next_cursor ?? undefined;
    pages++;
  } while (cursor !== undefined && pages < 50);
  check(JSON.stringify(listed) === JSON.stringify([...created].reverse()), "all pages, newest first, once each");

  // Get, delete, then not found: the error body is a typed Problem.
  const got = await client.GET("/v1/orders/{id}", { params: { path: { id: created[0]! } } });
  check(got.response.status === 200 && got.data?.id === created[0], "get order");
  const gone = await client.DELETE("/v1/orders/{id}", { params: { path: { id: created[0]! } } });
  check(gone.response.status === 204 && gone.error === undefined, `delete order ${gone.response.status}`);
  const missing = await client.GET("/v1/orders/{id}", { params: { path: { id: created[0]! } } });
  check(missing.response.status === 404 && missing.error !== undefined, "deleted order is 404");
  check(missing.error.type === "/problems/not-found" && kind(missing.error.type) === "client", "404 problem");

  // 422: every offending field, typed.
  const invalid = await client.POST("/v1/users", { body: { name: " ", email: "not an address" } });
  check(invalid.response.status === 422 && invalid.error !== undefined, `422 ${invalid.response.status}`);
  check(isValidation(invalid.error), "a 422 validation problem");
  const fields = invalid.error.errors.map((e) => e.field).sort();
  check(JSON.stringify(fields) === JSON.stringify(["email", "name"]), `fields ${fields}`);

  // Idempotent replay: same key, same body → the same order, marked replayed.
  const key = `ts-${tag}`;
  const body = { user_id: extra.id, items: [{ sku: "ONCE", quantity: 1, unit_price: 5 }], note: "once" };
  const first = await client.POST("/v1/orders", { body, params: { header: { "Idempotency-Key": key } } });
  const again = await client.POST("/v1/orders", { body, params: { header: { "Idempotency-Key": key } } });
  check(first.response.status === 201 && again.response.status === 201, "both 201");
  check(first.data?.id === again.data?.id, "the replay is the same order");
  check(again.response.headers.get("Idempotent-Replayed") === "true", "Idempotent-Replayed: true");
  check(first.response.headers.get("Idempotent-Replayed") === null, "the first is not a replay");
  const mismatch = await client.POST("/v1/orders", {
    body: { ...body, note: "twice" },
    params: { header: { "Idempotency-Key": key } },
  });
  check(mismatch.response.status === 422 && mismatch.error?.type === "/problems/idempotency-mismatch", "mismatch");

  const removed = await client.DELETE("/v1/users/{id}", { params: { path: { id: extra.id } } });
  check(removed.response.status === 204, `delete user ${removed.response.status}`);

  process.stdout.write(
    JSON.stringify({ user: user.id, orders: created, listed, pages, fields, replayed: again.data?.id }) + "\n",
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
