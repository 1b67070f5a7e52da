/** The emulated bench board: the real firmware in avr8js, its pins decoded, and a serialport binding onto it. */
export { AvrBoard, CPU_HZ, defaultFirmwarePath, loadFirmwareHex } from './board.js';
export type { AvrBoardOptions, AvrBoardStats, PinDrive, ResetCause } from './board.js';
export { AVR_PORT_PATH, AvrPortBinding, createAvrBinding } from './binding.js';
export type { AvrBinding, AvrBindingOptions } from './binding.js';
export { BENCH_PINS, SHIFT_REGISTER_COUNT, arduinoPin } from './pins.js';
export { ShiftRegisterChain } from './shift-register.js';
export { IntelHexError, parseIntelHex } from './intel-hex.js';
