// Which Reengage therapist a booking tool's organizer, calendar or event type stands for, and which keys
// nobody mapped yet. Keys are `<source>:<kind>:<value>`:
//   calcom:organizer:<email>      calcom:eventType:<eventTypeId>
//   calendly:user:<user URI>      calendly:organizer:<email>      calendly:eventType:<event type URI>
//   acuity:calendar:<calendarID>  acuity:appointmentType:<appointmentTypeID>
// A booking offers its keys most specific first (the person before the event type); the first mapped one wins.
import type { TherapistMapping, TherapistMappingEntry, UnmappedTherapistKey } from '../ports';

export const THERAPIST_KEY_KINDS = {
  calcom: ['organizer', 'eventType'],
  calendly: ['user', 'organizer', 'eventType'],
  acuity: ['calendar', 'appointmentType'],
} as const;

/** Kept short enough for the practice row, long enough for a Calendly URI. */
export const MAX_THERAPIST_KEY_LENGTH = 300;
// 50 keys of up to 300 characters (plus their JSON) stay well under the 32,000 characters of one table property.
export const MAX_UNMAPPED_KEYS = 50;

/** `<source>:<kind>:<value>` with a known source and kind; emails are compared in lower case. */
export function therapistKey(source: keyof typeof THERAPIST_KEY_KINDS, kind: string, value: string): string {
  const normalized = kind === 'organizer' ? value.trim().toLowerCase() : value.trim();
  return `${source}:${kind}:${normalized}`;
}

/** For the admin API: whether a key is one a booking can offer. */
export function isTherapistKey(key: string): boolean {
  if (key.length > MAX_THERAPIST_KEY_LENGTH) return false;
  const [source, kind, ...rest] = key.split(':');
  const kinds = THERAPIST_KEY_KINDS[source as keyof typeof THERAPIST_KEY_KINDS] as
    | readonly string[]
    | undefined;
  return Boolean(kinds?.includes(kind ?? '') && rest.join(':').length > 0);
}

export function emptyTherapistMapping(practiceId: string): TherapistMapping {
  return { practiceId, entries: [], unmapped: [] };
}

/** The therapist of the first key that has an entry, or null. */
export function resolveTherapist(mapping: TherapistMapping | null, keys: readonly string[]): string | null {
  if (!mapping) return null;
  for (const key of keys) {
    const entry = mapping.entries.find((e) => e.key === key);
    if (entry) return entry.therapistId;
  }
  return null;
}

/** Records keys seen without an entry; null when there is nothing new to write (the common case). */
export function withUnmappedKeys(
  mapping: TherapistMapping,
  keys: readonly string[],
  seenAt: string,
): TherapistMapping | null {
  const known = new Set([...mapping.entries.map((e) => e.key), ...mapping.unmapped.map((u) => u.key)]);
  const fresh: UnmappedTherapistKey[] = keys
    .filter((key, i) => !known.has(key) && keys.indexOf(key) === i)
    .map((key) => ({ key: key.slice(0, MAX_THERAPIST_KEY_LENGTH), firstSeenAt: seenAt }));
  if (fresh.length === 0) return null;
  return { ...mapping, unmapped: [...mapping.unmapped, ...fresh].slice(-MAX_UNMAPPED_KEYS) };
}

/** Adds or replaces an entry (for the admin API); its key leaves the unmapped list. */
export function withTherapistMappingEntry(
  mapping: TherapistMapping,
  entry: TherapistMappingEntry,
): TherapistMapping {
  return {
    ...mapping,
    entries: [...mapping.entries.filter((e) => e.key !== entry.key), entry],
    unmapped: mapping.unmapped.filter((u) => u.key !== entry.key),
  };
}

/** Removes an entry (for the admin API); succeeds when it is already gone. */
export function withoutTherapistMappingEntry(mapping: TherapistMapping, key: string): TherapistMapping {
  return { ...mapping, entries: mapping.entries.filter((e) => e.key !== key) };
}
