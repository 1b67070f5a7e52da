/**
 * The vocabulary of progress (src/progress/vocabulary.ts) covers every state of every machine: the test walks the
 * machine definitions themselves, so a state added to a machine without words fails here. And the words it gives
 * read as a technician says them, with the figures of the model's own timing profile.
 */
import type { AnyStateMachine, StateNode } from 'xstate';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../src/catalog/catalog.js';
import type { ProcedureStep, StepProcedure } from '../../src/catalog/types.js';
import { rebootProcedure } from '../../src/catalog/procedures.js';
import { factoryResetMachine } from '../../src/machines/factory-reset.js';
import { provisionMachine } from '../../src/machines/provision.js';
import { stepMachine } from '../../src/machines/steps.js';
import { clockTime, stepText } from '../../src/progress/render.js';
import { charTimes, describeState, knows, progressFields, progressKey, sameProgressOf } from '../../src/progress/vocabulary.js';
import { TEXT_ENTRY_PROFILES } from '../../src/text-entry/profiles.js';
import { planText } from '../../src/text-entry/planner.js';

/** Every leaf state of a machine (the innermost names the runner reports), walked from its definition. */
function leafStates(machine: AnyStateMachine): string[] {
  const out: string[] = [];
  const walk = (node: StateNode<any, any>) => {
    const children = Object.values(node.states);
    if (children.length === 0) out.push(node.key);
    for (const c of children) walk(c as StateNode<any, any>);
  };
  walk(machine.root as StateNode<any, any>);
  return out;
}

const MACHINES: AnyStateMachine[] = [factoryResetMachine, stepMachine, provisionMachine];

describe('every state of every machine has words', () => {
  for (const machine of MACHINES) {
    it(`${machine.id}: each of its states is in the table`, () => {
      const states = leafStates(machine);
      expect(states.length).toBeGreaterThan(2);
      expect(states.filter((s) => !knows(machine.id, s))).toEqual([]);
    });
  }

  it('a state the table does not know still gets words: its name, humanised', () => {
    expect(describeState('factoryReset', 'awaitSecondWind', {})).toEqual({ id: 'await-second-wind', words: 'await second wind' });
  });

  it('every step of every step procedure in the catalog has words of its own (not the fallback)', () => {
    const procedures: StepProcedure[] = [];
    for (const m of getCatalog().models) {
      for (const p of [m.procedure, ...(m.alternatives ?? [])]) {
        if ('steps' in p) procedures.push(p as StepProcedure);
        if (p.kind === 'menu-reset') for (const c of Object.values(p.choices)) procedures.push({ kind: 'menu-step', steps: c!.steps, resets: c!.resets });
      }
      if (m.rebootCombo) procedures.push(rebootProcedure(m.rebootCombo));
    }
    const kinds = new Set<ProcedureStep['do']>();
    const vvx = getCatalog().find('VVX 410');
    for (const procedure of procedures) {
      procedure.steps.forEach((step, index) => {
        kinds.add(step.do);
        const words = describeState('stepProcedure', 'step', { model: vvx, procedure, index, bench: { fixture: { relay: true }, observer: {} } });
        expect(words.id, `${step.do}`).toBe(step.do === 'power-cycle' ? 'power-cycle' : step.do);
        expect(words.words).not.toMatch(/working|undefined/);
      });
    }
    // The walk reached the kinds the catalog's procedures use (the table's type requires words for every kind).
    for (const k of ['hold', 'release', 'press', 'wait', 'wait-for', 'menu', 'confirm', 'power-on', 'power-cycle'] as const) expect(kinds.has(k), k).toBe(true);
  });
});

describe('the words', () => {
  const vvx = getCatalog().find('VVX 410');
  const c = { model: vvx, bench: { fixture: { relay: true }, observer: {} }, procedure: vvx.procedure, comboIndex: 0 } as const;

  it('say what the keypad machine does, with the model timing profile as countdown', () => {
    const off = describeState('factoryReset', 'offWait', c);
    expect(stepText(off, 0, false)).toBe(`powering off, ${clockTime(vvx.timing.powerOffMs)}`);
    expect(describeState('factoryReset', 'awaitCancel', c).words).toBe('waiting for Cancel');
    expect(describeState('factoryReset', 'holding', c).words).toBe('holding 1+3+5');
    const reboots = describeState('factoryReset', 'awaitReboots', { ...c, reboots: 1 });
    expect(reboots).toMatchObject({ id: 'await-reboots', words: `waiting for reboot 2 of ${vvx.timing.resetReboots}` });
    expect(stepText(reboots, vvx.timing.rebootTimeoutMs - 100_000, true)).toBe(`waiting for reboot 2 of ${vvx.timing.resetReboots}, 1:40 left`);
    // The blind wait that sat silent for minutes has its countdown too.
    expect(stepText(describeState('factoryReset', 'blindReboots', c), 60_000, true)).toMatch(/reboots .*, \d+:\d\d left$/);
  });

  it('count the characters typed as the typing goes', () => {
    const plan = planText('0004f2aa814c', vvx.textEntry);
    const typing = describeState('factoryReset', 'typing', { ...c, planFor: () => plan, macCase: 'lower' });
    expect(typing.typing!.chars).toBe(12);
    expect(stepText(typing, 0, true)).toBe('typing the password, 0 of 12');
    expect(stepText(typing, plan.durationMs, true)).toBe('typing the password, 12 of 12');
    const times = typing.typing!.doneAt;
    expect(stepText(typing, times[6]!, true)).toBe('typing the password, 7 of 12');
  });

  it('a typed text ends each character once: as many ends as characters, for every text-entry profile', () => {
    for (const profile of Object.values(TEXT_ENTRY_PROFILES)) {
      for (const text of ['0004f2aa814c', '0004F2AA814C', 'abba', '192.168.1.10', 'prov/server']) {
        let plan;
        try {
          plan = planText(text, profile);
        } catch {
          continue; // a character this keypad cannot type
        }
        const ends = charTimes(plan, profile.initialMode);
        expect(ends, `${profile.id} ${text}`).toHaveLength([...text].length);
        expect(ends.at(-1)).toBeLessThanOrEqual(plan.durationMs);
        expect([...ends].sort((a, b) => a - b)).toEqual(ends);
      }
    }
  });
});

describe('the runner asks for words when progressKey changes', () => {
  it('sameProgressOf agrees with comparing progressKey strings, for every pair of a grid of snapshots', () => {
    const values: unknown[] = ['recover', 'passed', { attempt: 'typing' }, { attempt: 'holding' }, { attempt: { inner: 'a' } }, { attempt: { inner: 'b' } }];
    const contexts = [
      { attempt: 1, reboots: 0, comboIndex: 0, macCase: 'lower' as const },
      { attempt: 2, reboots: 0, comboIndex: 0, macCase: 'lower' as const },
      { attempt: 1, reboots: 1, comboIndex: 0, macCase: 'lower' as const },
      { attempt: 1, reboots: 0, comboIndex: 1, macCase: 'upper' as const },
      { attempt: 1, index: 3 },
      { attempt: 1, index: 4, adminIndex: 0 },
      { attempt: 1, opIndex: 2 },
    ];
    let same = 0;
    let differ = 0;
    for (const v1 of values) {
      for (const c1 of contexts) {
        for (const v2 of values) {
          for (const c2 of contexts) {
            const want = progressKey(v1, c1) === progressKey(v2, c2);
            expect(sameProgressOf(progressFields(v1, c1), v2, c2)).toBe(want);
            if (want) same++;
            else differ++;
          }
        }
      }
    }
    expect(same).toBeGreaterThan(0);
    expect(differ).toBeGreaterThan(same);
    expect(sameProgressOf(undefined, 'recover', { attempt: 1 })).toBe(false);
  });
});
