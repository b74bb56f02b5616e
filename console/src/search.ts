// The search box of the list pages: a labelled input and a submit button.
import { h } from "./dom";

export function searchForm(label: string, placeholder: string, onSearch: (text: string) => void): HTMLFormElement {
  const input = h("input", {
    id: "search-input",
    type: "search",
    "data-testid": "search-input",
    placeholder,
    autocomplete: "off",
  });
  const form = h(
    "form",
    { class: "search", role: "search" },
    h("label", { for: "search-input" }, label),
    input,
    h("button", { type: "submit", "data-testid": "search-submit" }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSearch(input.value.trim());
  });
  return form;
}

export function emptyState(text: string): HTMLParagraphElement {
  return h("p", { class: "empty", "data-testid": "empty-state" }, text);
}
