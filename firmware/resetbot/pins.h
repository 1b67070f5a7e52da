/*
 * The pin table: the one place that says which Arduino Uno/Nano (ATmega328P) pin does what.
 * hardware.md, src/sim/avr/pins.ts (the emulated bench) and test/firmware/pins.test.ts are checked against it.
 * Keep one `#define PIN_<ROLE> <arduino pin>` per line: the test parses these lines.
 *
 * Solenoids: a chain of 74HC595 shift registers. The first register's SER takes PIN_SR_DATA; each register's QH'
 * (pin 9) feeds the next one's SER; SRCLK, RCLK and /OE are common to all; /SRCLR (pin 10) is tied to 5V.
 * Channel n is output Q(n % 8) (QA..QH) of register n / 8, counting from the register nearest the board.
 * Each output drives a low-side driver (ULN2803A or a logic-level MOSFET, flyback diode across each coil).
 */
#ifndef RESETBOT_PINS_H
#define RESETBOT_PINS_H

/* 74HC595 SER (pin 14) of the first register. D11 = PB3 (MOSI), bit-banged. */
#define PIN_SR_DATA 11
/* 74HC595 SRCLK (pin 11) of every register: data shifts in on the rising edge. D13 = PB5 (SCK), bit-banged. */
#define PIN_SR_CLOCK 13
/* 74HC595 RCLK (pin 12) of every register: the shift registers copy to the outputs on the rising edge. D10 = PB2. */
#define PIN_SR_LATCH 10
/* 74HC595 /OE (pin 13) of every register, active low. Needs a 10k pull-up to 5V so the outputs stay off while the
 * board is in reset or in its bootloader (the pins float then). The firmware drives it low only after it has latched
 * all zeros. D9 = PB1. */
#define PIN_SR_OE 9
/* Relay driver input: HIGH = phone powered. Needs a 10k pull-down so a floating pin (reset, bootloader) means
 * unpowered, the safe state. D7 = PD7. */
#define PIN_RELAY 7
/* Analog sensor input (phototransistor on the screen, or a supply current sense), 0..5 V. A0 = D14 = PC0. */
#define PIN_SENSOR 14

/* 74HC595 registers in the chain: 8 channels each. */
#define SHIFT_REGISTER_COUNT 4

#endif
