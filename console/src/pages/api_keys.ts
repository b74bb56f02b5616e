// #/api-keys: list, create (the key is shown this once, with a copy button) and revoke, confirmed
// in the row itself rather than with a native dialog.
import type { Page } from "../api";
import type { PageRender } from "../context";
import { cell, h, replaceChildren, table, time } from "../dom";
import { emptyState } from "../search";
import type { ApiKey } from "../types";

// The clipboard API needs permission; the older selection copy works where it is refused.
async function copyText(text: string, source: HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return document.execCommand("copy");
  }
}

function optionalNumber(input: HTMLInputElement): number | undefined {
  return input.value.trim() === "" ? undefined : Number(input.value);
}

export const renderApiKeys: PageRender = async (root, ctx) => {
  const name = h("input", { id: "api-key-name", "data-testid": "api-key-name", required: true, maxlength: 200, autocomplete: "off" });
  const rate = h("input", { id: "api-key-rate", "data-testid": "api-key-rate", type: "number", min: "0", step: "any", inputmode: "decimal" });
  const burst = h("input", { id: "api-key-burst", "data-testid": "api-key-burst", type: "number", min: "1", step: "1" });
  const form = h(
    "form",
    { class: "create-key", "aria-labelledby": "create-key-heading" },
    h("h2", { id: "create-key-heading" }, "Create a key"),
    h("div", { class: "field" }, h("label", { for: "api-key-name" }, "Name"), name),
    h("div", { class: "field" }, h("label", { for: "api-key-rate" }, "Rate (requests/s, optional)"), rate),
    h("div", { class: "field" }, h("label", { for: "api-key-burst" }, "Burst (optional)"), burst),
    h("button", { type: "submit", "data-testid": "api-key-create" }, "Create key"),
  );
  const created = h("div", { class: "secret", role: "status" });
  const list = table("api-keys-table", "API keys, oldest first", ["Name", "Id", "Rate", "Burst", "Created", "Revoked", "Action"]);
  const content = h("div", {});

  const load = async () => {
    try {
      const page = await ctx.api.get<Page<ApiKey>>("/admin/v1/api-keys");
      if (!ctx.active()) return;
      replaceChildren(list.body, ...page.items.map(row));
      replaceChildren(content, page.items.length ? list.table : emptyState("No API keys yet."));
    } catch (error) {
      ctx.fail(error);
    }
  };

  const revokeCell = (key: ApiKey) => {
    const where = cell();
    const ask = h("button", { type: "button", "data-testid": "api-key-revoke", "aria-label": `Revoke ${key.name}` }, "Revoke");
    ask.addEventListener("click", () => {
      const confirm = h("button", { type: "button", class: "danger", "data-testid": "api-key-revoke-confirm" }, "Confirm revoke");
      const cancel = h("button", { type: "button", "data-testid": "api-key-revoke-cancel" }, "Cancel");
      confirm.addEventListener("click", async () => {
        ctx.clearError();
        confirm.disabled = true;
        try {
          await ctx.api.request("DELETE", `/admin/v1/api-keys/${encodeURIComponent(key.id)}`);
        } catch (error) {
          ctx.fail(error);
        }
        await load();
      });
      cancel.addEventListener("click", () => replaceChildren(where, ask));
      replaceChildren(where, h("span", { class: "confirm" }, `Revoke “${key.name}”? `, confirm, " ", cancel));
      confirm.focus();
    });
    where.append(ask);
    return where;
  };

  const row = (key: ApiKey) =>
    h(
      "tr",
      { "data-testid": "api-key-row", "data-id": key.id, "data-revoked": String(key.revoked_at !== null) },
      cell(key.name),
      cell(h("code", {}, key.id)),
      h("td", { class: "number" }, key.rate ?? "—"),
      h("td", { class: "number" }, key.burst ?? "—"),
      cell(time(key.created_at)),
      cell(time(key.revoked_at)),
      key.revoked_at === null ? revokeCell(key) : cell("revoked"),
    );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    ctx.clearError();
    try {
      const key = await ctx.api.request<ApiKey>("POST", "/admin/v1/api-keys", {
        name: name.value.trim(),
        rate: optionalNumber(rate),
        burst: optionalNumber(burst),
      });
      const secret = h("code", { "data-testid": "api-key-secret" }, key.key ?? "");
      const copied = h("span", { "data-testid": "api-key-copied", "aria-live": "polite" });
      const copy = h("button", { type: "button", "data-testid": "api-key-copy" }, "Copy");
      copy.addEventListener("click", async () => {
        copied.textContent = (await copyText(key.key ?? "", secret)) ? "copied" : "copy failed: select the key and copy it";
      });
      replaceChildren(
        created,
        h("p", {}, `Key “${key.name}” created. It is shown this once: store it now.`),
        h("p", {}, secret, " ", copy, " ", copied),
      );
      form.reset();
    } catch (error) {
      ctx.fail(error);
    }
    await load();
  });

  root.append(form, created, h("h2", {}, "Keys"), content);
  await load();
};
