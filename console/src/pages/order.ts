// #/orders/{id}: items and total, and the notification timeline, which refreshes itself every 2 s
// while a notification is still on its way (pending or failed and due to be retried).
import type { Page } from "../api";
import type { PageRender } from "../context";
import { cell, h, link, replaceChildren, table, time } from "../dom";
import { formatMoney } from "../money";
import type { Notification, Order } from "../types";
import { detailList } from "./user";

const REFRESH_MS = 2000;
const UNSETTLED = new Set(["pending", "failed"]);

export function timelineEntry(n: Notification): HTMLLIElement {
  return h(
    "li",
    { class: `timeline-entry status-${n.status}`, "data-testid": "timeline-entry", "data-status": n.status },
    h("span", { class: "badge" }, n.status),
    " ",
    h("strong", {}, n.channel),
    h(
      "dl",
      { class: "inline" },
      h("dt", {}, "Attempts"),
      h("dd", {}, String(n.attempts)),
      h("dt", {}, "Updated"),
      h("dd", {}, time(n.updated_at)),
      h("dt", {}, "Delivered"),
      h("dd", {}, time(n.delivered_at)),
      n.next_attempt_at ? h("dt", {}, "Next attempt") : null,
      n.next_attempt_at ? h("dd", {}, time(n.next_attempt_at)) : null,
      h("dt", {}, "Last error"),
      h("dd", { class: "error-text" }, n.last_error ?? "—"),
    ),
    h("small", { class: "event-id" }, `event ${n.event_id}`),
  );
}

export const renderOrder: PageRender = async (root, ctx, id) => {
  let order: Order;
  try {
    order = await ctx.api.get<Order>(`/v1/orders/${encodeURIComponent(id)}`);
  } catch (error) {
    ctx.fail(error);
    return;
  }
  const items = table("order-items", "Items", ["SKU", "Quantity", "Unit price", "Line total"]);
  for (const item of order.items) {
    items.body.append(
      h(
        "tr",
        { "data-testid": "order-item" },
        cell(item.sku),
        h("td", { class: "number" }, String(item.quantity)),
        h("td", { class: "number" }, formatMoney(item.unit_price, order.currency)),
        h("td", { class: "number" }, formatMoney(item.unit_price * item.quantity, order.currency)),
      ),
    );
  }
  const timeline = h("ol", { class: "timeline", "data-testid": "timeline", "aria-live": "polite" });
  const refresh = h("button", { type: "button", "data-testid": "refresh" }, "Refresh");
  const status = h("p", { class: "muted" });

  let timer: number | undefined;
  const load = async () => {
    clearTimeout(timer);
    try {
      const list = await ctx.api.get<Page<Notification>>(`/v1/orders/${encodeURIComponent(id)}/notifications`);
      if (!ctx.active()) return;
      replaceChildren(timeline, ...list.items.map(timelineEntry));
      if (list.items.length === 0) timeline.append(h("li", { class: "muted" }, "No notification yet (the outbox relay picks the order up shortly)."));
      const unsettled = list.items.length === 0 || list.items.some((n) => UNSETTLED.has(n.status));
      status.textContent = unsettled ? "Refreshing every 2 s until every notification is settled." : "";
      if (unsettled) timer = window.setTimeout(load, REFRESH_MS);
    } catch (error) {
      ctx.fail(error);
    }
  };
  refresh.addEventListener("click", () => {
    ctx.clearError();
    void load();
  });
  ctx.onLeave(() => clearTimeout(timer));

  root.append(
    h(
      "section",
      { "aria-labelledby": "order-heading" },
      h("h2", { id: "order-heading" }, "Order"),
      detailList("order-detail", [
        ["Id", order.id],
        ["User", link(`#/users/${order.user_id}`, order.user_id)],
        ["Status", order.status],
        ["Created", time(order.created_at)],
        ["Note", order.note ?? null],
      ]),
      h("p", { class: "total" }, "Total ", h("strong", { "data-testid": "order-total" }, formatMoney(order.total, order.currency))),
      items.table,
    ),
    h(
      "section",
      { "aria-labelledby": "timeline-heading" },
      h("h2", { id: "timeline-heading" }, "Notification timeline"),
      refresh,
      status,
      timeline,
    ),
  );
  await load();
};
