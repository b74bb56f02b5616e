// Hash routes: "#/orders", "#/orders/{id}", … Anything else is the default page, #/orders.
export interface RouteMatch {
  page: string;
  param: string;
  redirect?: string; // set when the hash was not a route: the one shown instead
}

const LISTS = new Set(["users", "orders", "dead-letters", "api-keys", "charts"]);
const DETAILS: Record<string, string> = { users: "user", orders: "order" };

export function resolveRoute(hash: string): RouteMatch {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(safeDecode);
  const [first = "", second, ...rest] = parts;
  if (rest.length === 0 && second !== undefined && DETAILS[first]) return { page: DETAILS[first]!, param: second };
  if (second === undefined && LISTS.has(first)) return { page: first, param: "" };
  return { page: "orders", param: "", redirect: "#/orders" };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
