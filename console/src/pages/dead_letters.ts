// #/dead-letters: notifications that exhausted their retries, newest first; replay one or all
// (a running notifier retries them within a second).
import type { Page } from "../api";
import type { PageRender } from "../context";
import { cell, h, link, replaceChildren, table, time } from "../dom";
import { emptyState } from "../search";
import type { DeadLetter } from "../types";

export function replayedText(count: number): string {
  return `${count} notification${count === 1 ? "" : "s"} queued`;
}

export const renderDeadLetters: PageRender = async (root, ctx) => {
  const result = h("p", { class: "result", "data-testid": "replay-result", role: "status" });
  const replayAll = h("button", { type: "button", "data-testid": "replay-all" }, "Replay all");
  const list = table("dead-letters-table", "Dead notifications, newest first", [
    "Event",
    "Order",
    "User",
    "Channel",
    "Attempts",
    "Last error",
    "Updated",
    "Action",
  ]);
  const content = h("div", {});

  const replay = async (path: string, button: HTMLButtonElement) => {
    ctx.clearError();
    button.disabled = true;
    try {
      const answer = await ctx.api.request<{ requeued: number }>("POST", path);
      result.textContent = replayedText(answer.requeued);
    } catch (error) {
      ctx.fail(error);
    }
    button.disabled = false;
    await load();
  };

  const row = (d: DeadLetter) => {
    const button = h("button", { type: "button", "data-testid": "replay-one", "aria-label": `Replay ${d.event_id}` }, "Replay");
    button.addEventListener("click", () => void replay(`/admin/v1/dead-letters/${encodeURIComponent(d.event_id)}/replay`, button));
    return h(
      "tr",
      { "data-testid": "dead-letter-row", "data-event-id": d.event_id },
      cell(h("code", {}, d.event_id)),
      cell(link(`#/orders/${d.order_id}`, d.order_id)),
      cell(link(`#/users/${d.user_id}`, d.user_id)),
      cell(d.channel),
      h("td", { class: "number" }, String(d.attempts)),
      h("td", { class: "error-text" }, d.last_error ?? "—"),
      cell(time(d.updated_at)),
      cell(button),
    );
  };

  const load = async () => {
    try {
      const page = await ctx.api.get<Page<DeadLetter>>("/admin/v1/dead-letters?limit=100");
      if (!ctx.active()) return;
      replaceChildren(list.body, ...page.items.map(row));
      replaceChildren(content, page.items.length ? list.table : emptyState("No dead letters: every notification was delivered or is still being retried."));
    } catch (error) {
      ctx.fail(error);
    }
  };
  replayAll.addEventListener("click", () => void replay("/admin/v1/dead-letters/replay", replayAll));

  root.append(h("div", { class: "toolbar" }, replayAll, result), content);
  await load();
};
