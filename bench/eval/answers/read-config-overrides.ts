import { readFile } from "node:fs/promises";
import { parse } from "yaml";

/**
 * A `--config` file for the answer eval: YAML (or JSON) in the shape of ragline.config.yaml, used as
 * the overrides every eval service and the judge are built from (validated there by the real schema).
 * The harness reads no other environment, except one shortcut so keys stay out of files: when the file
 * names `openai.baseUrl` but no `openai.apiKey`, OPENAI_API_KEY (if set) fills it.
 */
export async function readConfigOverrides(path: string, environment: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  const parsed: unknown = parse(await readFile(path, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: expected a YAML mapping of config keys`);
  const overrides = parsed as Record<string, unknown>;
  const openai = overrides.openai as Record<string, unknown> | undefined;
  if (openai?.baseUrl && openai.apiKey === undefined && environment.OPENAI_API_KEY) {
    return { ...overrides, openai: { ...openai, apiKey: environment.OPENAI_API_KEY } };
  }
  return overrides;
}
