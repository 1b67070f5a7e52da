/**
 * Versions and fixed constants of the line protocol (firmware/PROTOCOL.md). The firmware gets them through the
 * generated firmware/resetbot/version.h, so the two cannot drift apart unnoticed (test/protocol/header.test.ts).
 */

/** Bumped whenever a change would break a host or a firmware of the previous version. */
export const PROTOCOL_VERSION = 1;

/** The first word of the banner: a board that prints anything else is not running our firmware. */
export const FIRMWARE_NAME = 'resetbot-fw';

/** The firmware version this host was built and tested with (firmware/resetbot.hex). */
export const FIRMWARE_VERSION = '1.0.0';

/** Longest command line the firmware accepts, newline not counted. Longer lines get `line-too-long`. */
export const MAX_LINE_LENGTH = 127;

/** The out-of-band stop byte (Ctrl-X, as in GRBL): every solenoid off and the relay off at once, even mid-line. */
export const STOP_BYTE = 0x18;

/** The serial line settings: 8N1 at this rate. */
export const BAUD_RATE = 115200;
