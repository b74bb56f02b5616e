// What the shell hands each page: the API, a place to report failures, and a way to stop the
// page's timers when the operator navigates away.
import type { Api } from "./api";

export interface PageContext {
  api: Api;
  // Shows a failed call: its problem detail in the banner, and the key form on 401/403.
  fail(error: unknown): void;
  clearError(): void;
  onLeave(cleanup: () => void): void;
  // Whether this page is still the one shown (an answer that arrives later must not draw).
  active(): boolean;
}

export type PageRender = (root: HTMLElement, ctx: PageContext, param: string) => void | Promise<void>;

// The ids of the API are UUIDs; anything else typed into a search box is not one.
export function looksLikeId(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text.trim());
}
