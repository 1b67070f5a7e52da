/**
 * A serialport binding (serialport 13's BindingInterface, modelled on @serialport/binding-mock) whose one port is the
 * emulated board's USART, so a real `SerialPortStream` and everything stacked on it (the readline parser, the serial
 * bench driver) run unchanged against the firmware in avr8js:
 *
 *   const board = new AvrBoard({ clock });
 *   const port = new SerialPortStream({ binding: createAvrBinding(board), path: AVR_PORT_PATH, baudRate: 115200 });
 *
 * Like an Uno on USB: opening the port powers the board if it is off, and otherwise resets it (the host asserts DTR,
 * which pulses RESET through the board's capacitor), so the banner follows every open. `set({ dtr })` going from
 * false to true resets it too. Bytes move at the line's baud rate in emulated time, so the board's clock must run
 * (a VirtualClock advanced by the test, or a RealClock) for anything to arrive.
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
import type { AvrBoard } from './board.js';

/** The path the emulated board's port is listed and opened under. */
export const AVR_PORT_PATH = 'avr8js:uno';

export interface AvrBindingOptions {
  /** Default AVR_PORT_PATH. */
  path?: string;
  /** Reset the board when the port opens (DTR auto-reset), as an Uno does unless its reset line is cut. Default true. */
  resetOnOpen?: boolean;
}

class CanceledError extends Error {
  readonly canceled = true;
  constructor(message: string) {
    super(message);
    this.name = 'CanceledError';
  }
}

export class AvrPortBinding implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen = true;
  private received: Buffer[] = [];
  private pendingRead: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private dtr = true;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly board: AvrBoard,
    openOptions: Required<OpenOptions>,
    private readonly onClose: () => void,
  ) {
    this.openOptions = openOptions;
    this.unsubscribe = board.onSerialData((data) => {
      this.received.push(data);
      const waiting = this.pendingRead;
      this.pendingRead = undefined;
      waiting?.resolve();
    });
  }

  async close(): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    this.isOpen = false;
    this.unsubscribe();
    this.received = [];
    const waiting = this.pendingRead;
    this.pendingRead = undefined;
    waiting?.reject(new CanceledError('port is closed'));
    this.onClose();
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.isOpen) throw new Error('Port is not open');
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
    if (!this.isOpen) throw new Error('Port is not open');
    this.board.write(Buffer.from(buffer));
  }

  async update(options: UpdateOptions): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    this.board.setLineBaud(options.baudRate);
    this.openOptions.baudRate = options.baudRate;
  }

  async set(options: SetOptions): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    const dtr = options.dtr ?? true;
    if (dtr && !this.dtr) this.board.reset();
    this.dtr = dtr;
  }

  async get(): Promise<PortStatus> {
    if (!this.isOpen) throw new Error('Port is not open');
    return { cts: false, dsr: false, dcd: false };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    if (!this.isOpen) throw new Error('Port is not open');
    return { baudRate: this.openOptions.baudRate };
  }

  /** Discards bytes received but not read. (Bytes already written are on the wire: they still arrive.) */
  async flush(): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    this.received = [];
  }

  /** Resolves once every byte written has reached the board (emulated time must move meanwhile). */
  async drain(): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    await this.board.whenRxDrained();
  }
}

export type AvrBinding = BindingInterface<AvrPortBinding, OpenOptions, PortInfo>;

/** A binding with one port, `path`, wired to `board`. One open at a time, as with a real port's lock. */
export function createAvrBinding(board: AvrBoard, options: AvrBindingOptions = {}): AvrBinding {
  const path = options.path ?? AVR_PORT_PATH;
  const resetOnOpen = options.resetOnOpen ?? true;
  let open: AvrPortBinding | undefined;
  return {
    async list(): Promise<PortInfo[]> {
      return [{ path, manufacturer: 'avr8js', serialNumber: undefined, pnpId: undefined, locationId: undefined, productId: undefined, vendorId: undefined }];
    },
    async open(opts: OpenOptions): Promise<AvrPortBinding> {
      if (opts.path !== path) throw new Error(`no such port ${opts.path} (the emulated board is ${path})`);
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
      const port = new AvrPortBinding(board, full, () => (open = undefined));
      open = port;
      return port;
    },
  };
}
