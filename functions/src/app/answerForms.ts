// Validation of the feedback form a patient posts: a rating 1-5 and an optional comment.
import type { FeedbackEntry } from '../core/ports';

export const MAX_COMMENT_CHARS = 2000;

export type FeedbackField = 'rating' | 'comment';

export type FeedbackProblem =
  | { field: 'rating'; kind: 'missing' | 'invalid' }
  | { field: 'comment'; kind: 'too_long'; length: number };

/** What the patient typed, kept as typed so a refused form can be shown again without losing it. */
export interface FeedbackFormValues {
  rating: string;
  comment: string;
}

export type FeedbackFormCheck =
  | { ok: true; rating: FeedbackEntry['rating']; comment: string | null; values: FeedbackFormValues }
  | { ok: false; problems: FeedbackProblem[]; values: FeedbackFormValues };

// C0 and C1 controls; line breaks and tabs are dealt with before this applies.
const CONTROLS = /\p{Cc}/gu;

/**
 * Browsers submit a textarea's line breaks as CRLF but count `maxlength` on LF line breaks (and in UTF-16
 * code units): the comment is normalised the same way before it is measured, so a comment the browser let
 * through is never refused for its line breaks.
 */
export function cleanComment(raw: string): string {
  return raw
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROLS, (char) => (char === '\n' ? char : ''))
    .trim();
}

export function checkFeedbackForm(fields: URLSearchParams): FeedbackFormCheck {
  const comment = cleanComment(fields.get('comment') ?? '');
  // The comment is shown again as cleaned, so the count in an error message matches what the patient sees.
  const values: FeedbackFormValues = { rating: (fields.get('rating') ?? '').trim().slice(0, 20), comment };
  const problems: FeedbackProblem[] = [];
  let rating: FeedbackEntry['rating'] | null = null;
  if (values.rating === '') problems.push({ field: 'rating', kind: 'missing' });
  else if (/^[1-5]$/.test(values.rating)) rating = Number(values.rating) as FeedbackEntry['rating'];
  else problems.push({ field: 'rating', kind: 'invalid' });
  if (comment.length > MAX_COMMENT_CHARS) {
    problems.push({ field: 'comment', kind: 'too_long', length: comment.length });
  }
  if (problems.length > 0 || rating === null) return { ok: false, problems, values };
  return { ok: true, rating, comment: comment === '' ? null : comment, values };
}
