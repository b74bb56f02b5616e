// #/users/{id}: the user and their orders (keyset paging).
import { query, type Page } from "../api";
import type { PageRender } from "../context";
import { h, replaceChildren, time } from "../dom";
import { Pager } from "../paging";
import { emptyState } from "../search";
import type { Order, User } from "../types";
import { orderRow, ordersTable } from "./orders";

export function detailList(testid: string, rows: [string, ReturnType<typeof time>][]): HTMLDListElement {
  const list = h("dl", { class: "detail", "data-testid": testid });
  for (const [term, value] of rows) list.append(h("dt", {}, term), h("dd", {}, value ?? "—"));
  return list;
}

export const renderUser: PageRender = async (root, ctx, id) => {
  const details = h("section", { "aria-labelledby": "user-heading" }, h("h2", { id: "user-heading" }, "User"));
  const ordersHeading = h("h2", { id: "user-orders-heading" }, "Orders");
  const list = ordersTable("This user's orders, newest first");
  const results = h("div", {});
  const pager = new Pager<Order>(
    (cursor) => ctx.api.get<Page<Order>>(`/v1/orders${query({ user_id: id, limit: 25, cursor })}`),
    (orders) => {
      replaceChildren(list.body, ...orders.map(orderRow));
      replaceChildren(results, orders.length ? list.table : emptyState("This user has no orders."));
    },
    (error) => ctx.fail(error),
  );
  root.append(details, h("section", { "aria-labelledby": "user-orders-heading" }, ordersHeading, results, pager.controls));
  try {
    const user = await ctx.api.get<User>(`/v1/users/${encodeURIComponent(id)}`);
    details.append(
      detailList("user-detail", [
        ["Name", user.name],
        ["Email", user.email],
        ["Channel", user.notify_channel],
        ["Phone", user.phone ?? null],
        ["Webhook", user.webhook_url ?? null],
        ["Id", user.id],
        ["Created", time(user.created_at)],
      ]),
    );
  } catch (error) {
    ctx.fail(error);
    return;
  }
  await pager.reload();
};
