import { readFileSync, unwatchFile, watch, watchFile, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { loadConfig, type ConfigSource } from "./load-config.js";
import { loggableRetrievalSettings, type RetrievalSettings } from "./schema.js";
import { type Logger } from "../ports/logger.js";

/** Current retrieval thresholds; read on every query so reloads apply to the next request. */
export interface RetrievalSettingsProvider {
  current(): RetrievalSettings;
}

/** The file name looked for in the working directory when RAGLINE_CONFIG is not set. */
const CONVENTIONAL_FILE = "ragline.config.yaml";

/**
 * Holds the hot-reloadable part of the configuration (retrieval thresholds) and reloads it when
 * the config file changes or the process gets SIGHUP. The whole file is re-validated; an invalid
 * edit is logged and ignored, so the running service keeps its last good settings.
 *
 * The file watched is the one in use, or, when the service started without one, the file it
 * would read (./ragline.config.yaml), so a file created after start is picked up. Watching
 * survives any number of reloads and every way of replacing the file (in-place write, an editor's
 * rename over it, a symlink swap as Kubernetes does for ConfigMaps, delete and re-create): the
 * directory is watched for promptness and the file's status is polled as a backstop, and a reload
 * happens whenever the file's content differs from what was last read.
 */
export class ReloadableRetrievalSettings implements RetrievalSettingsProvider {
  private settings: RetrievalSettings;
  private watcher: FSWatcher | null = null;
  private polling = false;
  private debounce: NodeJS.Timeout | null = null;
  private lastContent: string | null;
  private readonly filePath: string;
  private readonly onSignal = () => this.reload("SIGHUP");
  private readonly onPoll = () => this.scheduleCheck();

  constructor(
    private readonly source: ConfigSource,
    private readonly options: { environment?: NodeJS.ProcessEnv; cwd?: string; logger?: Logger; debounceMs?: number; pollIntervalMs?: number } = {},
  ) {
    this.settings = source.config.retrieval;
    this.filePath = source.filePath ?? resolve(options.cwd ?? process.cwd(), CONVENTIONAL_FILE);
    this.lastContent = source.filePath ? readContent(source.filePath) : null;
  }

  current(): RetrievalSettings {
    return this.settings;
  }

  /** Starts watching the config file (existing or not yet created) and listening for SIGHUP. */
  start(): void {
    process.on("SIGHUP", this.onSignal);
    const name = basename(this.filePath);
    try {
      // The directory, not the file: editors and `mv` replace the file, which ends a watch on the file itself.
      this.watcher = watch(dirname(this.filePath), (_event, changed) => {
        if (changed === null || changed === name || changed.startsWith("..")) this.scheduleCheck();
      });
      this.watcher.on("error", (error) => this.options.logger?.warn({ error: error.message }, "config directory watch failed; polling only"));
    } catch (error) {
      this.options.logger?.warn({ path: this.filePath, error: (error as Error).message }, "cannot watch the config directory; polling only");
    }
    watchFile(this.filePath, { interval: this.options.pollIntervalMs ?? 2_000, persistent: false }, this.onPoll);
    this.polling = true;
  }

  /** Re-reads configuration; returns true when new settings were applied. */
  reload(reason: string): boolean {
    try {
      this.lastContent = readContent(this.filePath);
      const next = loadConfig({ environment: this.options.environment, cwd: this.options.cwd }).config.retrieval;
      const changed = JSON.stringify(next) !== JSON.stringify(this.settings);
      this.settings = next;
      if (changed) this.options.logger?.info({ reason, retrieval: loggableRetrievalSettings(next) }, "retrieval settings reloaded");
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
    if (this.polling) unwatchFile(this.filePath, this.onPoll);
    this.polling = false;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = null;
  }

  private scheduleCheck(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      const content = readContent(this.filePath);
      // Only a file that exists and changed: a half-finished replace briefly has no file at all.
      if (content !== null && content !== this.lastContent) this.reload(this.lastContent === null ? "file created" : "file change");
    }, this.options.debounceMs ?? 50);
  }
}

/** The file's text, or null when it does not exist (yet). */
function readContent(filePath: string): string | null {
  try {
    return readFileSync(filePath, "utf8");
  } catch {
    return null;
  }
}
