/**
 * hardware.md's wiring tables say what the code says: the pin table against the firmware's own firmware/resetbot/pins.h,
 * the channel map against the firmware's shift order and the fixtures, the Firmata pin map against src/bench/firmata.ts.
 * The expected rows are generated here from those sources, so a change there fails here until the document follows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIRMATA_CHANNEL_PINS, FIRMATA_RELAY_PIN, unoPinName } from '../../src/bench/firmata.js';
import { keyOnChannel, loadFixture } from '../../src/bench/fixture.js';
import { arduinoPin } from '../../src/sim/avr/pins.js';

const doc = readFileSync(new URL('../../hardware.md', import.meta.url), 'utf8');
const pinsH = readFileSync(new URL('../../firmware/resetbot/pins.h', import.meta.url), 'utf8');

/** The table rows (cells trimmed) between `<!-- NAME:begin ... -->` and `<!-- NAME:end -->`, header rows dropped. */
function tableRows(name: string): string[][] {
  const m = new RegExp(`<!-- ${name}:begin[^>]*-->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(doc);
  if (!m) throw new Error(`hardware.md has no ${name} block`);
  return m[1]!
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => line.split('|').slice(1, -1).map((c) => c.trim()));
}

function defines(): Map<string, number> {
  const map = new Map<string, number>();
  for (const m of pinsH.matchAll(/^#define (\w+) (\d+)\s*$/gm)) map.set(m[1]!, Number(m[2]));
  return map;
}

/** `D11` -> 11, `A0` -> 14 (Arduino numbering). */
function pinNumber(name: string): number {
  const m = /^([DA])(\d+)$/.exec(name);
  if (!m) throw new Error(`not an Uno pin: ${name}`);
  return m[1] === 'A' ? 14 + Number(m[2]) : Number(m[2]);
}

describe('hardware.md', () => {
  it('the pin table is firmware/resetbot/pins.h, pin for pin, with the right ATmega328P port bits', () => {
    const pins = [...defines()].filter(([name]) => name.startsWith('PIN_'));
    const rows = tableRows('pin-table');
    expect(rows.map((r) => r[0]!.replace(/`/g, ''))).toEqual(pins.map(([name]) => name));
    for (const [name, pin] of pins) {
      const row = rows.find((r) => r[0] === `\`${name}\``)!;
      expect(pinNumber(row[1]!), name).toBe(pin);
      const { port, bit } = arduinoPin(pin);
      expect(row[2], name).toBe(`P${port}${bit}`);
    }
    expect(defines().get('SHIFT_REGISTER_COUNT')).toBe(4);
    expect(doc).toMatch(/`SHIFT_REGISTER_COUNT` is 4: four 74HC595s/);
  });

  it('the channel map follows the firmware\'s shift order, the 74HC595 and ULN2803A pinouts, and the fixtures', () => {
    const vvx = loadFixture(new URL('../../fixtures/vvx-jig.json', import.meta.url).pathname);
    const sp = loadFixture(new URL('../../fixtures/soundpoint-jig.json', import.meta.url).pathname);
    const registers = defines().get('SHIFT_REGISTER_COUNT')!;
    const expected: string[][] = [];
    for (let channel = 0; channel < registers * 8; channel++) {
      const reg = Math.floor(channel / 8);
      const bit = channel % 8; // channel n is output Q(n % 8) of register n / 8 (pins.h)
      const q = `Q${'ABCDEFGH'[bit]}`;
      const qPin = bit === 0 ? 15 : bit; // 74HC595: QA is pin 15, QB..QH are pins 1..7
      const uln = `U${reg + 1 + registers}`;
      expected.push([
        String(channel),
        `U${reg + 1} ${q} (${qPin})`,
        `${uln} IN${bit + 1} (${bit + 1})`, // ULN2803A: inputs 1..8 on pins 1..8
        `${uln} OUT${bit + 1} (${18 - bit})`, // outputs 1..8 on pins 18..11
        `\`${keyOnChannel(vvx, channel) ?? ''}\``,
        `\`${keyOnChannel(sp, channel) ?? ''}\``,
      ]);
    }
    expect(tableRows('channel-table')).toEqual(expected);
  });

  it('the Firmata pin map is src/bench/firmata.ts\'s', () => {
    const expected = [...FIRMATA_CHANNEL_PINS.map((pin, channel) => [String(channel), unoPinName(pin)]), ['relay', unoPinName(FIRMATA_RELAY_PIN)]];
    expect(tableRows('firmata-table')).toEqual(expected);
  });
});
