// Patient import files: decoding, an RFC 4180 CSV reader, column mapping, and per-line validation into
// canonical patient records with the webhook's own field rules (bookingEvents.patientSchema). Pure.
import { DateTime } from 'luxon';
import { fieldProblems, patientSchema } from './bookingEvents';
import type { CareStatus, ContactPreference, Locale } from './model';

/** The fields an import line can carry, named as on the Patient (SPEC §3). */
export const IMPORT_FIELDS = [
  'id',
  'firstName',
  'email',
  'locale',
  'therapistId',
  'emailConsent',
  'careStatus',
  'contactPreference',
  'focusArea',
  'lastVisitAt',
  'nextBookingAt',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Field -> header text of the file, overriding the default recognition for that field. */
export type ColumnMapping = Partial<Record<ImportField, string>>;

export type CsvSeparator = ',' | ';';

/** A file holding more data lines than this is refused as a whole (the HTTP body limit comes first). */
export const MAX_IMPORT_LINES = 100_000;

/**
 * Header names recognised without a mapping, compared after normalizeHeader (accents, case, spaces and
 * punctuation dropped): "Numéro dossier", "N° de dossier", "E-mail", "Prochain RDV" all match.
 */
export const DEFAULT_HEADERS: Readonly<Record<ImportField, readonly string[]>> = {
  id: [
    'id',
    'identifiant',
    'idpatient',
    'patientid',
    'externalid',
    'numerodossier',
    'numerodedossier',
    'ndossier',
    'nodossier',
    'ndedossier',
    'dossier',
  ],
  firstName: ['prenom', 'firstname', 'givenname'],
  email: ['email', 'courriel', 'mail', 'adresseemail', 'adressemail', 'emailaddress', 'adressecourriel'],
  locale: ['langue', 'locale', 'language', 'lang'],
  therapistId: ['therapeute', 'therapist', 'therapistid', 'praticien', 'praticienne', 'intervenant'],
  emailConsent: [
    'consentement',
    'consent',
    'emailconsent',
    'consentementemail',
    'consentementcourriel',
    'optin',
  ],
  careStatus: ['statut', 'status', 'carestatus', 'statutdesoins', 'statutsuivi'],
  contactPreference: ['preferencedecontact', 'preferencecontact', 'contactpreference', 'contact'],
  focusArea: ['focusarea', 'focus', 'domaine', 'thematique', 'theme'],
  lastVisitAt: [
    'dernierevisite',
    'datedernierevisite',
    'dernierrdv',
    'dernierrendezvous',
    'lastvisit',
    'lastvisitat',
    'lastvisitdate',
    'lastappointment',
  ],
  nextBookingAt: [
    'prochainrdv',
    'prochainrendezvous',
    'dateprochainrdv',
    'nextappointment',
    'nextbooking',
    'nextbookingat',
    'nextvisit',
  ],
};

// ---------------------------------------------------------------------------------------------------
// Decoding

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'windows-1252';

/**
 * UTF-8 with or without BOM. A file that is not valid UTF-8 is read as Windows-1252, which is what
 * Excel's French "CSV (séparateur: point-virgule)" writes; a UTF-16 BOM is honoured too.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  try {
    // The decoder drops a leading UTF-8 BOM itself (ignoreBOM defaults to false).
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

// ---------------------------------------------------------------------------------------------------
// RFC 4180 reading

export interface CsvRecord {
  /** 1-based line of the file on which the record starts (a quoted field may span several lines). */
  line: number;
  cells: string[];
  /** Set when the record is malformed (text after a closing quote). */
  error: string | null;
}

export type CsvParse =
  | { ok: true; separator: CsvSeparator; records: CsvRecord[] }
  | { ok: false; line: number; message: string };

/**
 * The separator of the header line: whichever of `,` and `;` occurs more often outside quotes (a French
 * Excel export uses `;` because `,` is its decimal mark). A tie, including none at all, means `,`.
 */
export function detectSeparator(text: string): CsvSeparator {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char === ',') commas++;
    else if (!quoted && char === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/**
 * RFC 4180, read liberally: CRLF, LF or lone CR line ends; `""` inside quotes is one quote; separators
 * and line breaks inside quotes are data; a quote inside an unquoted field is kept as a character. A
 * leading BOM is dropped. An unterminated quote fails the whole file, since everything after it would
 * otherwise be swallowed into one field.
 */
export function parseCsv(input: string, separator: CsvSeparator = detectSeparator(input)): CsvParse {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let quoteOpenedOn = 0;
  let error: string | null = null;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    records.push({ line: recordLine, cells, error });
    cells = [];
    cell = '';
    error = null;
  };
  const n = text.length;
  while (i < n) {
    const char = text[i];
    if (char === '"' && cell === '') {
      // A quoted field: read up to the closing quote.
      quoteOpenedOn = line;
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (c === '\r' || c === '\n') {
          // Line breaks inside quotes are data; CRLF is kept as one break, as written.
          if (c === '\r' && text[i + 1] === '\n') {
            cell += '\r\n';
            i += 2;
          } else {
            cell += c;
            i++;
          }
          line++;
          continue;
        }
        cell += c;
        i++;
      }
      if (!closed) return { ok: false, line: quoteOpenedOn, message: 'a quoted field is never closed' };
      // Only a separator or the end of the record may follow a closing quote.
      let trailing = '';
      while (i < n && text[i] !== separator && text[i] !== '\r' && text[i] !== '\n') trailing += text[i++];
      if (trailing.trim() !== '') {
        error ??= 'text after the closing quote of a field (write a quote inside quotes as "")';
        cell += trailing;
      }
      if (i >= n) break;
      continue;
    }
    if (char === separator) {
      cells.push(cell);
      cell = '';
      i++;
      continue;
    }
    if (char === '\r' || char === '\n') {
      endRecord();
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    cell += char;
    i++;
  }
  // A final line without a line break is a record too; a file ending with a break adds none.
  if (cell !== '' || cells.length > 0 || (n > 0 && !/[\r\n]$/.test(text))) endRecord();
  return { ok: true, separator, records };
}

// ---------------------------------------------------------------------------------------------------
// Columns

/** Lower case, no accents, no spaces or punctuation: "N° de dossier" -> "ndedossier". */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

export interface ColumnResolution {
  /** Field -> index of its column. */
  indexes: Partial<Record<ImportField, number>>;
  /** Field -> the header text as written in the file. */
  columns: Partial<Record<ImportField, string>>;
  /** Headers that map to no field: their cells are not imported. */
  ignored: string[];
  errors: string[];
}

export function resolveColumns(header: string[], mapping: ColumnMapping = {}): ColumnResolution {
  const indexes: Partial<Record<ImportField, number>> = {};
  const columns: Partial<Record<ImportField, string>> = {};
  const errors: string[] = [];
  const normalized = header.map((h) => normalizeHeader(h.normalize('NFC')));
  const taken = new Set<number>();
  let idMappingFailed = false;
  // Explicit mapping first, so that it can claim a header that a default would otherwise take.
  for (const field of IMPORT_FIELDS) {
    const wanted = mapping[field];
    if (wanted === undefined) continue;
    const index = normalized.indexOf(normalizeHeader(wanted.normalize('NFC')));
    if (index < 0 || taken.has(index)) {
      errors.push(
        index < 0
          ? `the mapping names column "${wanted}" for ${field}, but the header has none`
          : `the mapping gives column "${wanted}" to two fields`,
      );
      if (field === 'id') idMappingFailed = true;
    } else {
      indexes[field] = index;
      taken.add(index);
    }
  }
  for (const field of IMPORT_FIELDS) {
    if (mapping[field] !== undefined) continue;
    const matches = normalized
      .map((name, index) => ({ name, index }))
      .filter(({ name, index }) => !taken.has(index) && DEFAULT_HEADERS[field].includes(name));
    if (matches.length > 1) {
      errors.push(
        `several columns could be ${field} (${matches.map((m) => `"${header[m.index]}"`).join(', ')}): name one in the mapping`,
      );
      continue;
    }
    const match = matches[0];
    if (match) {
      indexes[field] = match.index;
      taken.add(match.index);
    }
  }
  if (indexes.id === undefined && !idMappingFailed) {
    errors.push(
      `no patient id column: name one "id", "identifiant" or "numéro dossier", or map it (header: ${header
        .map((h) => `"${h}"`)
        .join(', ')})`,
    );
  }
  for (const [field, index] of Object.entries(indexes) as [ImportField, number][]) {
    columns[field] = header[index] ?? '';
  }
  const ignored = header.filter((h, index) => !taken.has(index) && h.trim() !== '');
  return { indexes, columns, ignored, errors };
}

// ---------------------------------------------------------------------------------------------------
// Values

export interface ImportDate {
  /** The instant, ISO 8601 UTC. A date without a time is taken as noon, practice time. */
  at: string;
  /** The practice-local date `yyyy-MM-dd`. */
  date: string;
  hasTime: boolean;
}

const DATE_FORMATS_TEXT = 'yyyy-MM-dd, dd/MM/yyyy (optionally with HH:mm) or an ISO 8601 date-time';

/**
 * Dates as practices write them: `yyyy-MM-dd`, `dd/MM/yyyy` (also with `.` or `-`), either optionally
 * followed by `HH:mm[:ss]`, or an ISO 8601 date-time with or without offset. Without an offset the time
 * is the practice's local time. Day-first only: `03/11/2026` is 3 November.
 */
export function parseImportDate(raw: string, timeZone: string): ImportDate | null {
  const text = raw.trim();
  let parts: RegExpExecArray | null = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](.+))?$/.exec(text);
  let year: string | undefined;
  let month: string | undefined;
  let day: string | undefined;
  let rest: string | undefined;
  if (parts) [, year, month, day, rest] = parts;
  else {
    parts = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?: (.+))?$/.exec(text);
    if (!parts) return null;
    [, day, , month, year, rest] = parts;
  }
  let hour = 12;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let offset: string | null = null;
  if (rest !== undefined) {
    const time = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(rest);
    if (!time) return null;
    hour = Number(time[1]);
    minute = Number(time[2]);
    second = Number(time[3] ?? 0);
    millisecond = Number((time[4] ?? '0').padEnd(3, '0').slice(0, 3));
    offset = time[5] ?? null;
  }
  const fields = { year: Number(year), month: Number(month), day: Number(day), hour, minute, second };
  let dt: DateTime;
  if (offset) {
    const zone =
      offset.toUpperCase() === 'Z'
        ? 'UTC'
        : `UTC${offset.slice(0, 3)}${offset.length > 3 ? `:${offset.slice(-2)}` : ''}`;
    dt = DateTime.fromObject({ ...fields, millisecond }, { zone });
  } else {
    dt = DateTime.fromObject({ ...fields, millisecond }, { zone: timeZone });
  }
  // fromObject is invalid for 31 February, hour 25 and the like; the fields must also survive (no rollover).
  if (!dt.isValid || dt.year !== fields.year || dt.month !== fields.month || dt.day !== fields.day)
    return null;
  if (fields.year < 1900 || fields.year > 2200) return null;
  const local = dt.setZone(timeZone);
  return {
    at: dt.toUTC().toISO() ?? '',
    date: local.toISODate() ?? '',
    hasTime: rest !== undefined,
  };
}

/** Own keys only: a cell saying "constructor" must not find Object.prototype's. */
function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Accent- and case-insensitive key of a free value: "Plan terminé" -> "plan_termine". */
function valueKey(raw: string): string {
  return raw
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Language names as a "Langue" column often holds them; anything else must be a language tag. */
const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  francais: 'fr',
  french: 'fr',
  anglais: 'en',
  english: 'en',
};

const CONSENT_VALUES: Readonly<Record<string, boolean>> = {
  oui: true,
  yes: true,
  true: true,
  vrai: true,
  y: true,
  o: true,
  '1': true,
  non: false,
  no: false,
  false: false,
  faux: false,
  n: false,
  '0': false,
};

const CARE_STATUS_VALUES: Readonly<Record<string, CareStatus>> = {
  in_care: 'in_care',
  en_cours: 'in_care',
  en_soins: 'in_care',
  suivi: 'in_care',
  en_suivi: 'in_care',
  actif: 'in_care',
  active: 'in_care',
  plan_completed: 'plan_completed',
  plan_termine: 'plan_completed',
  termine: 'plan_completed',
  completed: 'plan_completed',
  discharged: 'discharged',
  sorti: 'discharged',
  sortie: 'discharged',
  cloture: 'discharged',
  clos: 'discharged',
  fin_de_suivi: 'discharged',
  closed: 'discharged',
};

const CONTACT_PREFERENCE_VALUES: Readonly<Record<string, ContactPreference>> = {
  default: 'default',
  defaut: 'default',
  par_defaut: 'default',
  standard: 'default',
  direct: 'direct',
  directe: 'direct',
};

// ---------------------------------------------------------------------------------------------------
// Lines

export interface ImportTherapist {
  id: string;
  displayName: string;
}

export interface ImportContext {
  /** The practice's IANA time zone: dates without an offset are local times there. */
  timeZone: string;
  /** Decides "in the future" for a last visit. */
  now: Date;
  /** The practice's therapists: a therapist cell holds an id or a display name of one of them. */
  therapists: readonly ImportTherapist[];
}

/** A valid line as canonical data: present cells only; an empty cell leaves the stored value alone. */
export interface ImportedPatient {
  id: string;
  firstName?: string;
  email?: string;
  locale?: Locale | null;
  therapistId?: string;
  emailConsent?: boolean;
  careStatus?: CareStatus;
  contactPreference?: ContactPreference;
  focusArea?: string;
  /** A completed appointment on that date. */
  lastVisitAt?: ImportDate;
  /** A booked appointment at that time. */
  nextBookingAt?: ImportDate;
}

export interface LineError {
  field: ImportField | null;
  /** The header of the column at fault, as written in the file. */
  column: string | null;
  message: string;
}

export interface ImportLine {
  line: number;
  /** The id cell when it is readable, even on an invalid line (to find it in the file). */
  patientId: string | null;
  patient: ImportedPatient | null;
  errors: LineError[];
}

export interface ImportFileOptions {
  separator?: CsvSeparator;
  mapping?: ColumnMapping;
}

export interface ValidatedImport {
  separator: CsvSeparator;
  columns: Partial<Record<ImportField, string>>;
  ignoredColumns: string[];
  /** Problems with the file as a whole (no id column, unclosed quote...): no line can be imported. */
  fileErrors: { line: number | null; message: string }[];
  /** Data lines in file order; empty lines are not listed. */
  lines: ImportLine[];
}

/** Parses, maps and validates a whole file; every problem is reported, none stops the others. */
export function validateImportFile(
  text: string,
  context: ImportContext,
  options: ImportFileOptions = {},
): ValidatedImport {
  const parsed = parseCsv(text, options.separator);
  const empty = (separator: CsvSeparator, message: string, line: number | null): ValidatedImport => ({
    separator,
    columns: {},
    ignoredColumns: [],
    fileErrors: [{ line, message }],
    lines: [],
  });
  if (!parsed.ok) return empty(options.separator ?? detectSeparator(text), parsed.message, parsed.line);
  const records = parsed.records.filter((record) => !isBlank(record.cells));
  const [headerRecord, ...dataRecords] = records;
  if (!headerRecord) return empty(parsed.separator, 'the file is empty: a header line is expected', null);
  const header = headerRecord.cells.map((h) => h.normalize('NFC').trim());
  const resolution = resolveColumns(header, options.mapping);
  const result: ValidatedImport = {
    separator: parsed.separator,
    columns: resolution.columns,
    ignoredColumns: resolution.ignored,
    fileErrors: resolution.errors.map((message) => ({ line: headerRecord.line, message })),
    lines: [],
  };
  if (dataRecords.length === 0) {
    result.fileErrors.push({ line: null, message: 'the file has a header but no patient line' });
  }
  if (dataRecords.length > MAX_IMPORT_LINES) {
    result.fileErrors.push({
      line: null,
      message: `the file has ${dataRecords.length} lines; split it into files of at most ${MAX_IMPORT_LINES}`,
    });
  }
  if (result.fileErrors.length > 0) return result;

  const therapists = therapistIndex(context.therapists);
  const today = DateTime.fromJSDate(context.now, { zone: context.timeZone }).toISODate() ?? '';
  const read = dataRecords.map((record) =>
    readLine(record, header, resolution, context.timeZone, today, therapists),
  );
  result.lines = read.map((r) => r.line);
  // Keys come from the cells, so that a line invalid for another reason still shows its twin.
  markDuplicates(
    result.lines,
    'id',
    read.map((r) => r.line.patientId),
    resolution.columns.id ?? null,
  );
  markDuplicates(
    result.lines,
    'email',
    read.map((r) => r.emailKey),
    resolution.columns.email ?? null,
  );
  return result;
}

function isBlank(cells: string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}

interface TherapistIndex {
  ids: Set<string>;
  /** Normalized display name -> the ids carrying it (two therapists may share a name). */
  names: Map<string, string[]>;
}

function therapistIndex(therapists: readonly ImportTherapist[]): TherapistIndex {
  const names = new Map<string, string[]>();
  for (const t of therapists) {
    const key = normalizeHeader(t.displayName);
    names.set(key, [...(names.get(key) ?? []), t.id]);
  }
  return { ids: new Set(therapists.map((t) => t.id)), names };
}

function readLine(
  record: CsvRecord,
  header: string[],
  resolution: ColumnResolution,
  timeZone: string,
  today: string,
  therapists: TherapistIndex,
): { line: ImportLine; emailKey: string | null } {
  const errors: LineError[] = [];
  const columnOf = (field: ImportField) => resolution.columns[field] ?? null;
  const cellOf = (field: ImportField): string | undefined => {
    const index = resolution.indexes[field];
    if (index === undefined) return undefined;
    const value = (record.cells[index] ?? '').normalize('NFC').trim();
    return value === '' ? undefined : value;
  };
  const fail = (field: ImportField | null, message: string) =>
    errors.push({ field, column: field ? columnOf(field) : null, message });

  if (record.error) fail(null, record.error);
  const extra = record.cells.slice(header.length).filter((cell) => cell.trim() !== '');
  if (extra.length > 0) {
    fail(null, `has ${record.cells.length} cells but the header has ${header.length} columns`);
  }

  const id = cellOf('id');
  if (id === undefined) fail('id', 'is required');

  // Cells that need reading before the shared schema sees them.
  const input: Record<string, unknown> = { id: id ?? '' };
  for (const field of ['firstName', 'email', 'focusArea'] as const) {
    const value = cellOf(field);
    if (value !== undefined) input[field] = value;
  }
  const locale = cellOf('locale');
  if (locale !== undefined) input.locale = lookup(LANGUAGE_NAMES, valueKey(locale)) ?? locale;
  const consent = cellOf('emailConsent');
  if (consent !== undefined) {
    const granted = lookup(CONSENT_VALUES, valueKey(consent));
    if (granted === undefined) fail('emailConsent', 'must be oui/non, yes/no, true/false or 1/0');
    else input.emailConsent = granted;
  }
  const status = cellOf('careStatus');
  if (status !== undefined) {
    const careStatus = lookup(CARE_STATUS_VALUES, valueKey(status));
    if (!careStatus)
      fail('careStatus', 'must be in_care (en cours), plan_completed (terminé) or discharged (sorti)');
    else input.careStatus = careStatus;
  }
  const preference = cellOf('contactPreference');
  if (preference !== undefined) {
    const contactPreference = lookup(CONTACT_PREFERENCE_VALUES, valueKey(preference));
    if (!contactPreference) fail('contactPreference', 'must be default or direct');
    else input.contactPreference = contactPreference;
  }
  const therapist = cellOf('therapistId');
  if (therapist !== undefined) {
    const resolved = resolveTherapist(therapist, therapists);
    if (resolved.ok) input.therapistId = resolved.id;
    else fail('therapistId', resolved.message);
  }

  const patient: ImportedPatient = { id: id ?? '' };
  const parsed = patientSchema.safeParse(input);
  if (!parsed.success) {
    for (const problem of fieldProblems(parsed.error)) {
      const field = IMPORT_FIELDS.find((f) => problem.field === f || problem.field.startsWith(`${f}.`));
      // The id's own "is required" is already reported above.
      if (field === 'id' && id === undefined) continue;
      fail(field ?? null, problem.message);
    }
  } else {
    const v = parsed.data;
    if (v.firstName) patient.firstName = v.firstName;
    if (v.email) patient.email = v.email.trim();
    if (v.locale !== undefined) patient.locale = v.locale;
    if (v.therapistId) patient.therapistId = v.therapistId;
    if (v.emailConsent) patient.emailConsent = v.emailConsent.granted;
    if (v.careStatus) patient.careStatus = v.careStatus;
    if (v.contactPreference) patient.contactPreference = v.contactPreference;
    if (v.focusArea) patient.focusArea = v.focusArea;
  }

  for (const field of ['lastVisitAt', 'nextBookingAt'] as const) {
    const raw = cellOf(field);
    if (raw === undefined) continue;
    const date = parseImportDate(raw, timeZone);
    if (!date) fail(field, `is not a date: use ${DATE_FORMATS_TEXT}`);
    else if (field === 'lastVisitAt' && date.date > today) fail(field, 'is in the future');
    else patient[field] = date;
  }

  // In the order of the columns, as the user reads the line; line-wide problems first (duplicates, found
  // across lines, come after).
  const order = (e: LineError) => (e.field === null ? -1 : (resolution.indexes[e.field] ?? header.length));
  errors.sort((a, b) => order(a) - order(b));
  return {
    line: { line: record.line, patientId: id ?? null, patient: errors.length === 0 ? patient : null, errors },
    emailKey: cellOf('email')?.toLowerCase() ?? null,
  };
}

function resolveTherapist(
  value: string,
  therapists: TherapistIndex,
): { ok: true; id: string } | { ok: false; message: string } {
  if (therapists.ids.has(value)) return { ok: true, id: value };
  const byName = therapists.names.get(normalizeHeader(value)) ?? [];
  if (byName.length === 1 && byName[0]) return { ok: true, id: byName[0] };
  if (byName.length > 1) {
    return { ok: false, message: `"${value}" names several therapists: use the therapist id` };
  }
  return { ok: false, message: `"${value}" is not a therapist of this practice (give an id or a name)` };
}

/** Every line sharing a key with another line gets an error naming the other lines. */
function markDuplicates(
  lines: ImportLine[],
  field: ImportField,
  keys: (string | null)[],
  column: string | null,
): void {
  const byKey = new Map<string, ImportLine[]>();
  lines.forEach((line, index) => {
    const key = keys[index];
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), line]);
  });
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    for (const line of group) {
      const others = group.filter((other) => other !== line).map((other) => other.line);
      line.errors.push({
        field,
        column,
        message: `the same ${field === 'id' ? 'patient id' : 'email address'} is on line${others.length > 1 ? 's' : ''} ${others.join(', ')}`,
      });
      line.patient = null;
    }
  }
}
