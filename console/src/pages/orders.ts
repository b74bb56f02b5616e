// #/orders: every order, newest first, keyset paging; search by order id (→ its page).
import { query, type Page } from "../api";
import type { PageRender } from "../context";
import { looksLikeId } from "../context";
import { cell, h, link, replaceChildren, table, time } from "../dom";
import { formatMoney } from "../money";
import { Pager } from "../paging";
import { emptyState, searchForm } from "../search";
import type { Order } from "../types";

const PAGE_SIZE = 25;

export function ordersTable(caption: string): ReturnType<typeof table> {
  return table("orders-table", caption, ["Order", "User", "Total", "Status", "Created"]);
}

export function orderRow(order: Order): HTMLTableRowElement {
  return h(
    "tr",
    { "data-testid": "order-row", "data-id": order.id },
    cell(link(`#/orders/${order.id}`, order.id)),
    cell(link(`#/users/${order.user_id}`, order.user_id)),
    h("td", { class: "number" }, formatMoney(order.total, order.currency)),
    cell(order.status),
    cell(time(order.created_at)),
  );
}

export const renderOrders: PageRender = (root, ctx) => {
  const list = ordersTable("Orders, newest first");
  const results = h("div", {});
  const pager = new Pager<Order>(
    (cursor) => ctx.api.get<Page<Order>>(`/v1/orders${query({ limit: PAGE_SIZE, cursor })}`),
    (orders) => {
      replaceChildren(list.body, ...orders.map(orderRow));
      replaceChildren(results, orders.length ? list.table : emptyState("No orders yet."));
    },
    (error) => ctx.fail(error),
  );
  const search = searchForm("Find an order by id", "order id", (text) => {
    ctx.clearError();
    if (text === "") return void pager.reload();
    if (looksLikeId(text)) location.hash = `#/orders/${text.toLowerCase()}`;
    else ctx.fail(new Error(`"${text}" is not an order id`));
  });
  root.append(search, results, pager.controls);
  return pager.reload();
};
