export interface ClaimScheduler {
  /** Runs `claim` soon: at once if none is in flight, else once more right after the one in flight. */
  wake(): void;
  /** Runs `claim` at `at` (epoch ms) unless a run is already due sooner. */
  wakeAt(at: number): void;
  /** Stops the timer; later wake-ups do nothing. Resolves once a claim in flight has finished. */
  stop(): Promise<void>;
  /** Whether a claim is in flight. */
  busy(): boolean;
}

/**
 * Serialises the queue's claims: one at a time, re-run when woken meanwhile (an enqueue, a finished
 * job), and otherwise every `idleMs` so that due retries and jobs written by others are found.
 */
export function createClaimScheduler(claim: () => Promise<void>, idleMs: number): ClaimScheduler {
  let inFlight: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Number.POSITIVE_INFINITY;

  const wakeAt = (at: number) => {
    if (stopped || (timer !== null && timerAt <= at)) return;
    if (timer !== null) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(
      () => {
        timer = null;
        timerAt = Number.POSITIVE_INFINITY;
        wake();
      },
      Math.max(0, at - Date.now()),
    );
  };

  const wake = () => {
    if (stopped) return;
    if (inFlight !== null) {
      again = true;
      return;
    }
    inFlight = claim().finally(() => {
      inFlight = null;
      if (again) {
        again = false;
        wake();
      } else wakeAt(Date.now() + idleMs);
    });
  };

  return {
    wake,
    wakeAt,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await inFlight;
    },
    busy: () => inFlight !== null,
  };
}
