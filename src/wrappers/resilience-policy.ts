import { setMaxListeners } from "node:events";
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from "cockatiel";

/**
 * Stands in for "no caller signal". cockatiel's own default is one module-wide signal to which every
 * in-flight timeout adds (and later removes) a listener, so 11 concurrent calls printed a
 * MaxListenersExceededWarning; this one allows any number of listeners.
 */
const NEVER_ABORTED = new AbortController().signal;
setMaxListeners(0, NEVER_ABORTED);
import { AppError, UpstreamTimeoutError, UpstreamUnavailableError } from "../core/errors.js";

/** The breaker is open: the call failed fast without reaching the dependency (503 with Retry-After). */
export class CircuitOpenError extends UpstreamUnavailableError {}

export type BreakerState = "closed" | "open" | "half_open" | "isolated";

export interface PolicyOptions {
  /** Dependency name used in messages and metrics ("embedder", "chat", "vector_store"). */
  name: string;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Attempts in total (1 = no retry). */
  maxAttempts: number;
  /** Consecutive transient failures that open the breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before one trial call. */
  halfOpenAfterMs: number;
  /** First backoff delay (exponential with decorrelated jitter after it); 200 ms by default. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error goes to the caller (503 + Retry-After). */
  maxRetryAfterMs?: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  onBreakerStateChange?: (state: BreakerState) => void;
}

/**
 * A dependency's resilience: a timeout per attempt, retries of transient failures with exponential
 * backoff and jitter (a `retryAfterSeconds` on the error wins over the computed delay), and a
 * consecutive-failure circuit breaker around each attempt. Failures surface as AppErrors: a timeout
 * as UpstreamTimeoutError, an open breaker as UpstreamUnavailableError with Retry-After.
 */
export interface ResiliencePolicy {
  readonly name: string;
  readonly breakerState: BreakerState;
  execute<T>(operation: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** Transient: timeouts, connection errors, 429 and 5xx (AppErrors say so); never an open breaker or a caller abort. */
function isRetryable(error: unknown, maxRetryAfterMs: number): boolean {
  if (error instanceof BrokenCircuitError) return false;
  if (error instanceof TaskCancelledError) return true;
  if (error instanceof AppError) {
    if (!error.transient) return false;
    return error.retryAfterSeconds === undefined || error.retryAfterSeconds * 1000 <= maxRetryAfterMs;
  }
  return !(error instanceof Error && error.name === "AbortError");
}

/** Counts toward opening the breaker: the same transient failures (a 400 says nothing about the dependency's health). */
function isBreakerFailure(error: unknown): boolean {
  if (error instanceof TaskCancelledError) return true;
  if (error instanceof AppError) return error.transient;
  return !(error instanceof Error && error.name === "AbortError");
}

/** Wraps cockatiel's exponential backoff so an error's Retry-After sets that attempt's delay. */
function retryAfterAware(base: IBackoffFactory<unknown>): IBackoffFactory<IRetryBackoffContext<unknown>> {
  const step = (backoff: IBackoff<unknown>, context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> => {
    const failure = "error" in context.result ? context.result.error : undefined;
    const hinted = failure instanceof AppError && failure.retryAfterSeconds !== undefined ? failure.retryAfterSeconds * 1000 : undefined;
    return { duration: hinted ?? backoff.duration, next: (nextContext) => step(backoff.next(nextContext), nextContext) };
  };
  return { next: (context) => step(base.next(context), context) };
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Isolated]: "isolated",
};

export function createResiliencePolicy(options: PolicyOptions): ResiliencePolicy {
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
  const breaker = circuitBreaker(handleWhen(isBreakerFailure), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breakerThreshold),
  });
  breaker.onStateChange((state) => options.onBreakerStateChange?.(STATE_NAMES[state]));
  const retries = retry(
    handleWhen((error) => isRetryable(error, maxRetryAfterMs)),
    {
      maxAttempts: Math.max(0, options.maxAttempts - 1),
      backoff: retryAfterAware(new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 200, maxDelay: options.maxDelayMs ?? 5_000 })),
    },
  );
  retries.onRetry((event) => options.onRetry?.("error" in event ? event.error : undefined, event.attempt, event.delay));
  // Operations here do not outlive their promise, so the attempt's signal need not be aborted after a
  // normal return (cockatiel's default), which cost a DOMException per call.
  const attemptTimeout = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });

  const translate = (error: unknown, signal?: AbortSignal): unknown => {
    if (signal?.aborted) return error;
    if (error instanceof BrokenCircuitError) {
      return new CircuitOpenError(`${options.name} is unavailable (circuit open after repeated failures)`, {
        retryAfterSeconds: Math.max(1, Math.ceil(options.halfOpenAfterMs / 1000)),
      });
    }
    if (error instanceof TaskCancelledError) return new UpstreamTimeoutError(`${options.name} did not answer within ${options.timeoutMs} ms`);
    return error;
  };

  return {
    name: options.name,
    get breakerState() {
      return STATE_NAMES[breaker.state];
    },
    async execute<T>(operation: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      try {
        return await retries.execute(
          ({ signal: retrySignal }) =>
            breaker.execute(
              ({ signal: breakerSignal }) => attemptTimeout.execute(({ signal: attemptSignal }) => operation(attemptSignal), breakerSignal),
              retrySignal,
            ),
          signal ?? NEVER_ABORTED,
        );
      } catch (error) {
        throw translate(error, signal);
      }
    },
  };
}
