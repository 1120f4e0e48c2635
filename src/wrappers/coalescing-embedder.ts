import { AppError, ValidationError } from "../core/errors.js";
import type { EmbedOptions, Embedder } from "../ports/embedder.js";
import type { AdaptiveConcurrency, ConcurrencySlot } from "./adaptive-concurrency.js";
import { wrapPort } from "./wrap-port.js";

export interface CoalescingOptions {
  /** How long the oldest waiting text waits for others to share a request that is not full yet. */
  windowMs: number;
  /** Slots for requests in flight; a request is formed only once it has one. Absent: no limit. */
  concurrency?: AdaptiveConcurrency;
  /** Token count of a text: needed to keep requests within a finite `maxTokensPerCall`. */
  countTokens?: (text: string) => number;
  /**
   * While another request is in flight, a request with fewer texts than `fillInputs` waits up to
   * `fillWaitMs` (from its oldest text) for more, instead of `windowMs`: under load, requests fill
   * up rather than multiply; an idle embedder still answers after `windowMs`. Default: off.
   */
  fill?: { inputs: number; waitMs: number };
}

/** One `embed` call waiting for its vectors. */
interface Caller {
  texts: string[];
  tokens: number[];
  tenant: string | undefined;
  queuedAt: number;
  vectors: number[][];
  /** Texts before this index are in a request. */
  taken: number;
  /** Requests carrying its texts that have not answered yet. */
  outstanding: number;
  settled: boolean;
  resolve: (vectors: number[][]) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
}

/** Texts [from, to) of one caller, inside one request. */
interface Piece {
  caller: Caller;
  from: number;
  to: number;
}

/**
 * Packs concurrent embed calls into shared requests: texts of calls arriving while a request is
 * being filled go into it, up to the embedder's `maxInputsPerCall` texts and `maxTokensPerCall`
 * tokens (a call larger than that is spread over several requests), and each caller gets its own
 * vectors back. A request leaves once it is full or once its oldest text has waited `windowMs`;
 * with `concurrency`, only when a slot is free, so texts that arrive while every slot is busy fill
 * the next request (batches grow with load). Requests are per tenant, so usage is attributed.
 * When a request of several callers fails with a non-transient error (one caller's bad input), it
 * is split in halves and sent again until the caller at fault is alone: only that caller fails. No
 * caller's signal aborts a shared request; an aborted caller is rejected at once.
 */
export function createCoalescingEmbedder(embedder: Embedder, options: CoalescingOptions): Embedder {
  const queue: Caller[] = [];
  let queuedTexts = 0;
  let queuedTokens = 0;
  let pumping = false;
  let requestsInFlight = 0;
  let wakePump: (() => void) | null = null;
  // One abort listener per signal, however many callers share it (an ingest batch's documents do).
  const watched = new Map<AbortSignal, { callers: Set<Caller>; onAbort: () => void }>();

  const watch = (caller: Caller) => {
    const { signal } = caller;
    if (!signal) return;
    let entry = watched.get(signal);
    if (!entry) {
      const created = { callers: new Set<Caller>(), onAbort: () => [...created.callers].forEach((each) => abort(each, signal.reason)) };
      entry = created;
      watched.set(signal, entry);
      signal.addEventListener("abort", entry.onAbort, { once: true });
    }
    entry.callers.add(caller);
  };

  const unwatch = (caller: Caller) => {
    const entry = caller.signal ? watched.get(caller.signal) : undefined;
    if (!entry) return;
    entry.callers.delete(caller);
    if (entry.callers.size > 0) return;
    caller.signal!.removeEventListener("abort", entry.onAbort);
    watched.delete(caller.signal!);
  };

  const abort = (caller: Caller, reason: unknown) => {
    if (caller.settled) return;
    caller.settled = true;
    unwatch(caller);
    queuedTexts -= caller.texts.length - caller.taken;
    queuedTokens -= sum(caller.tokens, caller.taken, caller.texts.length);
    caller.taken = caller.texts.length;
    caller.reject(reason);
  };

  const maxInputs = () => Math.max(1, embedder.maxInputsPerCall);
  const countTokens = (text: string) => (options.countTokens && Number.isFinite(embedder.maxTokensPerCall) ? options.countTokens(text) : 0);
  const isFull = () => queuedTexts >= maxInputs() || queuedTokens >= embedder.maxTokensPerCall;

  /** How long the oldest text may wait for others: longer while under load and the request is small (see `fill`). */
  const windowFor = (): number => {
    const { fill } = options;
    if (fill && requestsInFlight > 0 && queuedTexts < Math.min(fill.inputs, maxInputs())) return Math.max(options.windowMs, fill.waitMs);
    return options.windowMs;
  };

  const waitUntilReady = async (): Promise<void> => {
    while (queue.length > 0 && !isFull()) {
      const waitMs = queue[0]!.queuedAt + windowFor() - Date.now();
      if (waitMs <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          wakePump = null;
          resolve();
        }
        wakePump = done;
      });
    }
  };

  /** Takes the next request's texts: the oldest caller's tenant, in arrival order, within both limits. */
  const takeRequest = (): Piece[] => {
    const tenant = queue[0]?.tenant;
    const pieces: Piece[] = [];
    let inputs = 0;
    let tokens = 0;
    for (const caller of queue) {
      if (caller.tenant !== tenant || caller.settled) continue;
      const from = caller.taken;
      while (caller.taken < caller.texts.length && inputs < maxInputs()) {
        const next = caller.tokens[caller.taken]!;
        if (inputs > 0 && tokens + next > embedder.maxTokensPerCall) break;
        inputs += 1;
        tokens += next;
        caller.taken += 1;
      }
      if (caller.taken > from) {
        pieces.push({ caller, from, to: caller.taken });
        caller.outstanding += 1;
        queuedTexts -= caller.taken - from;
        queuedTokens -= sum(caller.tokens, from, caller.taken);
      }
      if (caller.taken < caller.texts.length) break;
    }
    for (let index = queue.length - 1; index >= 0; index -= 1) {
      const caller = queue[index]!;
      if (caller.settled || caller.taken === caller.texts.length) queue.splice(index, 1);
    }
    return pieces;
  };

  const pump = async (next: Embedder["embed"]): Promise<void> => {
    if (pumping) return wakePump?.();
    pumping = true;
    try {
      while (queue.length > 0) {
        const slot = options.concurrency ? await options.concurrency.acquire() : null;
        await waitUntilReady();
        const pieces = takeRequest();
        if (pieces.length === 0) slot?.release("failure");
        else void send(next, pieces, slot);
      }
    } finally {
      pumping = false;
    }
  };

  const send = async (next: Embedder["embed"], pieces: Piece[], slot: ConcurrencySlot | null): Promise<void> => {
    requestsInFlight += 1;
    try {
      await sendSplittingOnRefusal(next, pieces);
      slot?.release("success");
    } catch {
      slot?.release("failure");
    } finally {
      requestsInFlight -= 1;
      // A request waiting for more texts while this one was out may leave now.
      wakePump?.();
    }
  };

  /** Sends one request; on a non-transient failure with several callers in it, each half again. Throws if any part failed. */
  const sendSplittingOnRefusal = async (next: Embedder["embed"], pieces: Piece[]): Promise<void> => {
    const live = pieces.filter((piece) => !piece.caller.settled);
    if (live.length === 0) return;
    const texts = live.flatMap((piece) => piece.caller.texts.slice(piece.from, piece.to));
    let vectors: number[][];
    try {
      vectors = await next(texts, { tenant: live[0]!.caller.tenant });
    } catch (error) {
      const callers = new Set(live.map((piece) => piece.caller));
      const callerFault = error instanceof AppError && !error.transient;
      if (!callerFault || callers.size === 1) {
        for (const piece of live) fail(piece.caller, error);
        throw error;
      }
      // One after the other: the halves hold the failed request's slot.
      const ordered = [...callers];
      const firstHalf = new Set(ordered.slice(0, Math.ceil(ordered.length / 2)));
      let failure: { error: unknown } | null = null;
      for (const half of [live.filter((piece) => firstHalf.has(piece.caller)), live.filter((piece) => !firstHalf.has(piece.caller))]) {
        await sendSplittingOnRefusal(next, half).catch((halfError: unknown) => (failure ??= { error: halfError }));
      }
      if (failure) throw (failure as { error: unknown }).error;
      return;
    }
    let offset = 0;
    for (const piece of live) {
      const { caller } = piece;
      for (let index = piece.from; index < piece.to; index += 1) caller.vectors[index] = vectors[offset++]!;
      caller.outstanding -= 1;
      if (!caller.settled && caller.outstanding === 0 && caller.taken === caller.texts.length) {
        caller.settled = true;
        unwatch(caller);
        caller.resolve(caller.vectors);
      }
    }
  };

  const fail = (caller: Caller, error: unknown) => {
    caller.outstanding -= 1;
    if (caller.settled) return;
    caller.settled = true;
    unwatch(caller);
    caller.reject(error);
  };

  return wrapPort(embedder, {
    embed:
      (next) =>
      (texts: string[], embedOptions: EmbedOptions = {}) => {
        const { signal, tenant } = embedOptions;
        signal?.throwIfAborted();
        if (texts.length === 0) return Promise.resolve([]);
        const tokens = texts.map(countTokens);
        const tooLong = tokens.findIndex((count) => count > embedder.maxTokensPerCall);
        if (tooLong >= 0) {
          return Promise.reject(
            new ValidationError(`text of ${tokens[tooLong]} tokens exceeds the embedding endpoint's limit of ${embedder.maxTokensPerCall} per request`),
          );
        }
        return new Promise<number[][]>((resolve, reject) => {
          const caller: Caller = {
            texts,
            tokens,
            tenant,
            queuedAt: Date.now(),
            vectors: new Array<number[]>(texts.length),
            taken: 0,
            outstanding: 0,
            settled: false,
            resolve,
            reject,
            signal,
          };
          watch(caller);
          queue.push(caller);
          queuedTexts += texts.length;
          queuedTokens += sum(tokens, 0, texts.length);
          void pump(next);
        });
      },
  });
}

function sum(values: number[], from: number, to: number): number {
  let total = 0;
  for (let index = from; index < to; index += 1) total += values[index]!;
  return total;
}
