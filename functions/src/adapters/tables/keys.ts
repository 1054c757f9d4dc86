// PartitionKey/RowKey encoding shared by every table adapter.
//
// Table Storage refuses `/ \ # ?` and control characters (U+0000-U+001F, U+007F-U+009F) in keys, and
// ids come from booking tools we do not control. `%` is allowed but known to break point operations
// on the service (it is URL-decoded twice), and `'` needs quote doubling everywhere. All of these, and
// the escape character `~` itself so the mapping stays reversible, become `~XX` (hex). Every other
// character, `|` included, is kept, so the encoding is the identity for ordinary ids and
// prefix-preserving: keyOf(a + b) === keyOf(a) + keyOf(b) (unless a ends and b starts with the halves
// of one surrogate pair), which keeps RowKey range queries on a `patientId|` prefix exact. Rows also
// store their ids as properties, so keys are never decoded.
import { createHash } from 'node:crypto';
import { ReengageError } from '../../core/errors';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped
const FORBIDDEN = /[/\\#?%'~\u0000-\u001f\u007f-\u009f]/g;

/** Keys are at most 1 KiB; UTF-16 makes that 512 characters to stay safe with any content. */
export const MAX_KEY_LENGTH = 512;

// A lone UTF-16 surrogate (JSON may carry one as `\ud800`) has no UTF-8 form: the SDK cannot put it in a
// request URL (encodeURIComponent throws URIError) and the service could not store it. It becomes `~uXXXX`,
// which `~XX` never yields (`u` is not a hex digit). Surrogate pairs (emoji) are kept as they are.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function keyOf(value: string): string {
  return value
    .replace(FORBIDDEN, (char) => `~${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(LONE_SURROGATE, (char) => `~u${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** keyOf, with a clear error instead of a 400 from the service when the result is too long. */
export function checkedKey(value: string, what: string): string {
  const key = keyOf(value);
  if (key.length > MAX_KEY_LENGTH) {
    throw new ReengageError('invalid_input', `${what} is longer than ${MAX_KEY_LENGTH} characters`);
  }
  return key;
}

/**
 * For ids we do not control at all (webhook event ids): long ones are replaced by their SHA-256, which
 * is deterministic, so the same event id always finds the same row. The `~h` marker cannot come out of
 * keyOf (its `~` is always followed by two hex digits or `u`), so a hashed key never equals an encoded one.
 */
export function boundedKey(value: string, maxLength = 200): string {
  const key = keyOf(value);
  if (key.length <= maxLength) return key;
  return `~h${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

/**
 * RowKey bounds selecting exactly the keys that start with `prefix + '|'`: every such key is
 * `>= prefix|`, and `prefix}` is the smallest string above them all because `}` (0x7D) follows
 * `|` (0x7C). `pat_10|...` stays out of `pat_1`'s range since `0` (0x30) sorts before `|`.
 */
export function rowKeyRangeOf(prefix: string): { from: string; to: string } {
  const key = keyOf(prefix);
  return { from: `${key}|`, to: `${key}}` };
}
