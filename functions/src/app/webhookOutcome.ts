// What became of one booking webhook delivery; functions/bookingWebhook.ts turns it into the HTTP answer.
import type { FieldProblem } from '../core/bookingEvents';
import type { SignatureCheck } from '../core/signature';

export type WebhookOutcome =
  /** Bad, missing or expired signature, and also an unknown practice or source not set up (no enumeration). */
  | { kind: 'unauthorized'; header: string; reason: Extract<SignatureCheck, { valid: false }>['reason'] }
  | { kind: 'invalid_json' }
  | { kind: 'invalid'; what: string; problems: FieldProblem[] }
  /** A connection test (Cal.com PING): nothing changes. */
  | { kind: 'ping' }
  /** Authentic and well-formed, but nothing for Reengage (another trigger, a vanished appointment). */
  | { kind: 'ignored'; id: string | null; reason: string }
  | { kind: 'accepted'; id: string }
  | { kind: 'duplicate'; id: string }
  /** The booking tool's API could not be reached in time: the tool should deliver again later. */
  | { kind: 'upstream_unavailable'; detail: string }
  /** The booking tool's API refused the practice's credentials or answered something unreadable. */
  | { kind: 'upstream_failed'; detail: string };
