/*
 * resetbot-fw: the bench firmware of resetbot, for an ATmega328P (Arduino Uno or Nano) at 16 MHz.
 *
 * It drives solenoids through a chain of 74HC595 shift registers and the phone's power relay, and reads one analog
 * sensor, under a line protocol over the serial port (firmware/PROTOCOL.md). Timed presses run here, so a hold time
 * does not depend on the host's event loop. Safety that the host cannot break:
 *   - no channel stays energised longer than MAX_HOLD_MS (`! limit`);
 *   - with anything energised, host silence for the watchdog time releases every channel (`! watchdog`);
 *   - the out-of-band STOP_BYTE releases every channel and switches the relay off at once, even mid-line (`! stop`);
 *   - an over-long line is discarded up to its newline and answered with an error;
 *   - a hung firmware is reset by the hardware watchdog; during reset the pins float and the pull-ups/downs of
 *     pins.h hold the outputs off and the phone unpowered.
 *
 * Built by firmware/build.sh with Debian's avr-gcc and arduino-core-avr (without WString: no String here).
 */
#include <Arduino.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include <string.h>

#include "config.h"
#include "errors.h"
#include "pins.h"
#include "version.h"

#if CHANNEL_COUNT > 248
#error "channel numbers are kept in a uint8_t"
#endif

/* After a watchdog reset the watchdog stays enabled with its shortest timeout: switch it off before anything else
 * (this runs from .init3, before the C runtime calls main()). */
void disableWatchdogAtBoot(void) __attribute__((naked, used, section(".init3")));
void disableWatchdogAtBoot(void) {
  MCUSR = 0;
  wdt_disable();
}

/* ---- Channel sets: one bit per channel ---------------------------------------------------------------------- */

struct Channels {
  uint8_t bits[SHIFT_REGISTER_COUNT];
};

static inline bool has(const Channels &s, uint8_t ch) { return s.bits[ch >> 3] & (1 << (ch & 7)); }
static inline void add(Channels &s, uint8_t ch) { s.bits[ch >> 3] |= (uint8_t)(1 << (ch & 7)); }
static inline void clearSet(Channels &s) { memset(s.bits, 0, sizeof s.bits); }

static bool any(const Channels &s) {
  for (uint8_t i = 0; i < SHIFT_REGISTER_COUNT; i++)
    if (s.bits[i]) return true;
  return false;
}

static bool intersects(const Channels &a, const Channels &b) {
  for (uint8_t i = 0; i < SHIFT_REGISTER_COUNT; i++)
    if (a.bits[i] & b.bits[i]) return true;
  return false;
}

/* s = s without r */
static void removeAll(Channels &s, const Channels &r) {
  for (uint8_t i = 0; i < SHIFT_REGISTER_COUNT; i++) s.bits[i] &= (uint8_t)~r.bits[i];
}

/* ---- State ---------------------------------------------------------------------------------------------------- */

/* Why a press ended; printed in `! done <id> <reason>`. */
enum Reason : uint8_t { REASON_TIME, REASON_RELEASE, REASON_LIMIT, REASON_WATCHDOG, REASON_STOP };

enum PressState : uint8_t { PRESS_FREE, PRESS_ACTIVE, PRESS_FINISHED };

struct Press {
  uint32_t id;
  uint32_t startUs; /* micros() when its channels were latched on */
  uint32_t ms;
  Channels channels; /* its channels still energised */
  PressState state;
  Reason reason; /* set when it finishes */
};

static Channels energised;             /* what the shift registers' outputs hold */
static uint32_t onSince[CHANNEL_COUNT]; /* millis() when each energised channel was switched on */
static uint32_t oldestOn;               /* the earliest onSince of the energised channels */
static Press presses[MAX_PRESSES];
static bool relayOn;
static uint32_t watchdogMs = DEFAULT_WATCHDOG_MS;
static uint32_t lastHostLine; /* millis() of the last line with a valid id */

static char line[MAX_LINE_LENGTH + 1];
static uint8_t lineLength;
static bool lineOverflow; /* the line in progress was longer than MAX_LINE_LENGTH */

/* Output registers and bit masks of the shift-register pins, looked up once from pins.h. */
static volatile uint8_t *dataOut, *clockOut, *latchOut;
static uint8_t dataBit, clockBit, latchBit;

/* ---- Outputs ----------------------------------------------------------------------------------------------------- */

/* Shifts `energised` into the chain (highest channel first, so channel 0 ends in QA of the first register) and
 * latches it: every channel changes at the same RCLK edge. Well under 0.1 ms. */
static void writeOutputs() {
  for (int16_t ch = CHANNEL_COUNT - 1; ch >= 0; ch--) {
    if (has(energised, (uint8_t)ch))
      *dataOut |= dataBit;
    else
      *dataOut &= (uint8_t)~dataBit;
    *clockOut |= clockBit; /* SER is stable before this rising edge (set by the previous instruction) */
    *clockOut &= (uint8_t)~clockBit;
  }
  *latchOut |= latchBit;
  *latchOut &= (uint8_t)~latchBit;
}

/* Keeps oldestOn current after `energised` changed, so the hold limit costs one comparison a loop. */
static void updateOldestOn() {
  bool first = true;
  for (uint8_t ch = 0; ch < CHANNEL_COUNT; ch++) {
    if (!has(energised, ch)) continue;
    if (first || (int32_t)(onSince[ch] - oldestOn) < 0) oldestOn = onSince[ch];
    first = false;
  }
}

static void energise(const Channels &set, uint32_t now) {
  for (uint8_t ch = 0; ch < CHANNEL_COUNT; ch++)
    if (has(set, ch)) onSince[ch] = now;
  for (uint8_t i = 0; i < SHIFT_REGISTER_COUNT; i++) energised.bits[i] |= set.bits[i];
  writeOutputs();
  updateOldestOn();
}

/* Releases `set` at one latch edge. A press whose last channel goes off finishes with `why`; its `! done` event is
 * printed by reportFinishedPresses(), after the caller's own reply or event. */
static void deenergise(const Channels &set, Reason why) {
  removeAll(energised, set);
  writeOutputs();
  updateOldestOn();
  for (uint8_t i = 0; i < MAX_PRESSES; i++) {
    Press &p = presses[i];
    if (p.state != PRESS_ACTIVE) continue;
    removeAll(p.channels, set);
    if (!any(p.channels)) {
      p.state = PRESS_FINISHED;
      p.reason = why;
    }
  }
}

static void setRelay(bool on) {
  relayOn = on;
  digitalWrite(PIN_RELAY, on ? HIGH : LOW);
}

/* ---- Printing ---------------------------------------------------------------------------------------------------- */

static void printChannels(const Channels &s) {
  bool first = true;
  for (uint8_t ch = 0; ch < CHANNEL_COUNT; ch++) {
    if (!has(s, ch)) continue;
    if (!first) Serial.write(',');
    Serial.print(ch);
    first = false;
  }
  if (first) Serial.write('-');
}

/* `resetbot-fw 1.0.0 proto=1 channels=32 maxhold=20000 watchdog=3000`: the banner's body and the `version` reply. */
static void printIdentity() {
  Serial.print(F(FIRMWARE_NAME " " FIRMWARE_VERSION " proto="));
  Serial.print(PROTOCOL_VERSION);
  Serial.print(F(" channels="));
  Serial.print(CHANNEL_COUNT);
  Serial.print(F(" maxhold="));
  Serial.print(MAX_HOLD_MS);
  Serial.print(F(" watchdog="));
  Serial.print(DEFAULT_WATCHDOG_MS);
}

static void replyOk(uint32_t id) {
  Serial.print(F("ok "));
  Serial.print(id);
}

static void replyErr(uint32_t id, uint8_t code) {
  Serial.print(F("err "));
  Serial.print(id);
  Serial.write(' ');
  Serial.print(code);
  Serial.write(' ');
  Serial.print((const __FlashStringHelper *)errorText(code));
  Serial.write('\n');
}

static void reportFinishedPresses() {
  for (uint8_t i = 0; i < MAX_PRESSES; i++) {
    Press &p = presses[i];
    if (p.state != PRESS_FINISHED) continue;
    Serial.print(F("! done "));
    Serial.print(p.id);
    switch (p.reason) {
      case REASON_TIME: Serial.print(F(" time\n")); break;
      case REASON_RELEASE: Serial.print(F(" release\n")); break;
      case REASON_LIMIT: Serial.print(F(" limit\n")); break;
      case REASON_WATCHDOG: Serial.print(F(" watchdog\n")); break;
      case REASON_STOP: Serial.print(F(" stop\n")); break;
    }
    p.state = PRESS_FREE;
  }
}

/* ---- Parsing ----------------------------------------------------------------------------------------------------- */

enum Num : uint8_t { NUM_OK, NUM_BAD, NUM_BIG };

/* Decimal digits only; NUM_BIG when the value does not fit 32 bits. */
static Num parseNumber(const char *s, uint32_t *out) {
  if (*s == '\0') return NUM_BAD;
  uint32_t v = 0;
  bool big = false;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return NUM_BAD;
    uint8_t d = (uint8_t)(*s - '0');
    if (v > (0xFFFFFFFFUL - d) / 10)
      big = true;
    else
      v = v * 10 + d;
  }
  *out = v;
  return big ? NUM_BIG : NUM_OK;
}

/* `3` or `1,3,5` (no spaces). Returns 0 or an error code. */
static uint8_t parseChannels(char *s, Channels &out) {
  clearSet(out);
  for (;;) {
    char *comma = strchr(s, ',');
    if (comma) *comma = '\0';
    uint32_t ch;
    Num n = parseNumber(s, &ch);
    if (n == NUM_BAD) return ERR_BAD_ARGUMENT;
    if (n == NUM_BIG || ch >= CHANNEL_COUNT) return ERR_CHANNEL_OUT_OF_RANGE;
    add(out, (uint8_t)ch);
    if (!comma) return 0;
    s = comma + 1;
  }
}

/* A duration in ms, 1..MAX_HOLD_MS (`min` for the watchdog). Returns 0 or an error code. */
static uint8_t parseDuration(const char *s, uint32_t min, uint32_t *out) {
  Num n = parseNumber(s, out);
  if (n == NUM_BAD || (n == NUM_OK && *out < min)) return ERR_BAD_ARGUMENT;
  if (n == NUM_BIG || *out > MAX_HOLD_MS) return ERR_DURATION_OVER_MAX;
  return 0;
}

/* ---- Commands ---------------------------------------------------------------------------------------------------- */

/* Every command prints exactly one reply line, `ok <id>[ data]` or `err <id> <code> <text>`. */

static void cmdPress(uint32_t id, char *msArg, char *channelArg) {
  uint32_t ms;
  Channels set;
  uint8_t e = parseDuration(msArg, 1, &ms);
  if (!e) e = parseChannels(channelArg, set);
  if (!e && intersects(set, energised)) e = ERR_BUSY;
  Press *slot = 0;
  for (uint8_t i = 0; !e && i < MAX_PRESSES && !slot; i++)
    if (presses[i].state == PRESS_FREE) slot = &presses[i];
  if (!e && !slot) e = ERR_TOO_MANY_PRESSES;
  if (e) {
    replyErr(id, e);
    return;
  }
  energise(set, millis());
  slot->id = id;
  slot->startUs = micros();
  slot->ms = ms;
  slot->channels = set;
  slot->state = PRESS_ACTIVE;
  replyOk(id);
  Serial.write('\n');
}

static void cmdHold(uint32_t id, char *channelArg) {
  Channels set;
  uint8_t e = parseChannels(channelArg, set);
  if (!e && intersects(set, energised)) e = ERR_BUSY;
  if (e) {
    replyErr(id, e);
    return;
  }
  energise(set, millis());
  replyOk(id);
  Serial.write('\n');
}

static void cmdRelease(uint32_t id, char *channelArg) {
  Channels set;
  if (strcmp_P(channelArg, PSTR("all")) == 0) {
    memset(set.bits, 0xFF, sizeof set.bits);
  } else {
    uint8_t e = parseChannels(channelArg, set);
    if (e) {
      replyErr(id, e);
      return;
    }
  }
  deenergise(set, REASON_RELEASE);
  replyOk(id);
  Serial.write('\n');
  reportFinishedPresses();
}

static void cmdPower(uint32_t id, const char *arg) {
  if (strcmp_P(arg, PSTR("on")) == 0)
    setRelay(true);
  else if (strcmp_P(arg, PSTR("off")) == 0)
    setRelay(false);
  else {
    replyErr(id, ERR_BAD_ARGUMENT);
    return;
  }
  replyOk(id);
  Serial.write('\n');
}

static void cmdState(uint32_t id) {
  replyOk(id);
  Serial.print(F(" on="));
  printChannels(energised);
  Serial.print(relayOn ? F(" power=on") : F(" power=off"));
  Serial.print(F(" wd="));
  Serial.print(watchdogMs);
  Serial.print(F(" presses="));
  bool first = true;
  for (uint8_t i = 0; i < MAX_PRESSES; i++) {
    if (presses[i].state != PRESS_ACTIVE) continue;
    if (!first) Serial.write(',');
    Serial.print(presses[i].id);
    first = false;
  }
  if (first) Serial.write('-');
  Serial.write('\n');
}

static void cmdWatchdog(uint32_t id, const char *arg) {
  uint32_t ms;
  uint8_t e = parseDuration(arg, MIN_WATCHDOG_MS, &ms);
  if (e) {
    replyErr(id, e);
    return;
  }
  watchdogMs = ms;
  replyOk(id);
  Serial.write('\n');
}

#define MAX_WORDS 5 /* verb, id, two arguments, and one more to notice extra words */

/* Splits the line in place on spaces and tabs; returns the number of words (at most MAX_WORDS). */
static uint8_t splitWords(char *s, char *words[]) {
  uint8_t n = 0;
  while (n < MAX_WORDS) {
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '\0') break;
    words[n++] = s;
    while (*s && *s != ' ' && *s != '\t') s++;
    if (*s == '\0') break;
    *s++ = '\0';
  }
  return n;
}

static bool verbIs(const char *verb, PGM_P name) { return strcmp_P(verb, name) == 0; }

static void handleLine() {
  line[lineLength] = '\0';
  char *words[MAX_WORDS];
  uint8_t n = splitWords(line, words);
  if (n == 0 && !lineOverflow) return; /* a blank line is not a command: no reply */

  /* The id is the second word. Of an over-long line only the first MAX_LINE_LENGTH characters were kept: its id
   * counts only when a separator follows it inside them. */
  uint32_t id = 0;
  bool idOk = n >= 2 && parseNumber(words[1], &id) == NUM_OK && id != 0;
  if (idOk && lineOverflow) idOk = words[1] + strlen(words[1]) < line + lineLength;
  if (!idOk) {
    replyErr(0, lineOverflow ? ERR_LINE_TOO_LONG : ERR_BAD_ID);
    return;
  }
  lastHostLine = millis(); /* the host is alive */
  if (lineOverflow) {
    replyErr(id, ERR_LINE_TOO_LONG);
    return;
  }

  const char *verb = words[0];
  uint8_t argc = n - 2;
  char **args = words + 2;
  if (verbIs(verb, PSTR("ping"))) {
    if (argc != 0) return replyErr(id, ERR_BAD_ARGUMENT);
    replyOk(id);
    Serial.write('\n');
  } else if (verbIs(verb, PSTR("version"))) {
    if (argc != 0) return replyErr(id, ERR_BAD_ARGUMENT);
    replyOk(id);
    Serial.write(' ');
    printIdentity();
    Serial.write('\n');
  } else if (verbIs(verb, PSTR("press"))) {
    if (argc != 2) return replyErr(id, ERR_BAD_ARGUMENT);
    cmdPress(id, args[0], args[1]);
  } else if (verbIs(verb, PSTR("hold"))) {
    if (argc != 1) return replyErr(id, ERR_BAD_ARGUMENT);
    cmdHold(id, args[0]);
  } else if (verbIs(verb, PSTR("release"))) {
    if (argc != 1) return replyErr(id, ERR_BAD_ARGUMENT);
    cmdRelease(id, args[0]);
  } else if (verbIs(verb, PSTR("power"))) {
    if (argc != 1) return replyErr(id, ERR_BAD_ARGUMENT);
    cmdPower(id, args[0]);
  } else if (verbIs(verb, PSTR("sensor"))) {
    if (argc != 0) return replyErr(id, ERR_BAD_ARGUMENT);
    int value = analogRead(PIN_SENSOR);
    replyOk(id);
    Serial.print(F(" a0="));
    Serial.print(value);
    Serial.write('\n');
  } else if (verbIs(verb, PSTR("state"))) {
    if (argc != 0) return replyErr(id, ERR_BAD_ARGUMENT);
    cmdState(id);
  } else if (verbIs(verb, PSTR("wd"))) {
    if (argc != 1) return replyErr(id, ERR_BAD_ARGUMENT);
    cmdWatchdog(id, args[0]);
  } else {
    replyErr(id, ERR_UNKNOWN_COMMAND);
  }
}

/* The out-of-band stop: every channel off, relay off, the partial line dropped. */
static void stopEverything() {
  Channels all;
  memset(all.bits, 0xFF, sizeof all.bits);
  deenergise(all, REASON_STOP);
  setRelay(false);
  lineLength = 0;
  lineOverflow = false;
  Serial.print(F("! stop\n"));
  reportFinishedPresses();
}

static void readSerial() {
  int c;
  while ((c = Serial.read()) >= 0) {
    if (c == STOP_BYTE) {
      stopEverything();
    } else if (c == '\n') {
      handleLine();
      lineLength = 0;
      lineOverflow = false;
    } else if (c == '\r') {
      /* \r\n line ends are accepted: the \r is dropped */
    } else if (lineLength < MAX_LINE_LENGTH) {
      line[lineLength++] = (char)c;
    } else {
      lineOverflow = true;
    }
  }
}

/* ---- Timers and safety ----------------------------------------------------------------------------------------- */

/* Presses are timed in microseconds, so one lasts its time to within the loop's period (~1 ms), never less. */
static void finishPresses(uint32_t nowUs) {
  Channels due;
  clearSet(due);
  for (uint8_t i = 0; i < MAX_PRESSES; i++) {
    Press &p = presses[i];
    if (p.state == PRESS_ACTIVE && nowUs - p.startUs >= p.ms * 1000UL)
      for (uint8_t b = 0; b < SHIFT_REGISTER_COUNT; b++) due.bits[b] |= p.channels.bits[b];
  }
  if (!any(due)) return;
  deenergise(due, REASON_TIME);
  reportFinishedPresses();
}

static void enforceHoldLimit(uint32_t now) {
  if (!any(energised) || now - oldestOn < MAX_HOLD_MS) return; /* the usual case, every millisecond */
  Channels over;
  clearSet(over);
  for (uint8_t ch = 0; ch < CHANNEL_COUNT; ch++)
    if (has(energised, ch) && now - onSince[ch] >= MAX_HOLD_MS) add(over, ch);
  deenergise(over, REASON_LIMIT);
  Serial.print(F("! limit "));
  printChannels(over);
  Serial.write('\n');
  reportFinishedPresses();
}

static void enforceHostWatchdog(uint32_t now) {
  if (!any(energised) || now - lastHostLine < watchdogMs) return;
  Channels was = energised;
  deenergise(was, REASON_WATCHDOG);
  Serial.print(F("! watchdog "));
  printChannels(was);
  Serial.write('\n');
  reportFinishedPresses();
}

/* Idle sleep until the next interrupt (timer 0 every 1.024 ms, a received byte, the transmitter). The check and the
 * sleep are atomic: an interrupt after sei() still wakes the SLEEP that follows it. */
static void sleepUntilInterrupt() {
  cli();
  if (Serial.available() == 0) {
    sleep_enable();
    sei();
    sleep_cpu();
    sleep_disable();
  }
  sei();
}

/* ---- Arduino entry points ------------------------------------------------------------------------------------ */

static volatile uint8_t *outputRegister(uint8_t pin) { return portOutputRegister(digitalPinToPort(pin)); }

void setup() {
  /* Safe state first: the phone unpowered, the outputs disabled. */
  digitalWrite(PIN_RELAY, LOW);
  pinMode(PIN_RELAY, OUTPUT);
  digitalWrite(PIN_SR_OE, HIGH);
  pinMode(PIN_SR_OE, OUTPUT);

  pinMode(PIN_SR_DATA, OUTPUT);
  pinMode(PIN_SR_CLOCK, OUTPUT);
  pinMode(PIN_SR_LATCH, OUTPUT);
  digitalWrite(PIN_SR_DATA, LOW);
  digitalWrite(PIN_SR_CLOCK, LOW);
  digitalWrite(PIN_SR_LATCH, LOW);
  dataOut = outputRegister(PIN_SR_DATA);
  clockOut = outputRegister(PIN_SR_CLOCK);
  latchOut = outputRegister(PIN_SR_LATCH);
  dataBit = digitalPinToBitMask(PIN_SR_DATA);
  clockBit = digitalPinToBitMask(PIN_SR_CLOCK);
  latchBit = digitalPinToBitMask(PIN_SR_LATCH);

  /* The registers power up holding anything: latch all zeros, then enable the outputs. */
  clearSet(energised);
  writeOutputs();
  digitalWrite(PIN_SR_OE, LOW);

  Serial.begin(BAUD_RATE);
  Serial.print(F("# "));
  printIdentity();
  Serial.write('\n');

  /* The core's init() starts timers 1 and 2 for PWM; nothing here uses them. Stopped, they draw less power (and an
   * emulator has fewer clock events to simulate). Timer 0 keeps millis() and micros(). */
  TCCR1B = 0;
  TCCR2B = 0;

  lastHostLine = millis();
  set_sleep_mode(SLEEP_MODE_IDLE);
  wdt_enable(HARDWARE_WATCHDOG);
}

void loop() {
  wdt_reset();
  readSerial();
  finishPresses(micros());
  uint32_t now = millis();
  enforceHoldLimit(now);
  enforceHostWatchdog(now);
  sleepUntilInterrupt();
}
