/**
 * A chain of 74HC595 shift registers modelled at the pin level, as the chip's datasheet describes it:
 * - on a rising edge of SRCLK every register shifts one place: SER enters QA of the first register, each register's
 *   QH' feeds the next one's SER, the last bit falls off the end;
 * - on a rising edge of RCLK the storage registers copy the shift registers (when SRCLK and RCLK rise together, the
 *   storage register takes the contents from before the shift: it is "one clock behind");
 * - while /OE is high the outputs are off (high impedance; the low-side drivers' inputs are pulled down).
 * Channel n is output Q(n % 8) of register n / 8, counting from the register nearest the microcontroller.
 * /SRCLR is tied high, so nothing clears the registers but shifting: at power-up they hold whatever they like.
 */
export interface ShiftRegisterPins {
  data: boolean;
  clock: boolean;
  latch: boolean;
  /** /OE: true (high) = outputs off. */
  outputDisable: boolean;
}

export class ShiftRegisterChain {
  readonly channels: number;
  private readonly shift: Uint8Array;
  private readonly storage: Uint8Array;
  private pins: ShiftRegisterPins;
  /** Writes where SER changed in the same instant as a rising SRCLK edge: on real hardware the bit is undefined. */
  setupViolations = 0;

  /**
   * @param registers chips in the chain
   * @param powerUp what the registers hold at power-up; `ones` (default) is the worst case: every solenoid would fire
   *   if /OE let it through.
   */
  constructor(registers: number, powerUp: 'ones' | 'zeros' = 'ones') {
    this.channels = registers * 8;
    const fill = powerUp === 'ones' ? 1 : 0;
    this.shift = new Uint8Array(this.channels).fill(fill);
    this.storage = new Uint8Array(this.channels).fill(fill);
    this.pins = { data: false, clock: false, latch: false, outputDisable: true };
  }

  /** Applies the pin levels after one write; returns true when the outputs changed. */
  update(next: ShiftRegisterPins): boolean {
    const prev = this.pins;
    const clockRise = next.clock && !prev.clock;
    const latchRise = next.latch && !prev.latch;
    // Only a latch edge or /OE can change the outputs; skip the comparison on the many shift-only writes.
    const mayChange = latchRise || next.outputDisable !== prev.outputDisable;
    const before = mayChange ? this.outputKey() : '';
    if (latchRise) this.storage.set(this.shift);
    if (clockRise) {
      if (next.data !== prev.data) this.setupViolations++;
      this.shift.copyWithin(1, 0, this.channels - 1);
      this.shift[0] = next.data ? 1 : 0;
    }
    this.pins = { ...next };
    return mayChange && this.outputKey() !== before;
  }

  /** The channels whose outputs are on, ascending. */
  outputs(): number[] {
    if (this.pins.outputDisable) return [];
    const on: number[] = [];
    for (let ch = 0; ch < this.channels; ch++) if (this.storage[ch]) on.push(ch);
    return on;
  }

  private outputKey(): string {
    return this.outputs().join(',');
  }
}
