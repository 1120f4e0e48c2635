import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { CliError, EXIT } from "./api-client.js";

/**
 * Files named on the command line: files as given, folders walked recursively (hidden entries and
 * node_modules skipped), and glob patterns the shell left unexpanded (quoted, or on a shell that
 * does not expand them, such as `"manuals/*.html"`) matched here; in a stable order, each once. A pattern
 * that matches nothing is a usage error, like a missing path.
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
  for (const path of paths) {
    if ((await stat(path).catch(() => null)) || !isDynamicPattern(path)) {
      await walk(path);
      continue;
    }
    // Hidden entries are left out by the matcher; node_modules here (its `ignore` is relative to the working directory).
    const skipsNodeModules = !path.split(/[\\/]/).includes("node_modules");
    const matches = (await glob(path, { onlyFiles: false, absolute: true }))
      .filter((match) => !(skipsNodeModules && match.split(/[\\/]/).includes("node_modules")))
      .sort((left, right) => left.localeCompare(right));
    if (matches.length === 0) throw new CliError(`no file matches ${path}`, EXIT.usage);
    for (const match of matches) await walk(match);
  }
  return [...found];
}
