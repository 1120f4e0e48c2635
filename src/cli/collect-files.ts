import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CliError, EXIT } from "./api-client.js";

/**
 * Files named on the command line: files as given, folders walked recursively (hidden entries and
 * node_modules skipped), in a stable order, each once. Globs are the shell's to expand.
 */
export async function collectFiles(paths: string[]): Promise<string[]> {
  const found = new Set<string>();
  const walk = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => null);
    if (!info) throw new CliError(`no such file or folder: ${path}`, EXIT.usage);
    if (info.isFile()) return void found.add(resolve(path));
    if (!info.isDirectory()) return;
    const entries = (await readdir(path, { withFileTypes: true })).sort((left, right) => left.name.localeCompare(right.name));
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      await walk(join(path, entry.name));
    }
  };
  for (const path of paths) await walk(path);
  return [...found];
}
