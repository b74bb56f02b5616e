// A tiny element builder: h("button", { "data-testid": "x", onclick: f }, "Label").
export type Child = Node | string | number | null | undefined | false;
type Attr = string | number | boolean | null | undefined | ((event: Event) => void);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = "";
  append(parent, children);
}

// A table with a caption (its accessible name) and column headers; rows go into the returned tbody.
export function table(testid: string, caption: string, headers: string[]): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const body = h("tbody");
  const element = h(
    "table",
    { "data-testid": testid },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, ...headers.map((text) => h("th", { scope: "col" }, text)))),
    body,
  );
  return { table: element, body };
}

export function cell(...children: Child[]): HTMLTableCellElement {
  return h("td", {}, ...children);
}

export function link(href: string, text: string): HTMLAnchorElement {
  return h("a", { href }, text);
}

// RFC 3339 times shown as the browser's local time, with the exact value on hover.
export function time(value: string | null | undefined): Child {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return h("time", { datetime: value, title: value }, date.toLocaleString());
}
