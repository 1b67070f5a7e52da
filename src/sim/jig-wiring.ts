/**
 * The simulated jigs AS BUILT: which key each channel's solenoid (or touch tip, or pin) really sits over, and whether
 * the phone's power really runs through the relay. This is the simulator's own record of the hardware, kept apart from
 * the controller's fixture files (fixtures/*.json), exactly as a real jig is apart from the file that describes it: a
 * test inspects each built jig against its fixture file, and the `miswire` fault builds a jig that its file gets
 * wrong, which the controller must never turn into a false pass.
 *
 * Key names are the labels on the phone (bench/keys.ts is the shared vocabulary of the physical interface).
 */
import type { Key } from '../bench/keys.js';

export interface JigWiring {
  name: string;
  /** Channels on the board. */
  channels: number;
  /** Whether the phone's power runs through the relay. */
  relay: boolean;
  /** Channel -> the key its solenoid sits over. */
  keyOn: ReadonlyMap<number, Key>;
}

/** A wiring from "channel:key" pairs, the way a build sheet lists them. */
function built(name: string, channels: number, relay: boolean, sheet: string): JigWiring {
  const keyOn = new Map<number, Key>();
  for (const pair of sheet.trim().split(/\s+/)) {
    const i = pair.indexOf(':');
    keyOn.set(Number(pair.slice(0, i)), pair.slice(i + 1));
  }
  return { name, channels, relay, keyOn };
}

const DIAL_AND_SOFTKEYS = '0:0 1:1 2:2 3:3 4:4 5:5 6:6 7:7 8:8 9:9 10:* 11:# 12:softkey1 13:softkey2 14:softkey3 15:softkey4';
const VVX_REST =
  '16:menu 17:home 18:back 19:select 20:up 21:down 22:left 23:right 24:delete 25:volume-up 26:volume-down 27:mute ' +
  '28:handsfree 29:headset 30:transfer 31:messages';

/** Every jig the project documents, as it was built. */
export const BUILT_JIGS: ReadonlyMap<string, JigWiring> = new Map(
  [
    built('vvx-jig', 32, true, `${DIAL_AND_SOFTKEYS} ${VVX_REST}`),
    built('vvx-jig-poe', 32, false, `${DIAL_AND_SOFTKEYS} ${VVX_REST}`),
    built(
      'soundpoint-jig',
      32,
      true,
      `${DIAL_AND_SOFTKEYS} 16:menu 17:select 18:up 19:down 20:left 21:right 22:volume-up 23:volume-down 24:mute 25:hold ` +
        '26:handsfree 27:headset 28:messages 29:delete 30:redial 31:conference',
    ),
    built(
      'edge-jig',
      32,
      true,
      `${DIAL_AND_SOFTKEYS} 16:back 17:home 18:select 19:up 20:down 21:left 22:right 23:handsfree 24:headset 25:mute ` +
        '26:volume-up 27:volume-down',
    ),
    built('firmata-jig', 16, true, '0:1 1:3 2:5 3:7 4:2 5:9 6:4 7:6 8:8 9:* 10:0 11:# 12:softkey1 13:softkey2 14:softkey3 15:softkey4'),
    built('touch-jig', 8, true, '0:corner-tl 1:corner-tr 2:corner-bl 3:corner-br'),
    built('base-station-jig', 8, true, '0:pair 1:pinhole-reset'),
    built('visualpro-jig', 8, true, '0:restore 1:power'),
  ].map((w) => [w.name, w]),
);

/**
 * A jig built exactly to a description (a test's own ad-hoc jig): channel -> key from a key -> channel map.
 */
export function builtTo(name: string, channels: number, relay: boolean, keys: Readonly<Record<string, number>>): JigWiring {
  const keyOn = new Map<number, Key>();
  for (const [key, channel] of Object.entries(keys)) keyOn.set(channel, key);
  return { name, channels, relay, keyOn };
}

/** The same jig with the wires of each pair of channels swapped (the `miswire` fault). */
export function miswired(wiring: JigWiring, swaps: ReadonlyArray<readonly [number, number]>): JigWiring {
  const keyOn = new Map(wiring.keyOn);
  for (const [a, b] of swaps) {
    const ka = keyOn.get(a);
    const kb = keyOn.get(b);
    keyOn.delete(a);
    keyOn.delete(b);
    if (kb !== undefined) keyOn.set(a, kb);
    if (ka !== undefined) keyOn.set(b, ka);
  }
  return { ...wiring, keyOn };
}
