import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// Debian's Chromium for the browser suites (/docs Try-it-out, the operator console), driven by
// playwright-core. .ci/run installs it and sets SUBLEDGER_TEST_REQUIRE_BROWSER=1.

const CHROMIUM = '/usr/bin/chromium';
const REQUIRED = process.env.SUBLEDGER_TEST_REQUIRE_BROWSER === '1';
const MISSING = `Debian's chromium is not installed (${CHROMIUM}): apt-get install -y --no-install-recommends chromium`;

/**
 * Why a browser suite does not run here, or false: SUBLEDGER_TEST_SKIP_BROWSER=1, or no Chromium
 * (then launchChromium fails instead when SUBLEDGER_TEST_REQUIRE_BROWSER=1).
 */
export function browserSkip(): string | false {
  if (process.env.SUBLEDGER_TEST_SKIP_BROWSER === '1') return 'SUBLEDGER_TEST_SKIP_BROWSER=1';
  return !existsSync(CHROMIUM) && !REQUIRED ? MISSING : false;
}

/** A suite that runs needs Chromium: said before it seeds anything. @throws when it is not installed */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${MISSING} (SUBLEDGER_TEST_REQUIRE_BROWSER=1)`);
}

/** Headless Chromium, without background traffic of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
}
