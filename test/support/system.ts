import { findOnPath } from '../../src/sim/serve.js';

/**
 * Tests that need a system package. CI (`CI=true`, .ci/run, which installs them) always runs them, so a missing
 * package fails there; elsewhere they are skipped, and the skip says plainly what is missing and how to install it.
 */
export interface SystemNeed {
  /** True when the tests must be skipped here. */
  skip: boolean;
  /** ' (skipped: ...)' for a test's name, or ''. */
  note: string;
}

const inCi = () => process.env.CI === 'true' || process.env.CI === '1' || !!process.env.RESETBOT_REQUIRE_TOOLCHAIN;
const warned = new Set<string>();

/** Whether the command `cmd` (from Debian package `pkg`) is here; warns once on stderr when tests skip for it. */
export function needs(cmd: string, pkg: string, what: string): SystemNeed {
  if (findOnPath(cmd) || inCi()) return { skip: false, note: '' };
  const why = `${cmd} is not installed: install the ${pkg} package (sudo apt install ${pkg}) to run them; CI runs them`;
  if (!warned.has(cmd)) {
    warned.add(cmd);
    process.stderr.write(`resetbot tests: skipping ${what}: ${why}\n`);
  }
  return { skip: true, note: ` (skipped: ${why})` };
}
