// Patients table: PK practiceId, RK patientId; plus the address index, pointer rows
// `~email|<addressHashOf(practice, email)>|<patient key>` in the same partition, so that a booking tool's
// attendee is matched to a patient by a RowKey range read, never a partition scan. A patient key never
// starts with `~e` (keyOf writes `~XX` in upper-case hex), so pointers and patients never mix.
import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { addressHashOf } from '../../core/ids';
import { LOCALES, type Patient } from '../../core/model';
import type { PatientStore, Versioned } from '../../core/ports';
import { EntityReader, json, type StoredProperties, toEntity } from './entityCodec';
import { boundedKey, checkedKey } from './keys';
import { guard } from './storageErrors';
import { TableOperations } from './TableOperations';

const EMAIL_INDEX_PREFIX = '~email|';
/** Every pointer key is `>= '~email|'` and `< '~email}'` (`}` follows `|`). */
const EMAIL_INDEX_END = '~email}';

const CARE_STATUSES = ['in_care', 'plan_completed', 'discharged'] as const;
const CONTACT_PREFERENCES = ['default', 'direct'] as const;

export function patientToEntity(table: string, patient: Patient): TableEntity<StoredProperties> {
  return toEntity(
    table,
    checkedKey(patient.practiceId, 'practice id'),
    checkedKey(patient.id, 'patient id'),
    {
      practiceId: patient.practiceId,
      id: patient.id,
      firstName: patient.firstName,
      email: patient.email,
      locale: patient.locale,
      therapistId: patient.therapistId,
      emailConsent: json(patient.emailConsent),
      careStatus: patient.careStatus,
      contactPreference: patient.contactPreference,
      pausedUntil: patient.pausedUntil,
      focusArea: patient.focusArea,
      progressNote: patient.progressNote,
      plan: json(patient.plan),
      lastVisitAt: patient.lastVisitAt,
      nextBookingAt: patient.nextBookingAt,
      episode: json(patient.episode),
      suppressed: patient.suppressed,
      // The caller keeps this to the last 365 days; toEntity refuses a property that outgrows the table limit.
      touchLog: json(patient.touchLog),
      lastBookedAt: patient.lastBookedAt,
      lastAnsweredAt: patient.lastAnsweredAt,
      profileEventAt: patient.profileEventAt,
      dueDay: patient.dueDay,
      createdAt: patient.createdAt,
      updatedAt: patient.updatedAt,
    },
  );
}

export function patientFromEntity(table: string, entity: Record<string, unknown>): Patient {
  const r = new EntityReader(entity, table);
  return {
    practiceId: r.string('practiceId'),
    id: r.string('id'),
    firstName: r.optionalString('firstName'),
    email: r.optionalString('email'),
    locale: r.optionalOneOf('locale', LOCALES),
    therapistId: r.optionalString('therapistId'),
    emailConsent: r.json('emailConsent'),
    careStatus: r.oneOf('careStatus', CARE_STATUSES),
    contactPreference: r.oneOf('contactPreference', CONTACT_PREFERENCES),
    pausedUntil: r.optionalString('pausedUntil'),
    focusArea: r.optionalString('focusArea'),
    progressNote: r.optionalString('progressNote'),
    plan: r.optionalJson('plan'),
    lastVisitAt: r.optionalString('lastVisitAt'),
    nextBookingAt: r.optionalString('nextBookingAt'),
    episode: r.optionalJson('episode'),
    suppressed: r.boolean('suppressed'),
    touchLog: r.optionalJson('touchLog') ?? [],
    lastBookedAt: r.optionalString('lastBookedAt'),
    lastAnsweredAt: r.optionalString('lastAnsweredAt'),
    profileEventAt: r.optionalString('profileEventAt'),
    dueDay: r.optionalString('dueDay'),
    createdAt: r.string('createdAt'),
    updatedAt: r.string('updatedAt'),
  };
}

export class TablePatientStore implements PatientStore {
  private readonly patients: TableOperations;

  constructor(patientsTable: TableClient) {
    this.patients = new TableOperations(patientsTable);
  }

  async getPatient(practiceId: string, patientId: string): Promise<Versioned<Patient> | null> {
    const row = await this.patients.get(
      checkedKey(practiceId, 'practice id'),
      checkedKey(patientId, 'patient id'),
    );
    return row && { value: patientFromEntity(this.patients.table, row.entity), etag: row.etag };
  }

  async createPatient(patient: Patient): Promise<string> {
    const entity = patientToEntity(this.patients.table, patient);
    const pointer = this.emailPointerOf(patient);
    if (!pointer) return this.patients.create(entity);
    return this.submit('create', [
      ['create', entity],
      ['upsert', pointer, 'Replace'],
    ]);
  }

  async updatePatient(patient: Patient, etag: string): Promise<string> {
    const entity = patientToEntity(this.patients.table, patient);
    const pointer = this.emailPointerOf(patient);
    if (!pointer) return this.patients.replace(entity, etag);
    // The pointer is rewritten with every update (one atomic round trip) rather than read first: after a
    // change of address the old pointer stays, harmless, since a lookup checks the patient's address.
    return this.submit('update', [
      ['update', entity, 'Replace', { etag }],
      ['upsert', pointer, 'Replace'],
    ]);
  }

  async deletePatient(practiceId: string, patientId: string): Promise<void> {
    const partition = checkedKey(practiceId, 'practice id');
    // The patient goes first: a crash in between leaves pointers to nobody, which lookups skip.
    await this.patients.delete(partition, checkedKey(patientId, 'patient id'));
    // Then every pointer to them, including those an address change left behind, so that an erased patient
    // leaves no address hash tied to their id. A read of the index range, on deletes only.
    const pointers = this.patients.query(
      odata`PartitionKey eq ${partition} and RowKey ge ${EMAIL_INDEX_PREFIX} and RowKey lt ${EMAIL_INDEX_END} and patientId eq ${patientId}`,
    );
    for await (const pointer of pointers) {
      if (typeof pointer.rowKey === 'string') await this.patients.delete(partition, pointer.rowKey);
    }
  }

  async *listPatients(practiceId: string): AsyncIterable<Patient> {
    const partition = checkedKey(practiceId, 'practice id');
    const filter = odata`PartitionKey eq ${partition} and (RowKey lt ${EMAIL_INDEX_PREFIX} or RowKey ge ${EMAIL_INDEX_END})`;
    for await (const entity of this.patients.query(filter)) {
      yield patientFromEntity(this.patients.table, entity);
    }
  }

  async findPatientIdByEmail(practiceId: string, email: string): Promise<string | null> {
    const address = email.trim().toLowerCase();
    if (!address) return null;
    const partition = checkedKey(practiceId, 'practice id');
    const prefix = `${EMAIL_INDEX_PREFIX}${addressHashOf(practiceId, address)}`;
    const matches: Patient[] = [];
    const pointers = this.patients.query(
      odata`PartitionKey eq ${partition} and RowKey ge ${`${prefix}|`} and RowKey lt ${`${prefix}}`}`,
    );
    for await (const pointer of pointers) {
      if (typeof pointer.patientId !== 'string') continue;
      // A pointer left by an address change or an interrupted delete points at someone else, or nobody.
      const patient = await this.getPatient(practiceId, pointer.patientId);
      if (patient?.value.email?.trim().toLowerCase() === address) matches.push(patient.value);
    }
    matches.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return matches[0]?.id ?? null;
  }

  private emailPointerOf(patient: Patient): TableEntity<StoredProperties> | null {
    const address = patient.email?.trim().toLowerCase();
    if (!address) return null;
    const rowKey = `${EMAIL_INDEX_PREFIX}${addressHashOf(patient.practiceId, address)}|${boundedKey(patient.id, 300)}`;
    return toEntity(this.patients.table, checkedKey(patient.practiceId, 'practice id'), rowKey, {
      patientId: patient.id,
    });
  }

  /** Patient row first, pointer second: the patient's ETag is the first sub-response's. */
  private async submit(operation: string, actions: TransactionAction[]): Promise<string> {
    const what = `${this.patients.table} ${operation}`;
    const response = await guard(what, () => this.patients.client.submitTransaction(actions));
    const etag = response.subResponses[0]?.etag?.trim();
    if (!etag) throw new TypeError(`${what}: the service returned no ETag`);
    return etag;
  }
}
