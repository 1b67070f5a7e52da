/**
 * An emulated bench board: an ATmega328P at 16 MHz (avr8js) running the real firmware .hex, with the bench's
 * hardware around it at the pin level: the 74HC595 chain on its shift-register pins, the relay on its pin (with the
 * pull-up on /OE and the pull-down on the relay input that the board carries), the analog sensor on A0, and the
 * serial line to the host at its baud rate.
 *
 * Time. The board runs on the product's Clock, so the firmware's millis() and everything else on that clock (the
 * simulated phone, the host's driver and machines) share one time base. While powered, the board keeps one timer on
 * the clock, every `sliceMs` (default 1 ms): when it fires, the CPU runs until its cycle count matches the clock's
 * now (16 000 cycles a millisecond since power-on). The CPU is therefore never ahead of the clock and at most one
 * slice behind it; what it does (output edges, serial bytes) is stamped with its own emulated time, and listeners
 * hear of it at the end of that slice at the latest. Under a VirtualClock this is deterministic; under a RealClock
 * it runs in real time (the slice catches up to the wall clock).
 *
 * Speed. The firmware sleeps (SLEEP, idle mode) between interrupts. avr8js does not model sleep, so this harness
 * does: while the CPU sleeps it jumps from one peripheral event to the next (timer ticks, serial bytes) instead of
 * executing, until an interrupt wakes it. That is where most of the emulation speed comes from.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  adcConfig,
  AVRADC,
  AVRClock,
  avrInstruction,
  AVRIOPort,
  AVRTimer,
  AVRUSART,
  AVRWatchdog,
  clockConfig,
  CPU,
  PinState,
  portBConfig,
  portCConfig,
  portDConfig,
  timer0Config,
  timer1Config,
  timer2Config,
  usart0Config,
  watchdogConfig,
} from 'avr8js';
import { Listeners } from '../../bench/listeners.js';
import type { Clock, TimerId } from '../../clock/clock.js';
import { ConfigError } from '../../errors/errors.js';
import { BAUD_RATE } from '../../protocol/version.js';
import { parseIntelHex } from './intel-hex.js';
import { arduinoPin, BENCH_PINS, type PortName, SHIFT_REGISTER_COUNT } from './pins.js';
import { ShiftRegisterChain } from './shift-register.js';
import { ANALOG_INPUTS, checkAnalog, type SerialBoard } from '../serial-binding.js';

export const CPU_HZ = 16_000_000;
const CYCLES_PER_MS = CPU_HZ / 1000;
const FLASH_BYTES = 32 * 1024;
const SRAM_BYTES = 2048;
/** One instruction; a local binding (avr8js is CommonJS: a named import may be a getter on every call). */
const executeInstruction = avrInstruction;
/** Data-space addresses of ATmega328P registers the harness reads. */
const SREG = 0x5f;
const SMCR = 0x53;
const MCUSR = 0x54;
const SMCR_SE = 0x01;
const OPCODE_SLEEP = 0x9588;
/** `rjmp .-2`, an endless loop (avr-libc's __stop_program). */
const OPCODE_RJMP_SELF = 0xcfff;
/** The receiver tolerates this relative baud mismatch (the datasheet's ~2 % per side for 8N1, summed). */
const BAUD_TOLERANCE = 0.045;

export type ResetCause = 'power-on' | 'external' | 'watchdog';

/** How the MCU treats a pin: driving it high or low, or leaving it an input (with its internal pull-up, or without). */
export type PinDrive = 'high' | 'low' | 'pull-up' | 'input';

export interface AvrBoardOptions {
  clock: Clock;
  /** Intel HEX text of the firmware; default: the committed firmware/resetbot.hex (see loadFirmwareHex). */
  hex?: string;
  /** Emulated milliseconds per clock timer. Smaller is closer in time to the clock; larger is a little faster. */
  sliceMs?: number;
  /** Baud rate of the host's end of the line (the serial binding sets it when a port opens). Default 115200. */
  lineBaud?: number;
  /**
   * Time an external reset (the DTR pulse when a port opens, the reset button) spends in the bootloader before the
   * sketch starts; bytes sent meanwhile are lost. Optiboot skips it after power-on and watchdog resets. Default 0.
   */
  bootloaderMs?: number;
  /** What the 74HC595s hold at power-up; default `ones`, the worst case, so a test shows /OE keeps them off. */
  shiftRegistersAtPowerUp?: 'ones' | 'zeros';
}

/** The committed firmware: firmware/resetbot.hex of this package. */
export function defaultFirmwarePath(): string {
  // src/sim/avr/board.ts and dist/sim/avr/board.js both sit three levels below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'firmware', 'resetbot.hex');
}

export function loadFirmwareHex(path = defaultFirmwarePath()): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('no-firmware', `cannot read the firmware image ${path}`, 'build it with firmware/build.sh or reinstall resetbot');
  }
}

/**
 * The ATmega328P's receive buffer is a two-character FIFO (UDR and the one behind it), with the shift register able to
 * hold a third: a byte that completes while UDR is still unread waits there, and becomes UDR when the firmware reads
 * it (the receive-complete flag then stays set). avr8js (0.21) keeps one byte and overwrites it, so a byte arriving
 * while an interrupt handler runs a little long was lost (a corrupted command: "unknown command" on a busy host).
 * `held` is the FIFO behind UDR; a byte that finds it full is an overrun (lost, as on the chip).
 */
/** UCSR0A's receive-complete bit. */
const UCSRA_RXC = 0x80;
/** Bytes the receiver holds behind UDR: the FIFO's second place and the shift register. */
const RX_FIFO_BEHIND_UDR = 2;

function receiveFifo(cpu: CPU, usart: AVRUSART, held: number[]): void {
  const { UDR } = usart0Config;
  const original = cpu.readHooks[UDR]!;
  cpu.readHooks[UDR] = (addr) => {
    const value = original(addr);
    const next = held.shift();
    if (next !== undefined) usart.writeByte(next, true);
    return value;
  };
}

/**
 * Works around an avr8js (0.21) USART bug: any write to UCSRB while the receiver stays enabled clears a pending
 * receive-complete flag, so the byte waiting in UDR is lost. A real ATmega328P only flushes the receiver when RXEN is
 * cleared. The Arduino core writes UCSRB (to set UDRIE) on every buffered Serial write, so without this a byte that
 * arrives while the firmware prints is dropped.
 */
function keepReceivedByteOnUcsrbWrite(cpu: CPU, usart: AVRUSART): void {
  const { UCSRA, UCSRB } = usart0Config;
  const UCSRB_RXEN = 0x10;
  const rxComplete = (usart as unknown as { RXC: Parameters<CPU['setInterruptFlag']>[0] }).RXC;
  const original = cpu.writeHooks[UCSRB]!;
  cpu.writeHooks[UCSRB] = (value, oldValue, addr, mask) => {
    const pending = cpu.data[UCSRA]! & UCSRA_RXC;
    const handled = original(value, oldValue, addr, mask);
    if (pending && value & UCSRB_RXEN) cpu.setInterruptFlag(rxComplete);
    return handled;
  };
}

interface CpuInternals {
  /** avr8js keeps its peripheral events in a list sorted by cycle; the head is the next one due. */
  nextClockEvent: { cycles: number } | null;
}

export interface AvrBoardStats {
  /** CPU cycles since the first power-on (emulated time x 16 MHz). */
  cycles: number;
  /** Of those, cycles skipped while the CPU slept or waited in the bootloader. */
  idleCycles: number;
  /** Bytes lost on the line: sent while the board's receiver was off, or at a baud rate it does not use. */
  lostBytes: number;
}

export class AvrBoard implements SerialBoard {
  readonly clock: Clock;
  private readonly program: Uint16Array;
  private readonly sliceMs: number;
  private readonly bootloaderMs: number;
  private readonly powerUpContents: 'ones' | 'zeros';
  private lineBaud: number;

  private cpu!: CPU;
  private usart!: AVRUSART;
  private adc!: AVRADC;
  private ports!: Record<PortName, AVRIOPort>;
  private chain: ShiftRegisterChain;

  private isPowered = false;
  private timer: TimerId | undefined;
  /** Clock time at cycle 0. */
  private epochMs = 0;
  private sleeping = false;
  /** The CPU executes nothing before this cycle (bootloader). */
  private holdUntil = 0;
  private watchdogFired = false;
  /** True while runToNow() executes the CPU (listeners are called from inside it). */
  private running = false;
  private idleCycles = 0;
  private lostBytes = 0;

  private relayOn = false;
  private outputs: number[] = [];
  private readonly analog = new Array<number>(ANALOG_INPUTS).fill(0);

  /** Bytes from the host on their way to the board, each with the cycle its stop bit ends. */
  private rxQueue: { byte: number; at: number }[] = [];
  /** Received bytes waiting behind an unread UDR (receiveFifo). */
  private rxHeld: number[] = [];
  private rxScheduled = false;
  /** Cycle at which the host's transmitter finishes the last byte queued. */
  private lineFreeAt = 0;
  private rxDrainWaiters: (() => void)[] = [];
  /** Bytes the board finished sending during the current slice, and when the last one ended. */
  private txBatch: number[] = [];
  private txLastAt = 0;

  private readonly serialListeners = new Listeners<[Buffer, number]>();
  private readonly channelListeners = new Listeners<[readonly number[], number]>();
  private readonly relayListeners = new Listeners<[boolean, number]>();
  private readonly resetListeners = new Listeners<[ResetCause, number]>();
  private readonly pinListeners = new Listeners<[number]>();

  constructor(options: AvrBoardOptions) {
    this.clock = options.clock;
    this.sliceMs = options.sliceMs ?? 1;
    this.bootloaderMs = options.bootloaderMs ?? 0;
    this.lineBaud = options.lineBaud ?? BAUD_RATE;
    this.powerUpContents = options.shiftRegistersAtPowerUp ?? 'ones';
    if (!(this.sliceMs > 0)) throw new RangeError(`sliceMs must be positive, got ${this.sliceMs}`);
    const image = parseIntelHex(options.hex ?? loadFirmwareHex(), FLASH_BYTES);
    this.program = new Uint16Array(image.buffer, image.byteOffset, FLASH_BYTES / 2);
    this.chain = new ShiftRegisterChain(SHIFT_REGISTER_COUNT, this.powerUpContents);
    this.build('power-on');
  }

  // ---- Power and reset ----------------------------------------------------------------------------------------

  get powered(): boolean {
    return this.isPowered;
  }

  /** Plugs the board in: a power-on reset, then the firmware runs on the clock. Does nothing when already on. */
  powerOn(): void {
    if (this.isPowered) return;
    this.isPowered = true;
    this.epochMs = this.clock.now() - this.cpu.cycles / CYCLES_PER_MS;
    this.chain = new ShiftRegisterChain(SHIFT_REGISTER_COUNT, this.powerUpContents);
    this.build('power-on');
    this.resetListeners.emit('power-on', this.timeMs());
    this.scheduleSlice();
  }

  /** Unplugs the board: it stops, its pins float (every output off, the relay off), bytes sent to it are lost. */
  powerOff(): void {
    if (!this.isPowered) return;
    this.notWhileRunning('powerOff');
    this.runToNow();
    this.isPowered = false;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.rxQueue = [];
    this.rxHeld.length = 0;
    this.rxScheduled = false;
    this.resolveRxDrained();
    this.pinsChanged();
  }

  /** An external reset (DTR pulse, reset button): the MCU restarts; the 74HC595s keep their contents. */
  reset(): void {
    if (!this.isPowered) return;
    this.notWhileRunning('reset');
    this.runToNow();
    this.build('external');
    this.holdUntil = this.cpu.cycles + Math.round(this.bootloaderMs * CYCLES_PER_MS);
    this.resetListeners.emit('external', this.timeMs());
  }

  /** Fault injection: the firmware hangs (endless loop, interrupts off). Its hardware watchdog should reset it. */
  injectHang(): void {
    const at = this.program.indexOf(OPCODE_RJMP_SELF);
    if (at < 0) throw new Error('the firmware has no endless loop (rjmp .-2) to hang in');
    this.notWhileRunning('injectHang');
    this.runToNow();
    this.cpu.data[SREG] = this.cpu.data[SREG]! & ~0x80;
    this.cpu.pc = at;
    this.sleeping = false;
  }

  // ---- Serial line ----------------------------------------------------------------------------------------------

  /** The host sends bytes: they reach the board's receiver one after another at the line's baud rate. */
  write(data: Uint8Array | string): void {
    if (!this.isPowered) {
      this.lostBytes += data.length;
      return;
    }
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    const perByte = (CPU_HZ * 10) / this.lineBaud; // start bit, 8 data bits, stop bit
    let t = Math.max(this.cyclesAt(this.clock.now()), this.lineFreeAt, this.cpu.cycles);
    for (const byte of bytes) {
      t += perByte;
      this.rxQueue.push({ byte, at: Math.round(t) });
    }
    this.lineFreeAt = t;
    if (!this.rxScheduled) this.scheduleRx();
  }

  /** Bytes written by the host that have not reached the board yet. */
  rxPending(): number {
    return this.rxQueue.length;
  }

  /** Resolves once every byte written so far has reached the board (needs the clock to move). */
  whenRxDrained(): Promise<void> {
    if (this.rxQueue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.rxDrainWaiters.push(resolve));
  }

  /** The host's baud rate (a mismatch with the firmware's loses every byte, both ways). */
  setLineBaud(baud: number): void {
    if (!(baud > 0)) throw new RangeError(`baud rate must be positive, got ${baud}`);
    this.lineBaud = baud;
  }

  /**
   * Bytes the board sent, in batches (at most one per slice), with the emulated time the last byte's stop bit ended.
   * Listeners hear of a batch when its slice ends, so the stamp is up to one slice before the clock's now.
   */
  onSerialData(fn: (data: Buffer, timeMs: number) => void): () => void {
    return this.serialListeners.add(fn);
  }

  // ---- Bench I/O ------------------------------------------------------------------------------------------------

  /** Called whenever the solenoid outputs change (a latch edge with new contents, or /OE), with the channels on. */
  onChannels(fn: (channels: readonly number[], timeMs: number) => void): () => void {
    return this.channelListeners.add(fn);
  }

  /** Called whenever the relay input changes (true = phone powered). */
  onRelay(fn: (on: boolean, timeMs: number) => void): () => void {
    return this.relayListeners.add(fn);
  }

  /** Called on every reset of the MCU (power-on, external, hardware watchdog). */
  onReset(fn: (cause: ResetCause, timeMs: number) => void): () => void {
    return this.resetListeners.add(fn);
  }

  /**
   * Called whenever a pin may have changed (a write to a GPIO register, a reset, power on or off), with the emulated
   * time, after the bench's own outputs (onChannels, onRelay) have been updated. Read the pins with pin().
   */
  onPins(fn: (timeMs: number) => void): () => void {
    return this.pinListeners.add(fn);
  }

  /** How the MCU treats Arduino pin `pin` (D0..D13, A0..A5 as 14..19) now. Unpowered, every pin floats: 'input'. */
  pin(pin: number): PinDrive {
    const { port, bit } = arduinoPin(pin);
    if (!this.isPowered) return 'input';
    switch (this.ports[port].pinState(bit)) {
      case PinState.High:
        return 'high';
      case PinState.Low:
        return 'low';
      case PinState.InputPullUp:
        return 'pull-up';
      default:
        return 'input';
    }
  }

  /** The channels whose outputs are on now, ascending. */
  channels(): number[] {
    return [...this.outputs];
  }

  relay(): boolean {
    return this.relayOn;
  }

  /** Sets analog input `channel` (0 = A0) to `value` ADC counts (0..1023, 5 V reference). */
  setAnalog(channel: number, value: number): void {
    checkAnalog(channel, value);
    this.analog[channel] = value;
    this.adc.channelValues[channel] = this.countsToVolts(value);
  }

  /** Emulated time: the clock time the CPU has run to (never ahead of the clock). */
  timeMs(): number {
    return this.epochMs + this.cpu.cycles / CYCLES_PER_MS;
  }

  /** Data written to SER on the same instant as an SRCLK rising edge (undefined on real chips); should stay 0. */
  get shiftSetupViolations(): number {
    return this.chain.setupViolations;
  }

  get stats(): AvrBoardStats {
    return { cycles: this.cpu.cycles, idleCycles: this.idleCycles, lostBytes: this.lostBytes };
  }

  // ---- Emulation ------------------------------------------------------------------------------------------------

  private build(cause: ResetCause): void {
    const cycles = this.cpu?.cycles ?? 0;
    const cpu = new CPU(this.program, SRAM_BYTES);
    cpu.cycles = cycles;
    // avr8js's watchdog resets only the CPU core; a real reset also returns every I/O register to its default (the
    // pins float). Note the watchdog's reset and rebuild the whole MCU at the next step.
    const coreReset = cpu.reset.bind(cpu);
    cpu.reset = () => {
      coreReset();
      this.watchdogFired = true;
    };
    new AVRTimer(cpu, timer0Config);
    new AVRTimer(cpu, timer1Config);
    new AVRTimer(cpu, timer2Config);
    new AVRWatchdog(cpu, watchdogConfig, new AVRClock(cpu, CPU_HZ, clockConfig));
    this.usart = new AVRUSART(cpu, usart0Config, CPU_HZ);
    this.usart.onByteTransmit = (byte) => this.transmitted(byte);
    keepReceivedByteOnUcsrbWrite(cpu, this.usart);
    this.rxHeld = [];
    receiveFifo(cpu, this.usart, this.rxHeld);
    this.ports = {
      B: new AVRIOPort(cpu, portBConfig),
      C: new AVRIOPort(cpu, portCConfig),
      D: new AVRIOPort(cpu, portDConfig),
    };
    for (const port of Object.values(this.ports)) port.addListener(() => this.pinsChanged());
    this.adc = new AVRADC(cpu, adcConfig);
    this.analog.forEach((v, i) => (this.adc.channelValues[i] = this.countsToVolts(v)));
    cpu.data[MCUSR] = cause === 'power-on' ? 0x01 : cause === 'external' ? 0x02 : 0x08; // PORF, EXTRF, WDRF
    this.cpu = cpu;
    this.sleeping = false;
    this.holdUntil = 0;
    this.watchdogFired = false;
    if (this.rxQueue.length > 0) this.scheduleRx();
    this.pinsChanged();
  }

  private countsToVolts(counts: number): number {
    // The middle of the count's voltage step, so avr8js's floor(v / 5 V * 1024) gives `counts` back.
    return ((counts + 0.5) * 5) / 1024;
  }

  private cyclesAt(ms: number): number {
    return Math.round((ms - this.epochMs) * CYCLES_PER_MS);
  }

  private scheduleSlice(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.runToNow();
      if (this.isPowered) this.scheduleSlice();
    }, this.sliceMs);
  }

  /** Runs the CPU up to the clock's now. */
  private runToNow(): void {
    if (!this.isPowered) return;
    const target = this.cyclesAt(this.clock.now());
    this.running = true;
    try {
      while (this.cpu.cycles < target) {
        if (this.sleeping || this.cpu.cycles < this.holdUntil) this.idle(target);
        else this.executeInstructions(target);
        if (this.watchdogFired) {
          this.build('watchdog');
          this.resetListeners.emit('watchdog', this.timeMs());
        }
      }
    } finally {
      this.running = false;
    }
    this.flushTx();
  }

  /** Reset and fault injection rebuild the MCU: not from a listener called in the middle of its execution. */
  private notWhileRunning(what: string): void {
    if (this.running) throw new Error(`AvrBoard.${what}() called from a listener while the CPU runs; call it from a clock timer`);
  }

  private executeInstructions(target: number): void {
    const cpu = this.cpu;
    while (cpu.cycles < target) {
      const pc = cpu.pc;
      executeInstruction(cpu);
      cpu.tick();
      if (this.watchdogFired) return;
      if (cpu.progMem[pc] === OPCODE_SLEEP && cpu.pc === pc + 1 && cpu.data[SMCR]! & SMCR_SE) {
        this.sleeping = true;
        return;
      }
    }
  }

  /**
   * The CPU sleeps (or waits in the bootloader): jump from one peripheral event to the next, processing each, until
   * an interrupt wakes the CPU, the bootloader time is over, or `target` is reached.
   */
  private idle(target: number): void {
    const cpu = this.cpu;
    const events = cpu as unknown as CpuInternals;
    for (;;) {
      const holding = cpu.cycles < this.holdUntil;
      if (!holding && !this.sleeping) return;
      const limit = holding ? Math.min(target, this.holdUntil) : target;
      const next = events.nextClockEvent?.cycles;
      if (next === undefined || next > limit) {
        this.idleCycles += limit - cpu.cycles;
        cpu.cycles = limit;
        if (limit >= target) return;
        continue;
      }
      if (next > cpu.cycles) {
        this.idleCycles += next - cpu.cycles;
        cpu.cycles = next;
      }
      const pc = cpu.pc;
      cpu.tick();
      if (this.watchdogFired) return;
      if (this.sleeping && cpu.pc !== pc) {
        this.sleeping = false; // an interrupt was taken: awake
        return;
      }
    }
  }

  private baudMatches(): boolean {
    return Math.abs(this.usart.baudRate - this.lineBaud) / this.lineBaud <= BAUD_TOLERANCE;
  }

  private scheduleRx(): void {
    const head = this.rxQueue[0];
    if (!head) {
      this.rxScheduled = false;
      this.resolveRxDrained();
      return;
    }
    this.rxScheduled = true;
    const deliver = () => {
      const { byte } = this.rxQueue.shift()!;
      if (!this.usart.rxEnable || !this.baudMatches()) this.lostBytes++;
      else if (!(this.cpu.data[usart0Config.UCSRA]! & UCSRA_RXC)) this.usart.writeByte(byte, true);
      else if (this.rxHeld.length < RX_FIFO_BEHIND_UDR) this.rxHeld.push(byte);
      else this.lostBytes++; // overrun: UDR unread and the FIFO behind it full
      this.scheduleRx();
    };
    this.cpu.addClockEvent(deliver, head.at - this.cpu.cycles);
  }

  private resolveRxDrained(): void {
    const waiters = this.rxDrainWaiters;
    this.rxDrainWaiters = [];
    for (const w of waiters) w();
  }

  /** The firmware wrote a byte to UDR: it reaches the host when its stop bit ends. */
  private transmitted(byte: number): void {
    const usart = this.usart;
    const frameCycles = (CPU_HZ * (1 + usart.bitsPerChar + usart.stopBits + (usart.parityEnabled ? 1 : 0))) / usart.baudRate;
    this.cpu.addClockEvent(() => {
      if (this.baudMatches()) {
        this.txBatch.push(byte);
        this.txLastAt = this.timeMs();
      } else {
        this.lostBytes++;
      }
    }, Math.round(frameCycles));
  }

  private flushTx(): void {
    if (this.txBatch.length === 0) return;
    const data = Buffer.from(this.txBatch);
    this.txBatch = [];
    this.serialListeners.emit(data, this.txLastAt);
  }

  /**
   * The level on an Arduino pin. When the MCU does not drive it, the board's resistor decides: `up` (10k pull-up),
   * `down` (10k pull-down, stronger than the MCU's ~35k internal pull-up), or `none` (the internal pull-up if on, else
   * taken as low: a floating input is undefined on real chips, which is why /OE has its pull-up).
   */
  private level(pin: number, resistor: 'up' | 'down' | 'none'): boolean {
    switch (this.pin(pin)) {
      case 'high':
        return true;
      case 'low':
        return false;
      case 'pull-up':
        return resistor !== 'down';
      case 'input':
        return resistor === 'up';
    }
  }

  private pinsChanged(): void {
    const changed = this.chain.update({
      data: this.level(BENCH_PINS.srData, 'none'),
      clock: this.level(BENCH_PINS.srClock, 'none'),
      latch: this.level(BENCH_PINS.srLatch, 'none'),
      outputDisable: this.level(BENCH_PINS.srOe, 'up'),
    });
    if (changed) {
      this.outputs = this.chain.outputs();
      this.channelListeners.emit(this.channels(), this.timeMs());
    }
    const relay = this.level(BENCH_PINS.relay, 'down');
    if (relay !== this.relayOn) {
      this.relayOn = relay;
      this.relayListeners.emit(relay, this.timeMs());
    }
    this.pinListeners.emit(this.timeMs());
  }
}
