import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isHeldOut } from '../../functions/src/core/holdout';
import { operationIdOf, outreachIdOf, parseOutreachId } from '../../functions/src/core/ids';
import { verifyGenericSignature } from '../../functions/src/core/signature';
import { issueToken, verifyToken } from '../../functions/src/core/tokens';

const key1 = { id: 'k1', secret: Buffer.alloc(32, 1) };
const key2 = { id: 'k2', secret: Buffer.alloc(32, 2) };
const now = new Date('2027-01-05T09:30:00Z');

describe('link tokens', () => {
  const token = issueToken({ practiceId: 'prac_1', outreachRef: 'op-1', action: 'book' }, key1, now);
  it('verify with the key that signed them', () => {
    expect(verifyToken(token, [key1], now)).toMatchObject({
      valid: true,
      token: { practiceId: 'prac_1', action: 'book' },
    });
  });
  it('still verify after rotation while the old key is kept', () => {
    expect(verifyToken(token, [key2, key1], now).valid).toBe(true);
    expect(verifyToken(token, [key2], now)).toMatchObject({ valid: false, reason: 'unknown_key' });
  });
  it('refuse a tampered payload or signature', () => {
    const [payload, signature] = token.split('.');
    const forged = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    forged.p = 'prac_2';
    const tampered = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    expect(verifyToken(tampered, [key1], now)).toMatchObject({ valid: false, reason: 'bad_signature' });
    expect(verifyToken(`${payload}.${(signature ?? '').slice(0, -2)}AA`, [key1], now).valid).toBe(false);
    expect(verifyToken('nonsense', [key1], now)).toMatchObject({ valid: false, reason: 'malformed' });
  });
  it('expire after 90 days; unsubscribe links after a year', () => {
    expect(verifyToken(token, [key1], new Date('2027-04-05T09:29:00Z')).valid).toBe(true);
    expect(verifyToken(token, [key1], new Date('2027-04-05T09:31:00Z'))).toMatchObject({
      valid: false,
      reason: 'expired',
    });
    const unsubscribe = issueToken(
      { practiceId: 'prac_1', outreachRef: 'op-1', action: 'unsubscribe' },
      key1,
      now,
    );
    expect(verifyToken(unsubscribe, [key1], new Date('2027-12-31T00:00:00Z')).valid).toBe(true);
    expect(verifyToken(unsubscribe, [key1], new Date('2028-01-06T00:00:00Z')).valid).toBe(false);
  });
});

describe('generic webhook signature', () => {
  const body = '{"id":"evt_1"}';
  const t = Math.floor(now.getTime() / 1000);
  const sign = (secret: string, ts = t, raw = body) =>
    createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex');
  it('accepts the current or the previous secret, among several v1', () => {
    const header = `t=${t},v1=${sign('old')},v1=${sign('other')}`;
    expect(verifyGenericSignature(header, body, ['new', 'old'], now)).toEqual({ valid: true });
  });
  it('refuses a forged one, a modified body, a missing header', () => {
    expect(verifyGenericSignature(`t=${t},v1=${sign('wrong')}`, body, ['new'], now)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyGenericSignature(`t=${t},v1=${sign('new')}`, `${body} `, ['new'], now)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyGenericSignature(null, body, ['new'], now)).toEqual({ valid: false, reason: 'missing' });
    expect(verifyGenericSignature('v1=abc', body, ['new'], now)).toEqual({
      valid: false,
      reason: 'malformed',
    });
  });
  it('refuses a signature older or newer than 300 s, even when correctly signed', () => {
    expect(verifyGenericSignature(`t=${t - 301},v1=${sign('new', t - 301)}`, body, ['new'], now)).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(verifyGenericSignature(`t=${t + 301},v1=${sign('new', t + 301)}`, body, ['new'], now)).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(verifyGenericSignature(`t=${t - 299},v1=${sign('new', t - 299)}`, body, ['new'], now)).toEqual({
      valid: true,
    });
  });
});

describe('ids and holdout', () => {
  it('operation ids are RFC 4122 v5 UUIDs, stable per row and distinct across rows and practices', () => {
    const a = operationIdOf('prac_1', 'pat_1|lapse|2026-12-01|1');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(operationIdOf('prac_1', 'pat_1|lapse|2026-12-01|1')).toBe(a);
    expect(operationIdOf('prac_1', 'pat_1|lapse|2026-12-01|2')).not.toBe(a);
    expect(operationIdOf('prac_2', 'pat_1|lapse|2026-12-01|1')).not.toBe(a);
  });
  it('outreach ids round-trip and reject junk', () => {
    const key = { patientId: 'pat_1', campaign: 'seasonal' as const, episodeKey: '2027:new-year', step: 1 };
    expect(parseOutreachId(outreachIdOf(key))).toEqual(key);
    expect(parseOutreachId('pat_1|spam|x|1')).toBeNull();
    expect(parseOutreachId('a|b')).toBeNull();
  });
  it('holdout is deterministic and close to the requested share', () => {
    let held = 0;
    for (let i = 0; i < 10_000; i++) {
      const first = isHeldOut('prac_1', `pat_${i}`, '2026-12-01', 20);
      expect(isHeldOut('prac_1', `pat_${i}`, '2026-12-01', 20)).toBe(first);
      if (first) held++;
    }
    // 20% of 10,000 = 2,000; binomial sd = 40, so ±200 is five standard deviations.
    expect(held).toBeGreaterThan(1800);
    expect(held).toBeLessThan(2200);
    expect(isHeldOut('prac_1', 'pat_1', '2026-12-01', 0)).toBe(false);
    expect(isHeldOut('prac_1', 'pat_1', '2026-12-01', 100)).toBe(true);
  });
});
