// How domain objects become table entities and back, the same way in every table adapter:
// - scalars are one property each; instants stay ISO strings (not Edm.DateTime) so they round-trip exactly;
// - nested objects and arrays are one JSON string property each;
// - null and undefined are omitted and read back as null;
// - every entity carries `schemaVersion`, so a later format change can tell old rows apart;
// - sizes are checked before the service sees them, with an error naming the property (never its value).
import type { TableEntity } from '@azure/data-tables';
import { ReengageError } from '../../core/errors';

export const SCHEMA_VERSION = 1;

/** A string property holds at most 64 KiB, i.e. 32K UTF-16 characters; stay a little under. */
export const MAX_PROPERTY_CHARS = 32_000;
/** An entity holds at most 1 MiB, counted as the service does (UTF-16 strings plus overheads). */
const MAX_ENTITY_BYTES = 1024 * 1024;

// The Tables SDK maps these names to system properties, so a domain field must never use them.
const RESERVED = new Set([
  'partitionKey',
  'rowKey',
  'etag',
  'timestamp',
  'PartitionKey',
  'RowKey',
  'Timestamp',
]);

export type PropertyValue = string | number | boolean | null | undefined;
export type StoredProperties = Record<string, string | number | boolean>;

/** JSON text of a nested value; null stays null so that the property is omitted. */
export function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function toEntity(
  table: string,
  partitionKey: string,
  rowKey: string,
  properties: Record<string, PropertyValue>,
): TableEntity<StoredProperties> {
  const stored: StoredProperties = {};
  let bytes = 4 + (partitionKey.length + rowKey.length) * 2;
  const all: Record<string, PropertyValue> = { ...properties, schemaVersion: SCHEMA_VERSION };
  for (const [name, value] of Object.entries(all)) {
    if (RESERVED.has(name)) throw new TypeError(`${table}: "${name}" is a reserved property name`);
    if (value === null || value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`${table}: property ${name} is not a finite number`);
    }
    if (typeof value === 'string' && value.length > MAX_PROPERTY_CHARS) {
      throw new ReengageError(
        'invalid_input',
        `${table}: property ${name} is ${value.length} characters, more than the ${MAX_PROPERTY_CHARS} a table property holds`,
      );
    }
    bytes += 8 + name.length * 2 + (typeof value === 'string' ? 4 + value.length * 2 : 8);
    stored[name] = value;
  }
  if (bytes > MAX_ENTITY_BYTES) {
    throw new ReengageError(
      'invalid_input',
      `${table}: the row is ${bytes} bytes, more than the 1 MiB an entity holds`,
    );
  }
  return { partitionKey, rowKey, ...stored };
}

/** Typed reads of a stored entity; a property of the wrong type is a corrupt row and throws TypeError. */
export class EntityReader {
  constructor(
    private readonly entity: Record<string, unknown>,
    private readonly table: string,
  ) {}

  private fail(name: string, expected: string): never {
    throw new TypeError(`${this.table}: property ${name} is not ${expected}`);
  }

  optionalString(name: string): string | null {
    const value = this.entity[name];
    if (value === undefined || value === null) return null;
    return typeof value === 'string' ? value : this.fail(name, 'a string');
  }

  string(name: string): string {
    return this.optionalString(name) ?? this.fail(name, 'a string');
  }

  optionalNumber(name: string): number | null {
    const value = this.entity[name];
    if (value === undefined || value === null) return null;
    // Integers beyond Int32 come back from the SDK as Edm.Int64, i.e. bigint.
    if (typeof value === 'bigint') return Number(value);
    return typeof value === 'number' ? value : this.fail(name, 'a number');
  }

  number(name: string): number {
    return this.optionalNumber(name) ?? this.fail(name, 'a number');
  }

  boolean(name: string): boolean {
    const value = this.entity[name];
    return typeof value === 'boolean' ? value : this.fail(name, 'a boolean');
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    return (allowed as readonly string[]).includes(value)
      ? (value as T)
      : this.fail(name, allowed.join(' | '));
  }

  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | null {
    return this.optionalString(name) === null ? null : this.oneOf(name, allowed);
  }

  /** Parsed JSON; the shape is trusted because only toEntity writes it. */
  optionalJson<T>(name: string): T | null {
    const text = this.optionalString(name);
    if (text === null) return null;
    try {
      return JSON.parse(text) as T;
    } catch {
      return this.fail(name, 'JSON');
    }
  }

  json<T>(name: string): T {
    return this.optionalJson<T>(name) ?? this.fail(name, 'JSON');
  }
}

export function etagOf(response: { etag?: string }, what: string): string {
  if (!response.etag) throw new TypeError(`${what}: the service returned no ETag`);
  return response.etag;
}
