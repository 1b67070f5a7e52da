import { describe, expect, it } from 'vitest';
import { BenchError } from '../../src/errors/errors.js';
import { checkIdentity, parseIdentity, parseLine, parseNumberList, parseSensorData, parseStateData } from '../../src/protocol/parse.js';

const BANNER = '# resetbot-fw 1.0.0 proto=1 channels=32 maxhold=20000 watchdog=3000';

describe('parseLine', () => {
  it('reads the banner', () => {
    expect(parseLine(BANNER)).toEqual({
      kind: 'banner',
      identity: { name: 'resetbot-fw', version: '1.0.0', fields: { proto: '1', channels: '32', maxhold: '20000', watchdog: '3000' } },
      raw: BANNER,
    });
  });

  it('takes other # lines as comments', () => {
    expect(parseLine('# hello there')).toMatchObject({ kind: 'comment', text: 'hello there' });
  });

  it('reads ok and err replies', () => {
    expect(parseLine('ok 5')).toMatchObject({ kind: 'ok', id: 5, data: '' });
    expect(parseLine('ok 6 a0=512\r')).toMatchObject({ kind: 'ok', id: 6, data: 'a0=512', raw: 'ok 6 a0=512' });
    expect(parseLine('err 7 5 channel out of range')).toMatchObject({
      kind: 'err',
      id: 7,
      code: 5,
      name: 'channel-out-of-range',
      message: 'channel out of range',
    });
    expect(parseLine('err 0 2 bad id')).toMatchObject({ kind: 'err', id: 0, name: 'bad-id' });
    expect(parseLine('err 8 99 from the future')).toMatchObject({ kind: 'err', code: 99, name: undefined });
  });

  it('reads events', () => {
    expect(parseLine('! done 12 time')).toMatchObject({ kind: 'event', event: { type: 'done', id: 12, reason: 'time' } });
    expect(parseLine('! done 12 stop')).toMatchObject({ event: { type: 'done', id: 12, reason: 'stop' } });
    expect(parseLine('! limit 3,4')).toMatchObject({ event: { type: 'limit', channels: [3, 4] } });
    expect(parseLine('! watchdog 0,31')).toMatchObject({ event: { type: 'watchdog', channels: [0, 31] } });
    expect(parseLine('! stop')).toMatchObject({ event: { type: 'stop' } });
    expect(parseLine('! overheat 3')).toMatchObject({ event: { type: 'unknown', name: 'overheat', args: ['3'] } });
  });

  it('never throws on noise', () => {
    for (const line of ['', '\x00\xff', 'ok', 'ok x', 'err 1', '! done x time', '! done 1 bored', '! limit a', 'OK 1', '!']) {
      expect(parseLine(line).kind, JSON.stringify(line)).toBe('unparsable');
    }
  });
});

describe('reply data', () => {
  it('state', () => {
    expect(parseStateData('on=1,3,5 power=on wd=3000 presses=7,9')).toEqual({ on: [1, 3, 5], power: true, watchdogMs: 3000, presses: [7, 9] });
    expect(parseStateData('on=- power=off wd=500 presses=-')).toEqual({ on: [], power: false, watchdogMs: 500, presses: [] });
    expect(() => parseStateData('on=1 power=maybe wd=1 presses=-')).toThrow(BenchError);
  });

  it('sensor', () => {
    expect(parseSensorData('a0=1023')).toBe(1023);
    expect(() => parseSensorData('a0=1024')).toThrow(BenchError);
    expect(() => parseSensorData('')).toThrow(BenchError);
  });

  it('lists', () => {
    expect(parseNumberList('-')).toEqual([]);
    expect(parseNumberList('1,2')).toEqual([1, 2]);
    expect(parseNumberList('1,,2')).toBeUndefined();
  });
});

describe('checkIdentity', () => {
  const identity = (text: string) => parseIdentity(text)!;

  it('accepts this firmware and returns its figures', () => {
    expect(checkIdentity(identity(BANNER.slice(2)))).toEqual({
      name: 'resetbot-fw',
      version: '1.0.0',
      protocol: 1,
      channels: 32,
      maxHoldMs: 20000,
      watchdogMs: 3000,
    });
  });

  it('names the problem: other firmware, other protocol, missing figures', () => {
    const code = (text: string) => {
      try {
        checkIdentity(identity(text));
      } catch (e) {
        expect(e).toBeInstanceOf(BenchError);
        return (e as BenchError).code;
      }
      return 'accepted';
    };
    expect(code('grbl 1.1h proto=1')).toBe('wrong-firmware');
    expect(code('resetbot-fw 2.0.0 proto=2 channels=32 maxhold=20000 watchdog=3000')).toBe('protocol-mismatch');
    expect(code('resetbot-fw 1.0.0 proto=1 channels=32')).toBe('bad-reply');
  });

  it('needs name, version and proto to call a line an identity', () => {
    expect(parseIdentity('resetbot-fw 1.0.0 channels=32')).toBeUndefined();
    expect(parseIdentity('resetbot-fw')).toBeUndefined();
    expect(parseIdentity('resetbot-fw 1.0.0 proto=1 junk')).toBeUndefined();
  });
});
