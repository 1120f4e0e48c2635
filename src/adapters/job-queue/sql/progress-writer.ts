const DEFAULT_INTERVAL_MS = 250;

export interface ProgressWriter {
  /** Records progress (clamped to 0..1; non-finite values are ignored). */
  report(progress: number): Promise<void>;
  /** Drops any write not yet made; later reports do nothing. */
  stop(): void;
}

/**
 * Persists a running job's progress at most once per `intervalMs`: a report inside the interval is
 * written when the interval ends (the latest value wins), so the last report is always persisted
 * unless the job settles first. The first interval starts with the claim, which wrote the job.
 */
export function createProgressWriter(write: (progress: number) => Promise<void>, intervalMs = DEFAULT_INTERVAL_MS): ProgressWriter {
  let writtenAt = Date.now();
  let pending: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const flush = async () => {
    timer = null;
    if (stopped || pending === null) return;
    const value = pending;
    pending = null;
    writtenAt = Date.now();
    await write(value);
  };

  return {
    async report(progress) {
      if (stopped || !Number.isFinite(progress)) return;
      pending = Math.min(1, Math.max(0, progress));
      const waitMs = writtenAt + intervalMs - Date.now();
      if (waitMs <= 0) {
        if (timer !== null) clearTimeout(timer);
        await flush();
      } else timer ??= setTimeout(() => void flush(), waitMs);
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
