import { it } from "vitest";

/** Contract cases an adapter does not run, and why (Hono's conformance-suite style: every skip names its reason). */
export interface ContractSkip<TName extends string> {
  reason: string;
  tests: readonly TName[];
}

/** What every `runXContract` takes: a name for the adapter, a factory and the skips. */
export interface ContractOptions<TFixture, TName extends string> {
  name: string;
  create: () => Promise<TFixture>;
  skip?: ReadonlyArray<ContractSkip<TName>>;
}

export interface ContractCases<TName extends string> {
  /** Declares the case `name`: run as a test, or reported as skipped with its reason when a skip lists it. */
  (name: TName, body: () => Promise<void>, timeoutMs?: number): void;
  /** Throws when a listed case was never declared, so a skip can never silently name nothing. */
  assertAllDeclared(): void;
}

/**
 * Case declarations for one contract suite. Throws at collection time when a skip gives no reason or
 * names a case the suite does not have, or when a case is declared twice.
 */
export function contractCases<TName extends string>(names: readonly TName[], skips: ReadonlyArray<ContractSkip<TName>> = []): ContractCases<TName> {
  const reasons = new Map<string, string>();
  for (const skip of skips) {
    if (skip.reason.trim() === "") throw new Error(`contract skip of ${skip.tests.join(", ")} gives no reason`);
    for (const test of skip.tests) {
      if (!names.includes(test)) throw new Error(`contract skip names "${test}", which is not a case of this suite`);
      reasons.set(test, skip.reason);
    }
  }
  const declared = new Set<string>();
  const declare = (name: TName, body: () => Promise<void>, timeoutMs?: number) => {
    if (!names.includes(name)) throw new Error(`contract case "${name}" is missing from the suite's list of cases`);
    if (declared.has(name)) throw new Error(`contract case "${name}" is declared twice`);
    declared.add(name);
    const reason = reasons.get(name);
    if (reason === undefined) it(name, body, timeoutMs);
    else it.skip(`${name} [skipped: ${reason}]`, body);
  };
  return Object.assign(declare, {
    assertAllDeclared() {
      const missing = names.filter((name) => !declared.has(name));
      if (missing.length > 0) throw new Error(`contract cases listed but never declared: ${missing.join(", ")}`);
    },
  });
}
