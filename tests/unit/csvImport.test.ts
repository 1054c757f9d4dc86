// The patient import file: CSV reading, column recognition, value rules and every invalid kind, by line;
// then what a line changes, and what the CLI prints.
import { describe, expect, it } from 'vitest';
import { formatSummary, ProgressReporter } from '../../cli/src/output';
import { changesOf } from '../../functions/src/app/importPatients';
import {
  decodeCsv,
  detectSeparator,
  type ImportContext,
  normalizeHeader,
  parseCsv,
  parseImportDate,
  validateImportFile,
} from '../../functions/src/core/csvImport';
import { anAppointment, aPatient, aPractice } from '../support/builders';

const context: ImportContext = {
  timeZone: 'Europe/Paris',
  now: new Date('2026-12-01T10:00:00Z'),
  therapists: [
    { id: 'th_1', displayName: 'Dr Léa Martin' },
    { id: 'th_2', displayName: 'Bruno Adam' },
    { id: 'th_3', displayName: 'Sam Roy' },
    { id: 'th_4', displayName: 'Sam Roy' },
  ],
};

const validate = (text: string, options = {}) => validateImportFile(text, context, options);

describe('reading CSV (RFC 4180)', () => {
  it('detects the separator from the header line, outside quotes', () => {
    expect(detectSeparator('id;prénom;email\n1,2,3,4,5,6\n')).toBe(';');
    expect(detectSeparator('id,prénom,email\n')).toBe(',');
    // Two `;` inside the quoted header, one `,` outside.
    expect(detectSeparator('"a;b;c",d\n')).toBe(',');
    expect(detectSeparator('id\n')).toBe(',');
  });

  it('reads quoted fields holding separators, doubled quotes and line breaks, counting lines', () => {
    const text = 'id;note;x\r\n1;"a; ""b""\r\nc\nd";z\r\n2;plain;"";\r\n';
    const parsed = parseCsv(text);
    expect(parsed).toEqual({
      ok: true,
      separator: ';',
      records: [
        { line: 1, cells: ['id', 'note', 'x'], error: null },
        { line: 2, cells: ['1', 'a; "b"\r\nc\nd', 'z'], error: null },
        // The quoted field took lines 2 to 4: the next record starts on line 5.
        { line: 5, cells: ['2', 'plain', '', ''], error: null },
      ],
    });
  });

  it('takes LF, CRLF and lone CR alike, and a last line without a break', () => {
    const parsed = parseCsv('a,b\n1,2\r\n3,4\r5,6');
    expect(parsed.ok && parsed.records.map((r) => [r.line, r.cells])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
      [3, ['3', '4']],
      [4, ['5', '6']],
    ]);
  });

  it('drops a BOM, in text and in bytes', () => {
    const parsed = parseCsv('\ufeffid,name\n');
    expect(parsed.ok && parsed.records[0]?.cells).toEqual(['id', 'name']);
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('id;prénom\n', 'utf8')]);
    expect(decodeCsv(bytes)).toEqual({ text: 'id;prénom\n', encoding: 'utf-8' });
  });

  it('reads a file that is not UTF-8 as Windows-1252 (French Excel)', () => {
    // "Prénom;Zoé" in Windows-1252: é is the single byte 0xE9.
    const bytes = new Uint8Array([
      ...Buffer.from('Pr', 'latin1'),
      0xe9,
      ...Buffer.from('nom;Zo', 'latin1'),
      0xe9,
    ]);
    expect(decodeCsv(bytes)).toEqual({ text: 'Prénom;Zoé', encoding: 'windows-1252' });
  });

  it('fails the whole file on a quote that is never closed, naming the line it opened on', () => {
    expect(parseCsv('id;name\n1;ok\n2;"never closed\n3;x\n')).toEqual({
      ok: false,
      line: 3,
      message: 'a quoted field is never closed',
    });
  });

  it('flags text after a closing quote on its record only', () => {
    const parsed = parseCsv('id,name\n1,"Zo"é\n2,ok\n');
    expect(parsed.ok && parsed.records.map((r) => [r.line, r.error !== null])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
  });
});

describe('columns', () => {
  it('recognises French headers whatever their accents, case, spacing and Unicode form', () => {
    // "Prénom" written decomposed (NFD: e + combining acute), as some Mac exports do.
    const header =
      'N° dossier;Pre\u0301nom;E-mail;Langue;THÉRAPEUTE;Consentement;Statut;Dernière visite;Prochain RDV;Domaine;Préférence de contact';
    const result = validate(`${header}\n1;Zoé;zoe@example.org;fr;th_1;oui;en cours;2026-11-03;;;\n`);
    expect(result.fileErrors).toEqual([]);
    expect(Object.keys(result.columns)).toEqual([
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
    ]);
    expect(result.columns.firstName).toBe('Prénom');
    expect(normalizeHeader('N° de dossier')).toBe('ndedossier');
  });

  it('recognises English headers and lists the columns it does not import', () => {
    const result = validate('ID,First name,Email,Therapist,Consent,Last visit,Next appointment,Diagnosis\n');
    expect(result.columns).toMatchObject({
      id: 'ID',
      firstName: 'First name',
      email: 'Email',
      therapistId: 'Therapist',
      emailConsent: 'Consent',
      lastVisitAt: 'Last visit',
      nextBookingAt: 'Next appointment',
    });
    expect(result.ignoredColumns).toEqual(['Diagnosis']);
  });

  it('lets a mapping name the columns, over the defaults', () => {
    const result = validate('Ref;Given;Courriel;Mail perso\nA1;Zoé;old@example.org;zoe@example.org\n', {
      mapping: { id: 'Ref', firstName: 'given', email: 'Mail perso' },
    });
    expect(result.fileErrors).toEqual([]);
    expect(result.columns).toEqual({ id: 'Ref', firstName: 'Given', email: 'Mail perso' });
    expect(result.ignoredColumns).toEqual(['Courriel']);
    expect(result.lines[0]?.patient).toEqual({ id: 'A1', firstName: 'Zoé', email: 'zoe@example.org' });
  });

  it.each([
    ['no id column', 'prénom;email\nZoé;z@example.org\n', /no patient id column/],
    [
      'two columns for one field',
      'id;email;courriel\n1;a@example.org;b@example.org\n',
      /several columns could be email/,
    ],
    ['a mapping to a missing column', 'id;prénom\n1;Zoé\n', /names column "Nom" for firstName/],
    ['a header and no line', 'id;prénom\r\n\r\n', /no patient line/],
    ['an empty file', '\ufeff\r\n', /the file is empty/],
  ])('refuses the whole file for %s', (_name, text, message) => {
    const result = validate(text, _name.startsWith('a mapping') ? { mapping: { firstName: 'Nom' } } : {});
    expect(result.fileErrors.map((e) => e.message)).toEqual([expect.stringMatching(message)]);
    expect(result.lines).toEqual([]);
  });
});

describe('dates', () => {
  it('reads yyyy-MM-dd, dd/MM/yyyy and ISO date-times, a date alone being noon in the practice zone', () => {
    // 3 Nov 2026 is winter time in Paris (UTC+1): noon is 11:00 UTC.
    expect(parseImportDate('2026-11-03', 'Europe/Paris')).toEqual({
      at: '2026-11-03T11:00:00.000Z',
      date: '2026-11-03',
      hasTime: false,
    });
    expect(parseImportDate('03/11/2026', 'Europe/Paris')?.at).toBe('2026-11-03T11:00:00.000Z');
    expect(parseImportDate('3.11.2026', 'Europe/Paris')?.at).toBe('2026-11-03T11:00:00.000Z');
    expect(parseImportDate('2026-11-03T10:00:00+01:00', 'Europe/Paris')?.at).toBe('2026-11-03T09:00:00.000Z');
    expect(parseImportDate('2026-11-03T23:30:00Z', 'Europe/Paris')).toEqual({
      at: '2026-11-03T23:30:00.000Z',
      // 23:30 UTC is already 4 November in Paris.
      date: '2026-11-04',
      hasTime: true,
    });
    // Local times: summer time (UTC+2) in July.
    expect(parseImportDate('14/07/2026 09:05', 'Europe/Paris')?.at).toBe('2026-07-14T07:05:00.000Z');
    expect(parseImportDate('2026-07-14 09:05', 'Europe/Paris')?.at).toBe('2026-07-14T07:05:00.000Z');
  });

  it.each([
    '31/02/2026',
    '2026-02-29',
    '13/13/2026',
    '45231',
    '11/3/26',
    '2026-11-03T25:00',
    'demain',
    '2026-11-03T10:00+1',
  ])('refuses %s', (raw) => {
    expect(parseImportDate(raw, 'Europe/Paris')).toBeNull();
  });
});

describe('lines', () => {
  const header =
    'Identifiant;Prénom;Courriel;Langue;Thérapeute;Consentement;Statut;Dernière visite;Prochain RDV';

  it('turns a valid line into a canonical patient, accents in NFC', () => {
    const result = validate(
      `${header}\r\npat_1;Ce\u0301line;celine@example.org;Français;dr lea MARTIN;Oui;plan terminé;03/11/2026;2027-01-10T14:00:00+01:00\r\n`,
    );
    expect(result.lines).toEqual([
      {
        line: 2,
        patientId: 'pat_1',
        errors: [],
        patient: {
          id: 'pat_1',
          firstName: 'Céline',
          email: 'celine@example.org',
          locale: 'fr',
          therapistId: 'th_1',
          emailConsent: true,
          careStatus: 'plan_completed',
          lastVisitAt: { at: '2026-11-03T11:00:00.000Z', date: '2026-11-03', hasTime: false },
          nextBookingAt: { at: '2027-01-10T13:00:00.000Z', date: '2027-01-10', hasTime: true },
        },
      },
    ]);
    expect(result.lines[0]?.patient?.firstName).toBe('C\u00e9line');
  });

  it('reads consent as oui/non, yes/no, true/false and 1/0', () => {
    const values = ['oui', 'NON', 'yes', 'no', 'true', 'False', '1', '0'];
    const text = `id;consentement\n${values.map((v, i) => `p${i};${v}`).join('\n')}\n`;
    expect(validate(text).lines.map((l) => l.patient?.emailConsent)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
  });

  it('leaves out empty cells (an import never erases) and skips empty lines, keeping line numbers', () => {
    const result = validate(`${header}\n\np1;;;;;;;;\n;;;;;;;;\r\n  \np2;Zoé;;;;;;;\n`);
    expect(result.lines.map((l) => [l.line, l.patient])).toEqual([
      [3, { id: 'p1' }],
      [6, { id: 'p2', firstName: 'Zoé' }],
    ]);
  });

  it('reports every invalid kind with its line and column, and checks the other lines all the same', () => {
    const text = [
      header,
      'p1;Zoé;zoe@example.org;fr;th_1;oui;en cours;2026-11-03;', // 2: valid
      'p2;Ana;not-an-email;fr;th_1;oui;;;', // 3: bad email
      'p3;Léo;leo@example.org;fr;Dr House;oui;;;', // 4: unknown therapist
      'p4;Max;max@example.org;fr;Sam Roy;oui;;;', // 5: a name two therapists share
      'p5;Eva;eva@example.org;fr;th_2;peut-être;;;', // 6: bad consent
      'p6;Tom;tom@example.org;fr;th_2;oui;;31/02/2026;', // 7: bad date
      'p7;Kim;kim@example.org;fr;th_2;oui;;2026-12-02;', // 8: last visit after today (1 Dec)
      'p8;Lou;lou@example.org;fr;th_2;oui;pause;;', // 9: bad status
      ';Noa;noa@example.org;fr;th_2;oui;;;', // 10: no id
      'p 9;Gil;gil@example.org;fr;th_2;oui;;;', // 11: id with a space
      'p10;Ada;ada@example.org;de-DE-x-very-long-private-tag-!;th_2;oui;;;', // 12: bad locale
      'p11;Bob;bob@example.org;fr;th_2;oui;;;;extra', // 13: a cell beyond the header
    ].join('\n');
    const result = validate(text);
    const invalid = result.lines
      .filter((l) => l.errors.length > 0)
      .map((l) => [l.line, l.patientId, l.errors.map((e) => [e.field, e.column])]);
    expect(invalid).toEqual([
      [3, 'p2', [['email', 'Courriel']]],
      [4, 'p3', [['therapistId', 'Thérapeute']]],
      [5, 'p4', [['therapistId', 'Thérapeute']]],
      [6, 'p5', [['emailConsent', 'Consentement']]],
      [7, 'p6', [['lastVisitAt', 'Dernière visite']]],
      [8, 'p7', [['lastVisitAt', 'Dernière visite']]],
      [9, 'p8', [['careStatus', 'Statut']]],
      [10, null, [['id', 'Identifiant']]],
      [11, 'p 9', [['id', 'Identifiant']]],
      [12, 'p10', [['locale', 'Langue']]],
      [13, 'p11', [[null, null]]],
    ]);
    const messages = result.lines.flatMap((l) => l.errors.map((e) => e.message));
    expect(messages).toContain('must be a valid email address');
    expect(messages).toContain('"Sam Roy" names several therapists: use the therapist id');
    expect(messages).toContain('is in the future');
    expect(messages).toContain('has 10 cells but the header has 9 columns');
    // The error never repeats the address it refused.
    expect(JSON.stringify(result.lines)).not.toMatch(/not-an-email"/);
    expect(result.lines[0]?.patient?.id).toBe('p1');
    expect(result.lines.filter((l) => l.patient !== null)).toHaveLength(1);
  });

  it('does not take names of Object.prototype for known values', () => {
    const result = validate('id;consentement;statut;langue\np1;constructor;toString;__proto__\n');
    expect(result.lines[0]?.errors.map((e) => [e.field, e.message])).toEqual([
      ['emailConsent', 'must be oui/non, yes/no, true/false or 1/0'],
      ['careStatus', 'must be in_care (en cours), plan_completed (terminé) or discharged (sorti)'],
      ['locale', 'must be a language tag such as "fr" or "en-GB"'],
    ]);
  });

  it('marks every line of a duplicated id or email (case-insensitive), naming the other lines', () => {
    const text = [
      'id,email',
      'p1,a@example.org', // 2
      'p2,b@example.org', // 3
      'p1,c@example.org', // 4: same id as 2
      'p3,B@Example.org', // 5: same email as 3
      'p4,d@example.org', // 6
      'p1,e@example.org', // 7: same id as 2 and 4
    ].join('\r\n');
    const result = validate(text);
    expect(result.lines.map((l) => [l.line, l.errors.map((e) => e.message)])).toEqual([
      [2, ['the same patient id is on lines 4, 7']],
      [3, ['the same email address is on line 5']],
      [4, ['the same patient id is on lines 2, 7']],
      [5, ['the same email address is on line 3']],
      [6, []],
      [7, ['the same patient id is on lines 2, 4']],
    ]);
  });

  it('still reports the duplicate of a line that is invalid for another reason, after its own problems', () => {
    const result = validate('id;email;consentement\np1;z@example.org;peut-être\np2;Z@example.org;oui\n');
    expect(result.lines.map((l) => l.errors.map((e) => e.field))).toEqual([
      ['emailConsent', 'email'],
      ['email'],
    ]);
  });

  it('reads a quoted cell with the separator, quotes and a line break, then numbers the next line right', () => {
    const text = 'id;prénom;domaine\n"p1";"Zoé ""Zo"" ; Dupont";"anxiété\nsommeil"\np2;Ana;\n';
    const result = validate(text);
    expect(result.lines.map((l) => [l.line, l.patient])).toEqual([
      [2, { id: 'p1', firstName: 'Zoé "Zo" ; Dupont', focusArea: 'anxiété\nsommeil' }],
      [4, { id: 'p2', firstName: 'Ana' }],
    ]);
  });

  it('honours a separator given explicitly over detection', () => {
    // The header has one `;` inside a name and no `,`: detection would say `;`.
    const result = validate('id,"prénom;nom"\np1,Zoé\n', { separator: ',' });
    expect(result.separator).toBe(',');
    expect(result.lines[0]?.patient).toEqual({ id: 'p1' });
    expect(result.ignoredColumns).toEqual(['prénom;nom']);
  });
});

describe('what a line changes (changesOf)', () => {
  const practice = aPractice();
  const now = new Date('2026-12-01T10:00:00Z');
  const stored = aPatient({
    id: 'p1',
    firstName: 'Céline',
    email: 'celine@example.org',
    therapistId: 'th_1',
  });

  it('is unchanged when every given cell matches, the name compared in NFC', () => {
    const plan = changesOf(
      practice,
      { id: 'p1', firstName: 'Céline', email: 'celine@example.org', emailConsent: true },
      { ...stored, firstName: 'Ce\u0301line' },
      [],
      now,
    );
    expect(plan).toMatchObject({ action: 'unchanged', fields: [], events: [] });
  });

  it('sends only the changed profile fields, as one patient.upserted', () => {
    const plan = changesOf(
      practice,
      { id: 'p1', firstName: 'Céline', email: 'new@example.org', emailConsent: false },
      stored,
      [],
      now,
    );
    expect(plan.action).toBe('update');
    expect(plan.fields).toEqual(['email', 'emailConsent']);
    expect(plan.events).toHaveLength(1);
    expect(plan.events[0]).toMatchObject({
      type: 'patient.upserted',
      occurredAt: '2026-12-01T10:00:00.000Z',
      patient: {
        id: 'p1',
        email: 'new@example.org',
        emailConsent: { granted: false, at: null, source: 'import' },
      },
    });
    expect(plan.events[0]?.patient).not.toHaveProperty('firstName');
    expect(plan.events[0]?.id).toMatch(/^import:[0-9a-f]{40}$/);
  });

  it('adds a visit only when the last visit known is before that day', () => {
    const lastVisitAt = { at: '2026-11-03T11:00:00.000Z', date: '2026-11-03', hasTime: false };
    // 8:30 Paris on 3 Nov: the same day, earlier in it.
    const sameDay = changesOf(
      practice,
      { id: 'p1', lastVisitAt },
      { ...stored, lastVisitAt: '2026-11-03T07:30:00Z' },
      [],
      now,
    );
    expect(sameDay.action).toBe('unchanged');
    const later = changesOf(
      practice,
      { id: 'p1', lastVisitAt },
      { ...stored, lastVisitAt: '2026-11-20T10:00:00Z' },
      [],
      now,
    );
    expect(later.action).toBe('unchanged');
    const plan = changesOf(
      practice,
      { id: 'p1', lastVisitAt },
      { ...stored, lastVisitAt: '2026-10-01T07:30:00Z' },
      [],
      now,
    );
    expect(plan.fields).toEqual(['lastVisitAt']);
    expect(plan.events.map((e) => [e.type, e.appointment])).toEqual([
      [
        'appointment.completed',
        { id: 'import-visit-20261103', startsAt: '2026-11-03T11:00:00.000Z', therapistId: 'th_1' },
      ],
    ]);
  });

  it('books the next appointment and cancels a future booking an earlier import made', () => {
    const earlier = anAppointment({
      id: 'import-next-20270105T110000Z',
      patientId: 'p1',
      startsAt: '2027-01-05T11:00:00.000Z',
      status: 'booked',
    });
    const fromTool = anAppointment({
      id: 'apt_9',
      patientId: 'p1',
      startsAt: '2027-02-01T10:00:00Z',
      status: 'booked',
    });
    const plan = changesOf(
      practice,
      { id: 'p1', nextBookingAt: { at: '2027-01-10T13:00:00.000Z', date: '2027-01-10', hasTime: true } },
      { ...stored, nextBookingAt: '2027-01-05T11:00:00.000Z' },
      [earlier, fromTool],
      now,
    );
    expect(plan.fields).toEqual(['nextBookingAt']);
    expect(plan.events.map((e) => [e.type, e.appointment?.id])).toEqual([
      ['appointment.cancelled', 'import-next-20270105T110000Z'],
      ['appointment.booked', 'import-next-20270110T130000Z'],
    ]);
  });

  it('leaves a booking the patient already has that day alone, when the file gives a date only', () => {
    const plan = changesOf(
      practice,
      { id: 'p1', nextBookingAt: { at: '2027-01-10T11:00:00.000Z', date: '2027-01-10', hasTime: false } },
      // 17:45 Paris on 10 Jan, booked through the booking tool.
      { ...stored, nextBookingAt: '2027-01-10T16:45:00.000Z' },
      [],
      now,
    );
    expect(plan.action).toBe('unchanged');
  });

  it('creates a new patient from every given cell', () => {
    const plan = changesOf(practice, { id: 'p9', firstName: 'Zoé', locale: null }, null, [], now);
    expect(plan.action).toBe('create');
    expect(plan.events.map((e) => [e.type, e.patient])).toEqual([
      ['patient.upserted', { id: 'p9', firstName: 'Zoé', locale: null }],
    ]);
  });
});

describe('the CLI output', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return {
      written,
      stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream,
    };
  };

  it('on a pipe: a plain line every 1,000 rows and at the end of a phase', () => {
    const { written, stream: out } = stream(false);
    const progress = new ProgressReporter(out);
    for (let done = 1; done <= 2500; done++) progress.update({ phase: 'writing', done, total: 2500 });
    expect(written).toEqual([
      'Writing: 1,000/2,500 lines\n',
      'Writing: 2,000/2,500 lines\n',
      'Writing: 2,500/2,500 lines\n',
    ]);
  });

  it('on a terminal: a bar redrawn in place, finished with a line break', () => {
    const { written, stream: out } = stream(true);
    const progress = new ProgressReporter(out);
    progress.update({ phase: 'checking', done: 1, total: 4 });
    progress.update({ phase: 'checking', done: 4, total: 4 });
    // 1 of 4: 7.5 of 30 cells, rounded to 8.
    expect(written[0]).toBe(`\rChecking ${'█'.repeat(8)}${'░'.repeat(22)}  25%  1/4\x1b[K`);
    expect(written.slice(-2)).toEqual([`\rChecking ${'█'.repeat(30)} 100%  4/4\x1b[K`, '\n']);
  });

  it('lists the first ten invalid lines and counts the rest', () => {
    const lines = Array.from({ length: 12 }, (_, i) => ({
      line: i + 2,
      patientId: `p${i}`,
      action: 'invalid' as const,
      errors: [{ field: 'email' as const, column: 'Courriel', message: 'must be a valid email address' }],
    }));
    const text = formatSummary(
      {
        practiceId: 'prac_1',
        outcome: 'invalid',
        dryRun: false,
        encoding: 'utf-8',
        separator: ';',
        columns: { id: 'id', email: 'Courriel' },
        ignoredColumns: [],
        fileErrors: [],
        totals: { lines: 12, create: 0, update: 0, unchanged: 0, invalid: 12, suppressed: 0 },
        lines,
      },
      'patients.csv',
    );
    expect(text).toContain('12 lines: 0 to create, 0 to update, 0 unchanged, 12 invalid');
    expect(text).toContain('  line 2 (p0): Courriel: must be a valid email address');
    expect(text).toContain('  line 11 (p9): Courriel');
    expect(text).not.toContain('line 12 (p10)');
    expect(text).toContain('  ... and 2 more (--json lists them all)');
  });
});
