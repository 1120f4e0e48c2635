import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's `chromium` package (`.ci/run` installs it when missing); RAGLINE_TEST_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.RAGLINE_TEST_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Browser tests run when Chromium is installed, and always under CI (CI=true): there a missing
 * Chromium fails the run instead of skipping it. Elsewhere they skip, naming the reason.
 */
export const browserSkipReason: string | null =
  existsSync(CHROMIUM_PATH) || process.env.CI === "true" ? null : `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`;

/** Headless Chromium through playwright-core: no sandbox (containers, root), no GPU. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
}

/** Where browser tests keep their artefacts (screenshots): .ci-out/browser, ignored by git. */
export const ARTIFACT_DIRECTORY = join(import.meta.dirname, "..", "..", ".ci-out", "browser");

/** A full-page screenshot kept as a test artefact; returns its path. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACT_DIRECTORY, { recursive: true });
  const path = join(ARTIFACT_DIRECTORY, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
