/**
 * StandardFirmata in the loop: the real StandardFirmata image runs in avr8js (AvrBoard), the `firmata` driver talks
 * to it through a real SerialPortStream over the emulated USART (createAvrBinding), and the Uno's pins, decoded
 * with the Firmata bench's pin map (FIRMATA_CHANNEL_PINS, FIRMATA_RELAY_PIN), move a VirtualJig's solenoids and relay
 * over a SimPhone. Nothing in the path from the driver to the phone is simulated by resetbot's own code except the
 * phone and the jig.
 */
import { SerialPortStream } from '@serialport/stream';
import { createBench } from '../../bench/bench.js';
import { FIRMATA_BAUD_RATE, FIRMATA_CHANNEL_PINS, FIRMATA_RELAY_PIN, FirmataDriver } from '../../bench/firmata.js';
import type { Fixture } from '../../bench/fixture.js';
import type { Bench } from '../../bench/types.js';
import type { Clock } from '../../clock/clock.js';
import { normalizeSimMac, SimObserver } from '../driver.js';
import { VirtualJig } from '../jig.js';
import { SimPhone, type SimPhoneOptions } from '../phone.js';
import { createAvrBinding } from './binding.js';
import { AvrBoard } from './board.js';
import { loadStandardFirmataHex, UnoPinWatcher } from './firmata-uno.js';

/** The path the emulated Firmata Uno's port opens under. */
export const FIRMATA_SIM_PORT = 'avr8js:uno-firmata';

/**
 * Drives `jig` from the Uno's pins: channel n follows pin FIRMATA_CHANNEL_PINS[n] (channels the fixture does not wire
 * have nothing under them), the relay follows FIRMATA_RELAY_PIN. Returns the function that disconnects them.
 */
export function connectFirmataJig(pins: UnoPinWatcher, jig: VirtualJig): () => void {
  const wired = FIRMATA_CHANNEL_PINS.slice(0, jig.channels);
  const apply = (high: readonly boolean[]): void => {
    const on: number[] = [];
    const off: number[] = [];
    wired.forEach((pin, channel) => (high[pin] ? on : off).push(channel));
    jig.setChannels(off, false);
    jig.setChannels(on, true);
    jig.setRelay(high[FIRMATA_RELAY_PIN]!);
  };
  apply(Array.from({ length: 20 }, (_, pin) => pins.high(pin)));
  return pins.onChange((high) => apply(high));
}

export interface FirmataSimBenchConfig {
  modelId: string;
  /** The phone's MAC (any common spelling). */
  mac: string;
  /** The jig (at most FIRMATA_CHANNELS channels). */
  fixture: Fixture;
  clock: Clock;
  seed: number | string;
  options?: SimPhoneOptions;
  /** The driver's host-side hold limit, ms. */
  maxHoldMs?: number;
  /** A blind bench: no observer. */
  blind?: boolean;
  /** The phone's boot waits this many times faster (SimDeviceConfig.quickBoot): tests that emulate every cycle. */
  quickBoot?: number;
}

export interface FirmataSimBench {
  bench: Bench;
  driver: FirmataDriver;
  board: AvrBoard;
  pins: UnoPinWatcher;
  port: SerialPortStream;
  phone: SimPhone;
  jig: VirtualJig;
  observer: SimObserver | undefined;
  /** Stops the board and disconnects the jig (call after driver.close()). */
  dispose(): void;
}

/** A simulated phone in a jig on an emulated Uno running StandardFirmata, driven by the `firmata` driver. */
export function createFirmataSimBench(config: FirmataSimBenchConfig): FirmataSimBench {
  const { clock, fixture } = config;
  const phone = new SimPhone({
    modelId: config.modelId,
    mac: normalizeSimMac(config.mac),
    clock,
    seed: config.seed,
    ...(config.options ? { options: config.options } : {}),
    ...(config.quickBoot !== undefined ? { quickBoot: config.quickBoot } : {}),
  });
  const jig = new VirtualJig({ fixture, phone, clock });
  const board = new AvrBoard({ clock, hex: loadStandardFirmataHex(), lineBaud: FIRMATA_BAUD_RATE });
  const pins = new UnoPinWatcher(board);
  const disconnect = connectFirmataJig(pins, jig);
  const port = new SerialPortStream({
    binding: createAvrBinding(board, { path: FIRMATA_SIM_PORT }),
    path: FIRMATA_SIM_PORT,
    baudRate: FIRMATA_BAUD_RATE,
    autoOpen: false,
  });
  const driver = new FirmataDriver({ port, clock, fixture, ...(config.maxHoldMs ? { maxHoldMs: config.maxHoldMs } : {}) });
  const observer = config.blind ? undefined : new SimObserver(phone);
  return {
    bench: createBench(driver, fixture, observer),
    driver,
    board,
    pins,
    port,
    phone,
    jig,
    observer,
    dispose: () => {
      disconnect();
      pins.dispose();
      board.powerOff();
    },
  };
}
