import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../src/batch/redact.js';

describe('Redactor', () => {
  it('replaces a long secret wherever it appears, even inside other text', () => {
    const r = new Redactor(['S3cr3t.pw']);
    expect(r.text('pw=S3cr3t.pw; xS3cr3t.pwx')).toBe(`pw=${REDACTED}; x${REDACTED}x`);
  });

  it('replaces a short secret where it stands alone, and leaves words and numbers that merely contain it', () => {
    const r = new Redactor(['p', '456']);
    expect(r.text('provision p, password=p, admin 456, not 14567')).toBe(
      `provision ${REDACTED}, password=${REDACTED}, admin ${REDACTED}, not 14567`,
    );
  });

  it('treats regular-expression characters in a secret literally', () => {
    expect(new Redactor(['a+b(c']).text('x a+b(c y aab(c')).toBe(`x ${REDACTED} y aab(c`);
  });

  it('replaces by field name whatever the value, and keeps booleans', () => {
    const r = new Redactor([]);
    expect(r.value({ serverPassword: 'zz', adminPassword: 456, passwordSet: true, user: 'u' })).toEqual({
      serverPassword: REDACTED,
      adminPassword: REDACTED,
      passwordSet: true,
      user: 'u',
    });
  });
});
