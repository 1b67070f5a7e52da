/*
 * Limits and timings of the firmware. The host learns them from the banner (firmware/PROTOCOL.md), so changing one
 * here needs no host change; the protocol constants shared with the host are in the generated version.h.
 */
#ifndef RESETBOT_CONFIG_H
#define RESETBOT_CONFIG_H

#include "pins.h"

/* Solenoid channels: 8 per 74HC595. */
#define CHANNEL_COUNT (SHIFT_REGISTER_COUNT * 8)

/* Longest time one channel may stay energised without a break; a channel on for this long is released with
 * `! limit`. No press may ask for more. */
#define MAX_HOLD_MS 20000UL

/* Host watchdog: with anything energised, this long without a command line releases every channel (`! watchdog`).
 * The host may change it with `wd`, within MIN_WATCHDOG_MS..MAX_HOLD_MS. */
#define DEFAULT_WATCHDOG_MS 3000UL
#define MIN_WATCHDOG_MS 100UL

/* Presses that may run at once (each on its own channels). */
#define MAX_PRESSES 8

/* The hardware watchdog (a hung firmware resets the MCU, which floats the pins: the /OE pull-up turns every output
 * off and the relay pull-down unpowers the phone). The main loop runs at least once a millisecond. */
#define HARDWARE_WATCHDOG WDTO_500MS

#endif
