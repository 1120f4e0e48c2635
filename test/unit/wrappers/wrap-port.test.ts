import { describe, expect, it } from "vitest";
import { wrapPort } from "../../../src/wrappers/wrap-port.js";

interface Counter {
  readonly name: string;
  value: number;
  add(amount: number): Promise<number>;
  reset(): void;
}

function createCounter(): Counter {
  return {
    name: "counter",
    value: 0,
    async add(amount) {
      this.value += amount;
      return this.value;
    },
    reset() {
      this.value = 0;
    },
  };
}

describe("wrapPort", () => {
  it("replaces only the methods given, with the original bound to the wrapped port", async () => {
    const inner = createCounter();
    const seen: number[] = [];
    const wrapped = wrapPort(inner, {
      add: (next) => async (amount) => {
        seen.push(amount);
        return (await next(amount * 2)) + 1000;
      },
    });
    expect(await wrapped.add(3)).toBe(1006);
    expect(inner.value).toBe(6);
    expect(seen).toEqual([3]);
    wrapped.reset();
    expect(inner.value).toBe(0);
  });

  it("passes properties through live, including ones that change after wrapping", async () => {
    const inner = createCounter();
    const wrapped = wrapPort(inner, {});
    expect(wrapped.name).toBe("counter");
    await inner.add(5);
    expect(wrapped.value).toBe(5);
  });

  it("composes: the outer wrapper runs around the inner one", async () => {
    const order: string[] = [];
    const inner = createCounter();
    const first = wrapPort(inner, { add: (next) => async (amount) => (order.push("inner"), next(amount)) });
    const second = wrapPort(first, { add: (next) => async (amount) => (order.push("outer"), next(amount)) });
    await second.add(1);
    expect(order).toEqual(["outer", "inner"]);
  });

  it("refuses middleware for something that is not a method", () => {
    const inner = createCounter();
    expect(() => wrapPort(inner, { name: () => () => "x" } as never)).toThrow(/not a method/);
  });
});
