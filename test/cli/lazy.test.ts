import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, buildProgramFor, COMMANDS } from '../../src/cli/main.js';
import { BIN } from '../support/bin.js';

const TRACE = fileURLToPath(new URL('../support/load-trace.mjs', import.meta.url));
const ctx = { setExit: () => {} };

/** The packages a process loaded running `resetbot ARGS` (the built command, as a user runs it). */
function packagesLoaded(args: string[]): { code: number | null; packages: Set<string>; modules: string[] } {
  const r = spawnSync(process.execPath, ['--import', TRACE, BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  const modules = r.stderr.split('\n').filter((l) => l.startsWith('load ')).map((l) => l.slice(5));
  const packages = new Set(modules.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]).filter((p): p is string => p !== undefined));
  return { code: r.status, packages, modules };
}

const HEAVY = ['zod', 'xstate', 'csv-parse', 'tesseract.js', '@napi-rs/canvas', 'serialport', 'johnny-five', 'avr8js'];

describe('start-up: each command is loaded when it runs', () => {
  it('the lazy program lists every command with the term and description of its own registration', async () => {
    const full = await buildProgram(ctx);
    const lazy = await buildProgramFor([], ctx);
    expect(lazy.helpInformation()).toBe(full.helpInformation());
    expect(full.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
    const help = full.createHelp();
    for (const entry of COMMANDS) {
      const real = full.commands.find((c) => c.name() === entry.name) as Command;
      expect(help.subcommandTerm(real)).toBe(entry.term);
      expect(real.description()).toBe(entry.description);
    }
  });

  it('loads only the named command: its help is its own full help', async () => {
    for (const entry of COMMANDS) {
      const full = (await buildProgram(ctx)).commands.find((c) => c.name() === entry.name)!;
      const lazy = (await buildProgramFor([entry.name, '--help'], ctx)).commands.find((c) => c.name() === entry.name)!;
      expect(lazy.helpInformation()).toBe(full.helpInformation());
      expect(lazy.options.length).toBeGreaterThanOrEqual(full.options.length);
    }
  });

  it('--help and plan load none of zod, xstate, csv-parse, the camera or the serial stack', () => {
    for (const args of [['--help'], [], ['plan', '--model', 'VVX 410', '--mac', '0004F2AA814C'], ['plan', '--help']]) {
      const r = packagesLoaded(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.modules.some((m) => m.endsWith('/dist/cli/main.js')), 'the trace sees the modules').toBe(true);
      expect(HEAVY.filter((p) => r.packages.has(p)), args.join(' ')).toEqual([]);
    }
  });

  it('the trace would see a heavy package: reset loads xstate', () => {
    const r = packagesLoaded(['reset', '--model', 'VVX 410', '--mac', '0004F2AA814C', '--json', '--runs', '/nonexistent/x']);
    expect(r.packages.has('xstate')).toBe(true);
  });
});
