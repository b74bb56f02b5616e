// #/users: newest first, keyset paging; search by id (→ the user's page) or by email (admin API).
import { query, type Page } from "../api";
import type { PageRender } from "../context";
import { looksLikeId } from "../context";
import { cell, h, link, replaceChildren, table, time } from "../dom";
import { Pager } from "../paging";
import { emptyState, searchForm } from "../search";
import type { User } from "../types";

const PAGE_SIZE = 25;

export function userRow(user: User): HTMLTableRowElement {
  return h(
    "tr",
    { "data-testid": "user-row", "data-id": user.id },
    cell(link(`#/users/${user.id}`, user.name)),
    cell(user.email),
    cell(user.notify_channel),
    cell(time(user.created_at)),
  );
}

export const renderUsers: PageRender = (root, ctx) => {
  const list = table("users-table", "Users, newest first", ["Name", "Email", "Channel", "Created"]);
  const results = h("div", {});
  const show = (users: User[]) => {
    replaceChildren(list.body, ...users.map(userRow));
    replaceChildren(results, users.length ? list.table : emptyState("No users found."));
  };
  const pager = new Pager<User>(
    (cursor) => ctx.api.get<Page<User>>(`/v1/users${query({ limit: PAGE_SIZE, cursor })}`),
    show,
    (error) => ctx.fail(error),
  );
  const search = searchForm("Find a user by id or email", "user id or name@example.com", (text) => {
    ctx.clearError();
    if (text === "") return void pager.reload();
    if (text.includes("@")) {
      ctx.api
        .get<Page<User>>(`/admin/v1/users${query({ email: text })}`)
        .then((page) => {
          pager.single();
          show(page.items);
        })
        .catch((error) => ctx.fail(error));
    } else if (looksLikeId(text)) {
      location.hash = `#/users/${text.toLowerCase()}`;
    } else {
      ctx.fail(new Error(`"${text}" is neither a user id nor an email address`));
    }
  });
  root.append(search, results, pager.controls);
  return pager.reload();
};
