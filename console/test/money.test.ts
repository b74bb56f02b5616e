import { describe, expect, it } from "vitest";
import { formatMoney } from "../src/money";

describe("formatMoney", () => {
  it("shows two decimals for most currencies", () => {
    expect(formatMoney(1234, "USD")).toBe("USD 12.34");
    expect(formatMoney(5, "EUR")).toBe("EUR 0.05");
    expect(formatMoney(0, "USD")).toBe("USD 0.00");
    expect(formatMoney(10_000_000_000_000, "USD")).toBe("USD 100000000000.00");
  });
  it("knows the currencies without or with three decimals", () => {
    expect(formatMoney(500, "JPY")).toBe("JPY 500");
    expect(formatMoney(1234, "KWD")).toBe("KWD 1.234");
  });
  it("keeps the sign of a negative amount", () => {
    expect(formatMoney(-150, "USD")).toBe("USD -1.50");
  });
});
