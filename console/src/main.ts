// The console's shell: header with navigation and the key controls, the error banner, the key
// form, and hash routing (#/orders, #/orders/{id}, …) to one page renderer at a time.
import "./style.css";
import { Api, ApiError, sessionKeyStore } from "./api";
import type { PageContext, PageRender } from "./context";
import { h, replaceChildren } from "./dom";
import { renderApiKeys } from "./pages/api_keys";
import { renderCharts } from "./pages/charts";
import { renderDeadLetters } from "./pages/dead_letters";
import { renderOrder } from "./pages/order";
import { renderOrders } from "./pages/orders";
import { renderUser } from "./pages/user";
import { renderUsers } from "./pages/users";
import { resolveRoute } from "./routes";

const keys = sessionKeyStore();
const api = new Api(keys);

const PAGES: Record<string, { title: string; render: PageRender; nav: string }> = {
  users: { title: "Users", render: renderUsers, nav: "users" },
  user: { title: "User", render: renderUser, nav: "users" },
  orders: { title: "Orders", render: renderOrders, nav: "orders" },
  order: { title: "Order", render: renderOrder, nav: "orders" },
  "dead-letters": { title: "Dead letters", render: renderDeadLetters, nav: "dead-letters" },
  "api-keys": { title: "API keys", render: renderApiKeys, nav: "api-keys" },
  charts: { title: "Live charts", render: renderCharts, nav: "charts" },
};
const NAV: [string, string][] = [
  ["orders", "Orders"],
  ["users", "Users"],
  ["dead-letters", "Dead letters"],
  ["api-keys", "API keys"],
  ["charts", "Charts"],
];

// ---- the shell ---------------------------------------------------------------------------------
const navLinks = new Map(NAV.map(([id, text]) => [id, h("a", { href: `#/${id}`, "data-testid": `nav-${id}` }, text)]));
const keyClear = h("button", { type: "button", "data-testid": "key-clear" }, "Forget key");
const banner = h("div", { class: "banner", "data-testid": "error-banner", role: "alert", hidden: true });
const keyInput = h("input", { id: "key-input", "data-testid": "key-input", type: "password", autocomplete: "off", required: true });
const keyError = h("p", { class: "key-error", "data-testid": "key-error" });
const keyForm = h(
  "form",
  { class: "key-form", "data-testid": "key-form", hidden: true, "aria-labelledby": "key-form-heading" },
  h("h2", { id: "key-form-heading" }, "A key is needed"),
  keyError,
  h("label", { for: "key-input" }, "Admin key or API key"),
  keyInput,
  h("button", { type: "submit", "data-testid": "key-save" }, "Save key"),
  h("p", { class: "muted" }, "Kept in this tab's session storage and sent as x-api-key on every call."),
);
const title = h("h1", { id: "page-title" });
const pageRoot = h("div", {});
const main = h("main", { id: "main", tabindex: "-1", "aria-labelledby": "page-title" }, title, pageRoot);

document.getElementById("app")!.replaceWith(
  h(
    "header",
    { class: "top" },
    h("a", { class: "brand", href: "#/orders" }, "ninja-orders"),
    h("nav", { "aria-label": "Console sections" }, h("ul", {}, ...[...navLinks.values()].map((a) => h("li", {}, a)))),
    h("div", { class: "top-right" }, h("a", { href: "/docs/" }, "API reference"), keyClear),
  ),
  banner,
  keyForm,
  main,
);

function showError(message: string): void {
  banner.textContent = message;
  banner.hidden = false;
}

function clearError(): void {
  banner.hidden = true;
  banner.textContent = "";
}

function fail(error: unknown): void {
  if (error instanceof ApiError) {
    const detail = error.problem.detail || error.problem.title || error.message;
    showError(detail);
    if (error.needsKey) {
      keyError.textContent = [error.problem.title, error.problem.detail].filter(Boolean).join(": ");
      keyForm.hidden = false;
      keyInput.focus();
    }
  } else {
    showError(error instanceof Error ? error.message : String(error));
  }
}

keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = keyInput.value.trim();
  if (!value) return;
  keys.set(value);
  keyInput.value = "";
  keyForm.hidden = true;
  render();
});
keyClear.addEventListener("click", () => {
  keys.clear();
  render();
});

// ---- routing -----------------------------------------------------------------------------------
let leave: (() => void)[] = [];
let generation = 0;

function render(): void {
  for (const cleanup of leave) cleanup();
  leave = [];
  const mine = ++generation;
  clearError();
  const route = resolveRoute(location.hash);
  if (route.redirect) {
    history.replaceState(null, "", route.redirect);
  }
  const page = PAGES[route.page]!;
  title.textContent = page.title;
  document.title = `${page.title} · ninja-orders console`;
  for (const [id, a] of navLinks) {
    if (id === page.nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const root = h("div", { class: `page page-${route.page}` });
  replaceChildren(pageRoot, root);
  const ctx: PageContext = {
    api,
    fail: (error) => mine === generation && fail(error),
    clearError: () => mine === generation && clearError(),
    onLeave: (cleanup) => leave.push(cleanup),
    active: () => mine === generation,
  };
  Promise.resolve(page.render(root, ctx, route.param)).catch((error) => ctx.fail(error));
}

window.addEventListener("hashchange", render);
render();
