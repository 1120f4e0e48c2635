import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { loadConfig, type ConfigSource } from "./load-config.js";
import type { RetrievalSettings } from "./schema.js";
import { type Logger } from "../ports/logger.js";

/** Current retrieval thresholds; read on every query so reloads apply to the next request. */
export interface RetrievalSettingsProvider {
  current(): RetrievalSettings;
}

/**
 * Holds the hot-reloadable part of the configuration (retrieval thresholds) and reloads it when
 * the config file changes or the process gets SIGHUP. The whole file is re-validated; an invalid
 * edit is logged and ignored, so the running service keeps its last good settings.
 */
export class ReloadableRetrievalSettings implements RetrievalSettingsProvider {
  private settings: RetrievalSettings;
  private watcher: FSWatcher | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private readonly onSignal = () => this.reload("SIGHUP");

  constructor(
    private readonly source: ConfigSource,
    private readonly options: { environment?: NodeJS.ProcessEnv; cwd?: string; logger?: Logger; debounceMs?: number } = {},
  ) {
    this.settings = source.config.retrieval;
  }

  current(): RetrievalSettings {
    return this.settings;
  }

  /** Starts watching the file (when there is one) and listening for SIGHUP. */
  start(): void {
    process.on("SIGHUP", this.onSignal);
    const filePath = this.source.filePath;
    if (!filePath) return;
    // Watch the directory: editors and `mv` replace the file, which ends a watch on the file itself.
    this.watcher = watch(dirname(filePath), (_event, changed) => {
      if (changed !== null && changed !== basename(filePath)) return;
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload("file change"), this.options.debounceMs ?? 50);
    });
  }

  /** Re-reads configuration; returns true when new settings were applied. */
  reload(reason: string): boolean {
    try {
      const next = loadConfig({ environment: this.options.environment, cwd: this.options.cwd }).config.retrieval;
      const changed = JSON.stringify(next) !== JSON.stringify(this.settings);
      this.settings = next;
      if (changed) this.options.logger?.info({ reason, retrieval: next }, "retrieval settings reloaded");
      return true;
    } catch (error) {
      this.options.logger?.error({ reason, error: (error as Error).message }, "configuration reload rejected; keeping previous settings");
      return false;
    }
  }

  stop(): void {
    process.off("SIGHUP", this.onSignal);
    this.watcher?.close();
    this.watcher = null;
    if (this.debounce) clearTimeout(this.debounce);
  }
}
