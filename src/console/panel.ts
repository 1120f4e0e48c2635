import { describeError } from "./api.js";
import { el, replaceChildren } from "./dom.js";

/** One pane of the console: its section, the label of its navigation button, and what to do each time it is shown (e.g. reload). */
export interface Panel {
  id: string;
  label: string;
  element: HTMLElement;
  onShow?(): void;
}

/** A pane's `<section>` with an `<h2>` that labels it; hidden until selected. */
export function panelSection(id: string, heading: string, children: HTMLElement[]): HTMLElement {
  const headingId = `${id}-heading`;
  return el("section", { id, class: "panel", "aria-labelledby": headingId, hidden: true }, [el("h2", { id: headingId, tabindex: -1 }, [heading]), ...children]);
}

/** A pane's status line. */
export interface StatusLine {
  element: HTMLElement;
  info(text: string): void;
  error(text: string): void;
}

/** A status line announced to screen readers (`role=status`): progress and outcomes as text, errors marked as such. */
export function statusLine(): StatusLine {
  const element = el("p", { role: "status", "aria-live": "polite", class: "status" });
  return {
    element,
    info(text: string) {
      element.classList.remove("error");
      replaceChildren(element, [text]);
    },
    error(text: string) {
      element.classList.add("error");
      replaceChildren(element, [text]);
    },
  };
}

/** One page of a cursor-paginated list (`next_cursor` null on the last page). */
export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** Items gathered page by page from a cursor-paginated API: `reload` starts over, `loadMore` appends the next page. */
export function pagedList<Item>(fetchPage: (cursor: string | undefined) => Promise<Page<Item>>) {
  let items: Item[] = [];
  let nextCursor: string | null = null;
  return {
    get items(): Item[] {
      return items;
    },
    get hasMore(): boolean {
      return nextCursor !== null;
    },
    async reload(): Promise<void> {
      const page = await fetchPage(undefined);
      items = page.items;
      nextCursor = page.nextCursor;
    },
    async loadMore(): Promise<void> {
      if (nextCursor === null) return;
      const page = await fetchPage(nextCursor);
      items = [...items, ...page.items];
      nextCursor = page.nextCursor;
    },
    remove(predicate: (item: Item) => boolean): void {
      items = items.filter((item) => !predicate(item));
    },
  };
}

/** A query string from the defined values (encoded), with its leading `?`. */
export function queryString(parameters: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * How a pane loads: runs `load`, clears the status line and renders; a failure shows as "Could not
 * <what>: <reason>" unless `onError` handles it (returns true).
 */
export function loader(status: StatusLine, render: () => void, what: string, onError?: (error: unknown) => boolean) {
  return async (load: () => Promise<void>): Promise<void> => {
    try {
      await load();
      status.info("");
      render();
    } catch (error) {
      if (!onError?.(error)) status.error(`Could not ${what}: ${describeError(error)}`);
    }
  };
}
