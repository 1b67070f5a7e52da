import { describe, expect, it } from 'vitest';
import type { BatchRecord } from '../../src/batch/phone-record.js';
import { formatSummary, summarize } from '../../src/batch/report.js';

/* Issue 8: every record says how its phone was named, and the summary counts the runs that rest on the label alone. */
const rec = (mac: string, outcome: BatchRecord['outcome'], by: BatchRecord['identity']['by'], code?: string): BatchRecord =>
  ({
    mac,
    model: 'vvx-410',
    station: 'sim-1',
    line: 2,
    outcome,
    identity: { by, mac },
    startedAt: '2026-12-03T10:00:00.000Z',
    summary: 's',
    ...(code ? { failure: { class: 'phone', code, reason: 'nothing proved which phone it was' } } : {}),
  }) as unknown as BatchRecord;

describe('the summary counts identities', () => {
  it('by how each phone was named, the trusted label passes and the label-only unverified runs', () => {
    const s = summarize({
      batch: 'b',
      resetbot: '0',
      file: null,
      records: [
        rec('0004f2000001', 'pass', 'password'),
        rec('0004f2000002', 'pass', 'network'),
        rec('0004f2000003', 'pass', 'label'),
        rec('0004f2000004', 'unverified', 'label', 'identity-unproven'),
        rec('0004f2000005', 'fail', 'password'),
      ],
      unfinished: 0,
      sessionMs: [1000],
      stations: [],
      rejected: [],
      outDir: '/tmp',
      journal: '/tmp/j',
    });
    expect(s.byIdentity).toEqual({ password: 2, network: 1, screen: 0, label: 2 });
    expect(s.labelOnly).toEqual({ passedTrusted: 1, unverified: 1 });
    expect(formatSummary(s)).toMatch(/Identity: 2 by the password they took, 1 by the network, 0 by the screen, 2 by the label alone; 1 passed on the label alone \(--trust-label\); 1 unverified: nothing proved which phone it was/);
  });
});
