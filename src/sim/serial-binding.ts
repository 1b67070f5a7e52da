/**
 * A serialport binding (serialport 13's BindingInterface, modelled on @serialport/binding-mock) whose one port is an
 * emulated bench board's serial line, so a real `SerialPortStream` and everything stacked on it (the readline parser,
 * the serial and firmata bench drivers) run unchanged against it. One binding for every board with the SerialBoard
 * surface: AvrBoard (the firmware or StandardFirmata in avr8js; avr/binding.ts) and VirtualFirmware
 * (virtual-bench.ts).
 *
 * Like an Uno on USB: opening the port powers the board if it is off, and otherwise resets it (the host asserts DTR,
 * which pulses RESET through the board's capacitor), so the banner follows every open. `set({ dtr })` going from
 * false to true resets it too. The board's own line timing applies (an AvrBoard moves bytes at the baud rate in
 * emulated time, so its clock must run for anything to arrive).
 */
import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from '@serialport/bindings-interface' with { 'resolution-mode': 'require' }; // its ESM entry has no types

/** What a bench board on a serial line offers: AvrBoard has exactly this surface, VirtualFirmware implements it. */
export interface SerialBoard {
  readonly powered: boolean;
  /** Plugs the board in: it boots and prints its banner. */
  powerOn(): void;
  /** Unplugs it: outputs and relay off, deaf and mute. */
  powerOff(): void;
  /** An external reset (the DTR pulse of a port opening): outputs off, relay off, banner. */
  reset(): void;
  /** Bytes from the host. */
  write(data: Uint8Array | string): void;
  setLineBaud(baud: number): void;
  /** Resolves once every byte written so far has reached the board. */
  whenRxDrained(): Promise<void>;
  onSerialData(fn: (data: Buffer, timeMs: number) => void): () => void;
  onChannels(fn: (channels: readonly number[], timeMs: number) => void): () => void;
  onRelay(fn: (on: boolean, timeMs: number) => void): () => void;
  /** Analog input `channel` (0 = A0) in ADC counts 0..1023. */
  setAnalog(channel: number, value: number): void;
  channels(): number[];
  relay(): boolean;
}

/** Analog inputs a bench board has (A0..A5). */
export const ANALOG_INPUTS = 6;

/** Throws RangeError unless `channel` is an analog input and `value` is ADC counts (0..1023, 5 V reference). */
export function checkAnalog(channel: number, value: number): void {
  if (!Number.isInteger(channel) || channel < 0 || channel >= ANALOG_INPUTS) throw new RangeError(`no analog input A${channel}`);
  if (!Number.isInteger(value) || value < 0 || value > 1023) throw new RangeError(`analog value ${value} is not 0..1023`);
}

/** The path a virtual bench's port is listed and opened under. */
export const VIRTUAL_PORT_PATH = 'virtual:bench';

/** The stream treats a read rejected with `canceled` as the port closing, not as an error. */
class CanceledError extends Error {
  readonly canceled = true;
  constructor(message: string) {
    super(message);
    this.name = 'CanceledError';
  }
}

const UNPLUGGED = 'device disconnected (USB cable pulled)';

/** One open port onto a SerialBoard (serialport 13's BindingPortInterface, as @serialport/binding-mock does it). */
export class SerialBoardPort implements BindingPortInterface {
  isOpen = true;
  private received: Buffer[] = [];
  private pendingRead: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private dtr = true;
  private unplugged = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly board: SerialBoard,
    readonly openOptions: Required<OpenOptions>,
    private readonly onClose: () => void,
  ) {
    this.unsubscribe = board.onSerialData((data) => {
      this.received.push(data);
      const waiting = this.pendingRead;
      this.pendingRead = undefined;
      waiting?.resolve();
    });
  }

  async close(): Promise<void> {
    this.check();
    this.isOpen = false;
    this.unsubscribe();
    this.received = [];
    const waiting = this.pendingRead;
    this.pendingRead = undefined;
    waiting?.reject(new CanceledError('port is closed'));
    this.onClose();
  }

  /** The cable is pulled: the pending read fails with an error that is not a cancellation (a disconnect). */
  unplug(): void {
    const waiting = this.pendingRead;
    this.pendingRead = undefined;
    this.unplugged = true;
    waiting?.reject(new Error(UNPLUGGED));
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    this.check();
    if (this.unplugged) throw new Error(UNPLUGGED);
    while (this.received.length === 0) {
      if (this.pendingRead) throw new Error('a read is already pending');
      await new Promise<void>((resolve, reject) => (this.pendingRead = { resolve, reject }));
    }
    let bytesRead = 0;
    while (bytesRead < length && this.received.length > 0) {
      const head = this.received[0]!;
      const n = head.copy(buffer, offset + bytesRead, 0, Math.min(head.length, length - bytesRead));
      bytesRead += n;
      if (n === head.length) this.received.shift();
      else this.received[0] = head.subarray(n);
    }
    return { buffer, bytesRead };
  }

  async write(buffer: Buffer): Promise<void> {
    this.check();
    this.board.write(Buffer.from(buffer));
  }

  async update(options: UpdateOptions): Promise<void> {
    this.check();
    this.board.setLineBaud(options.baudRate);
    this.openOptions.baudRate = options.baudRate;
  }

  async set(options: SetOptions): Promise<void> {
    this.check();
    const dtr = options.dtr ?? true;
    if (dtr && !this.dtr) this.board.reset();
    this.dtr = dtr;
  }

  async get(): Promise<PortStatus> {
    this.check();
    return { cts: false, dsr: false, dcd: false };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    this.check();
    return { baudRate: this.openOptions.baudRate };
  }

  /** Discards bytes received but not read. (Bytes already written are on the wire: they still arrive.) */
  async flush(): Promise<void> {
    this.check();
    this.received = [];
  }

  /** Resolves once every byte written has reached the board (an AvrBoard's emulated time must move meanwhile). */
  async drain(): Promise<void> {
    this.check();
    await this.board.whenRxDrained();
  }

  private check(): void {
    if (!this.isOpen) throw new Error('Port is not open');
  }
}

export interface BoardBindingOptions {
  /** Default VIRTUAL_PORT_PATH. */
  path?: string;
  /** Reset the board when the port opens (an Uno's DTR auto-reset), as an Uno does unless its reset line is cut. Default true. */
  resetOnOpen?: boolean;
  /** What list() gives as the port's manufacturer (default 'resetbot virtual bench'). */
  manufacturer?: string;
}

export interface BoardBinding extends BindingInterface<SerialBoardPort, OpenOptions, PortInfo> {
  /**
   * Fault: the USB cable of the open port is pulled (the stream sees a disconnect). The board, powered by the USB
   * cable, goes off (every output and the relay off) and the port is gone (opening it fails, as a device node that
   * vanished) until replug().
   */
  unplug(): void;
  /** The cable is plugged back (the adapter re-enumerates under the same name): the port can be opened again. */
  replug(): void;
}

/** A binding with one port, `path`, onto `board`'s serial line. One open at a time, as with a real port's lock. */
export function createBoardBinding(board: SerialBoard, options: BoardBindingOptions = {}): BoardBinding {
  const path = options.path ?? VIRTUAL_PORT_PATH;
  const resetOnOpen = options.resetOnOpen ?? true;
  const manufacturer = options.manufacturer ?? 'resetbot virtual bench';
  let open: SerialBoardPort | undefined;
  let present = true;
  return {
    async list(): Promise<PortInfo[]> {
      return [{ path, manufacturer, serialNumber: undefined, pnpId: undefined, locationId: undefined, productId: undefined, vendorId: undefined }];
    },
    async open(opts: OpenOptions): Promise<SerialBoardPort> {
      if (opts.path !== path) throw new Error(`no such port ${opts.path} (the emulated board's port is ${path})`);
      // Unplugged: the device node is gone, as a real one is.
      if (!present) throw new Error(`Error: No such file or directory, cannot open ${opts.path}`);
      if (!(opts.baudRate > 0)) throw new TypeError('"baudRate" is not a valid baudRate');
      if (open) throw new Error('Port is locked cannot open');
      const full: Required<OpenOptions> = {
        dataBits: 8,
        lock: true,
        stopBits: 1,
        parity: 'none',
        rtscts: false,
        xon: false,
        xoff: false,
        xany: false,
        hupcl: true,
        ...opts,
      };
      board.setLineBaud(full.baudRate);
      if (!board.powered) board.powerOn();
      else if (resetOnOpen) board.reset();
      open = new SerialBoardPort(board, full, () => (open = undefined));
      return open;
    },
    unplug(): void {
      present = false;
      open?.unplug();
      if (board.powered) board.powerOff();
    },
    replug(): void {
      present = true;
    },
  };
}
