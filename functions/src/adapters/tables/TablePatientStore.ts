// Patients table: PK practiceId, RK patientId.
import { odata, type TableClient, type TableEntity } from '@azure/data-tables';
import { LOCALES, type Patient } from '../../core/model';
import type { PatientStore, Versioned } from '../../core/ports';
import { EntityReader, json, type StoredProperties, toEntity } from './entityCodec';
import { checkedKey } from './keys';
import { TableOperations } from './TableOperations';

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
    return this.patients.create(patientToEntity(this.patients.table, patient));
  }

  async updatePatient(patient: Patient, etag: string): Promise<string> {
    return this.patients.replace(patientToEntity(this.patients.table, patient), etag);
  }

  async deletePatient(practiceId: string, patientId: string): Promise<void> {
    return this.patients.delete(checkedKey(practiceId, 'practice id'), checkedKey(patientId, 'patient id'));
  }

  async *listPatients(practiceId: string): AsyncIterable<Patient> {
    const partition = checkedKey(practiceId, 'practice id');
    for await (const entity of this.patients.query(odata`PartitionKey eq ${partition}`)) {
      yield patientFromEntity(this.patients.table, entity);
    }
  }
}
