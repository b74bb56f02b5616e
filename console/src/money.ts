// Money arrives as an integer count of the currency's minor unit; it is shown with as many
// decimals as that unit has (ISO 4217), never through floating point.

const ZERO_DECIMALS = new Set(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"]);
const THREE_DECIMALS = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

export function minorUnitDecimals(currency: string): number {
  if (ZERO_DECIMALS.has(currency)) return 0;
  if (THREE_DECIMALS.has(currency)) return 3;
  return 2;
}

// e.g. formatMoney(1234, "USD") === "USD 12.34", formatMoney(500, "JPY") === "JPY 500".
export function formatMoney(minor: number, currency: string): string {
  const decimals = minorUnitDecimals(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(Math.trunc(minor))).padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${currency} ${negative ? "-" : ""}${whole}${decimals > 0 ? "." + fraction : ""}`;
}
