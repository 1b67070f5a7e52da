/**
 * When the toolchain is here (avr-gcc and Debian's arduino-core-avr, the versions firmware/toolchain.txt names),
 * rebuilding the firmware from its sources gives exactly the committed firmware/resetbot.hex.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const firmware = fileURLToPath(new URL('../../firmware/', import.meta.url));
const arduino = process.env.ARDUINO_AVR ?? '/usr/share/arduino/hardware/arduino/avr';

/** Why the rebuild cannot be compared here, or undefined when it can. */
function cannotRebuild(): string | undefined {
  let gcc: string;
  try {
    gcc = execFileSync('avr-gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  } catch {
    return 'avr-gcc is not on PATH';
  }
  if (!existsSync(join(arduino, 'cores', 'arduino', 'Arduino.h'))) return `no Arduino core at ${arduino}`;
  const recorded = readFileSync(join(firmware, 'toolchain.txt'), 'utf8');
  if (!recorded.includes(`avr-gcc: ${gcc}\n`)) return `the committed .hex was built with another avr-gcc than '${gcc}' (see firmware/toolchain.txt)`;
  const core = readFileSync(join(arduino, 'platform.txt'), 'utf8').match(/^version=(.*)$/m)?.[1];
  if (!recorded.includes(`arduino-core-avr: ${core}\n`)) return `the committed .hex was built with another arduino-core-avr than ${core}`;
  return undefined;
}

const reason = cannotRebuild();

describe('firmware build', () => {
  // CI (.ci/run) installs the toolchain and sets RESETBOT_REQUIRE_TOOLCHAIN: there a skip would hide a stale .hex.
  it.runIf(!!process.env.RESETBOT_REQUIRE_TOOLCHAIN)('the toolchain to rebuild the firmware is present', () => {
    expect(reason).toBeUndefined();
  });

  it.skipIf(reason !== undefined)(`rebuilds to the committed resetbot.hex${reason ? ` (skipped: ${reason})` : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'resetbot-fw-'));
    try {
      const out = join(dir, 'resetbot.hex');
      execFileSync('bash', [join(firmware, 'build.sh'), out], { stdio: 'pipe' });
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(firmware, 'resetbot.hex'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
