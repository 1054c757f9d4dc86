// The control group: a stable share of lapse episodes whose emails are recorded but never sent.
import { createHash } from 'node:crypto';

/** Deterministic: the same (practice, patient, episode) always lands in the same group. */
export function isHeldOut(
  practiceId: string,
  patientId: string,
  episodeKey: string,
  holdoutPercent: number,
): boolean {
  if (holdoutPercent <= 0) return false;
  if (holdoutPercent >= 100) return true;
  const digest = createHash('sha256').update(`${practiceId}|${patientId}|${episodeKey}`, 'utf8').digest();
  // 32 bits are plenty for a percentage and keep the split uniform.
  const bucket = (digest.readUInt32BE(0) / 0x1_0000_0000) * 100;
  return bucket < holdoutPercent;
}
