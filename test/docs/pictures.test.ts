/**
 * The pictures in the README and hardware.md are current: each DOT file in docs/ is what docs/pictures.ts generates
 * now from the machines (src/machines) and the pin table (firmware/resetbot/pins.h), and each SVG is that DOT rendered
 * (Graphviz in WebAssembly, from npm: the same on every machine). A machine or pin change fails here until
 * `npm run pictures` is run and its output committed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCS, MACHINES, machineDot, pictures, pinDefines, renderSvg, wiringDot } from '../../docs/pictures.js';
import { factoryResetMachine } from '../../src/machines/factory-reset.js';

const committed = (file: string) => readFileSync(`${DOCS}${file}`, 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const hardware = readFileSync(new URL('../../hardware.md', import.meta.url), 'utf8');

describe('the pictures are current', () => {
  for (const { file, dot } of pictures()) {
    it(`docs/${file}.dot is what the code gives now, and docs/${file}.svg is it rendered`, async () => {
      expect(committed(`${file}.dot`), `run \`npm run pictures\` and commit docs/`).toBe(dot);
      expect(committed(`${file}.svg`), `run \`npm run pictures\` and commit docs/`).toBe(await renderSvg(dot));
    });
  }

  it('the README shows every machine picture, hardware.md the wiring', () => {
    for (const { file } of MACHINES) expect(readme).toContain(`](docs/${file}.svg)`);
    expect(hardware).toContain('](docs/wiring.svg)');
  });
});

describe('what the pictures are made of', () => {
  it('a machine picture has every state of the machine and its transitions', () => {
    const dot = machineDot(factoryResetMachine, 't');
    for (const s of ['powerOff', 'awaitCancel', 'holding', 'typing', 'awaitReboots', 'blindReboots', 'recover', 'aborted']) {
      expect(dot).toMatch(new RegExp(`"factoryReset(\\.attempt)?\\.${s}" \\[label="${s}\\\\n`));
    }
    expect(dot).toContain('"factoryReset.attempt.awaitCancel" -> "factoryReset.attempt.pressCancel" [label="[cancelOffered]"]');
    expect(dot).toContain('"factoryReset.attempt.offWait" -> "factoryReset.attempt.powerOn" [label="after powerOff"]');
  });

  it('the wiring follows pins.h: another pin or register count gives another picture', () => {
    const pins = readFileSync(new URL('../../firmware/resetbot/pins.h', import.meta.url), 'utf8');
    expect(pinDefines(pins).get('PIN_RELAY')).toBe(7);
    const dot = wiringDot(pins);
    expect(dot).toContain('D7<br/>PIN_RELAY');
    expect(dot).toContain('U4 74HC595');
    const moved = wiringDot(pins.replace('#define PIN_RELAY 7', '#define PIN_RELAY 8').replace('#define SHIFT_REGISTER_COUNT 4', '#define SHIFT_REGISTER_COUNT 5'));
    expect(moved).toContain('D8<br/>PIN_RELAY');
    expect(moved).toContain('U5 74HC595');
    expect(moved).toContain('solenoids 32-39');
  });
});
