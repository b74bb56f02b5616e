import { describe, expect, it } from "vitest";
import { resolveRoute } from "../src/routes";
import { looksLikeId } from "../src/context";

describe("resolveRoute", () => {
  it("maps the list and detail routes", () => {
    expect(resolveRoute("#/users")).toEqual({ page: "users", param: "" });
    expect(resolveRoute("#/dead-letters")).toEqual({ page: "dead-letters", param: "" });
    expect(resolveRoute("#/orders/0190a0b4-1c2d-7e3f-8a9b-0c1d2e3f4a5b")).toEqual({
      page: "order",
      param: "0190a0b4-1c2d-7e3f-8a9b-0c1d2e3f4a5b",
    });
    expect(resolveRoute("#/users/abc")).toEqual({ page: "user", param: "abc" });
  });
  it("sends anything else to #/orders", () => {
    for (const hash of ["", "#", "#/", "#/nope", "#/charts/x", "#/users/a/b"]) {
      expect(resolveRoute(hash)).toEqual({ page: "orders", param: "", redirect: "#/orders" });
    }
  });
});

describe("looksLikeId", () => {
  it("accepts UUIDs only", () => {
    expect(looksLikeId("0190A0B4-1c2d-7e3f-8a9b-0c1d2e3f4a5b ")).toBe(true);
    expect(looksLikeId("ann@example.com")).toBe(false);
    expect(looksLikeId("")).toBe(false);
  });
});
