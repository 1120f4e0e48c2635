/**
 * DOM helpers for the console. Every string that reaches the page goes through a text node
 * (`textContent` / `createTextNode`): document text, titles, answers and errors are untrusted and are
 * never parsed as HTML. Nothing here sets `innerHTML`, `style` attributes or inline handlers.
 */

type Child = Node | string | null | undefined | false;

/** Attributes a console element may carry; values are set with setAttribute, never as markup. */
export type Attributes = Record<string, string | number | boolean | undefined>;

/** Creates `<tag>` with the given attributes (true → present, false/undefined → absent) and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (/^on/i.test(name) || name.toLowerCase() === "style") throw new Error(`refusing attribute ${name}`);
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children, strings as text nodes. */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** Removes every child, then appends `children`. */
export function replaceChildren(parent: Element, children: Child[] = []): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/** A column of `table`: its header and how a row shows in it (a string is a text node). */
export interface Column<Row> {
  header: string;
  cell(row: Row): Child | Child[];
}

/** A `<table>` with a caption, one header row and one row per item; `empty` is shown instead when there are none. */
export function table<Row>(caption: string, columns: Column<Row>[], rows: Row[], empty = "Nothing to show."): HTMLElement {
  if (rows.length === 0) return el("p", { class: "empty" }, [empty]);
  const head = el(
    "tr",
    {},
    columns.map((column) => el("th", { scope: "col" }, [column.header])),
  );
  const body = rows.map((row) =>
    el(
      "tr",
      {},
      columns.map((column) => {
        const content = column.cell(row);
        return el("td", {}, Array.isArray(content) ? content : [content]);
      }),
    ),
  );
  return el("table", {}, [el("caption", {}, [caption]), el("thead", {}, [head]), el("tbody", {}, body)]);
}

/** A `<button type="button">` that runs `action` on click (and so on Enter/Space); disabled while a returned promise runs. */
export function button(label: string, action: () => void | Promise<void>, attributes: Attributes = {}): HTMLButtonElement {
  const element = el("button", { type: "button", ...attributes }, [label]);
  element.addEventListener("click", async () => {
    element.disabled = true;
    try {
      await action();
    } finally {
      element.disabled = false;
    }
  });
  return element;
}

/** A labelled form control: `<label for=id>` then the control. */
export function labelled(text: string, control: HTMLElement & { id: string }): HTMLElement[] {
  return [el("label", { for: control.id }, [text]), control];
}

/** A number rounded for display (at most `digits` decimals, no trailing zeros); a dash for none. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined) return "—";
  return String(Number(value.toFixed(digits)));
}
