// Keyset paging: the server's next_cursor is the only way forward; the cursors already used are
// kept so "Previous" can go back without the server keeping any state.
import type { Page } from "./api";
import { h } from "./dom";

export class Pager<T> {
  private cursors: (string | null)[] = [null]; // the cursor of each page seen, first page: none
  private next: string | null = null;
  readonly previousButton = h("button", { type: "button", "data-testid": "previous-page", disabled: true }, "Previous page");
  readonly nextButton = h("button", { type: "button", "data-testid": "next-page", disabled: true }, "Next page");
  readonly position = h("span", { class: "page-position", "aria-live": "polite" }, "Page 1");
  readonly controls = h("div", { class: "pager" }, this.previousButton, this.position, this.nextButton);

  constructor(
    private readonly load: (cursor: string | null) => Promise<Page<T>>,
    private readonly show: (items: T[]) => void,
    private readonly fail: (error: unknown) => void,
  ) {
    this.nextButton.addEventListener("click", () => {
      if (this.next === null) return;
      this.cursors.push(this.next);
      void this.reload();
    });
    this.previousButton.addEventListener("click", () => {
      if (this.cursors.length <= 1) return;
      this.cursors.pop();
      void this.reload();
    });
  }

  async reload(): Promise<void> {
    this.nextButton.disabled = true;
    this.previousButton.disabled = true;
    try {
      const page = await this.load(this.cursors[this.cursors.length - 1] ?? null);
      this.next = page.next_cursor ?? null;
      this.show(page.items);
    } catch (error) {
      this.next = null;
      this.fail(error);
    }
    this.nextButton.disabled = this.next === null;
    this.previousButton.disabled = this.cursors.length <= 1;
    this.position.textContent = `Page ${this.cursors.length}`;
  }

  // A result that is not a page (a search): no way forward or back.
  single(): void {
    this.next = null;
    this.cursors = [null];
    this.nextButton.disabled = true;
    this.previousButton.disabled = true;
    this.position.textContent = "Search result";
  }
}
