/**
 * htmlparser2's Parser keeps its open elements in an array with the innermost first and opens each
 * element with `unshift`, which moves the whole array: deep nesting (`<div>` repeated) parses in
 * quadratic time. This stack answers the same calls — `length`, `[0]`, `shift`, `unshift`, `indexOf` —
 * in constant time (indexOf: constant when the name is not open), storing the innermost last.
 */
export class InnermostFirstStack {
  private readonly items: string[] = [];
  private readonly openCounts = new Map<string, number>();

  get length(): number {
    return this.items.length;
  }

  /** The innermost open element. */
  get 0(): string | undefined {
    return this.items[this.items.length - 1];
  }

  unshift(name: string): number {
    this.openCounts.set(name, (this.openCounts.get(name) ?? 0) + 1);
    return this.items.push(name);
  }

  shift(): string | undefined {
    const name = this.items.pop();
    if (name !== undefined) this.openCounts.set(name, this.openCounts.get(name)! - 1);
    return name;
  }

  /** Distance from the innermost element to the innermost open `name`, or -1. */
  indexOf(name: string): number {
    if (!this.openCounts.get(name)) return -1;
    for (let index = this.items.length - 1; index >= 0; index--) if (this.items[index] === name) return this.items.length - 1 - index;
    return -1;
  }

  /** The open elements as htmlparser2's own array holds them, innermost first. */
  toArray(): string[] {
    return [...this.items].reverse();
  }
}

/**
 * Puts an InnermostFirstStack in `parser` (htmlparser2 10's `stack` field) and returns a function that
 * puts back a plain array before `parser.end()`, whose closing loop reads every position. A parser
 * without that field is left as it is.
 */
export function useLinearElementStack(parser: object): () => void {
  const internals = parser as { stack?: unknown };
  if (!Array.isArray(internals.stack) || internals.stack.length > 0) return () => undefined;
  const stack = new InnermostFirstStack();
  internals.stack = stack;
  return () => {
    internals.stack = stack.toArray();
  };
}
