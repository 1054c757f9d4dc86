// Appointments table: PK practiceId, RK `patientId|appointmentId`, so a patient's appointments are one
// RowKey range of their practice's partition.
import { odata, type TableClient, type TableEntity } from '@azure/data-tables';
import type { Appointment } from '../../core/model';
import type { AppointmentStore, Versioned } from '../../core/ports';
import { EntityReader, type StoredProperties, toEntity } from './entityCodec';
import { checkedKey, rowKeyRangeOf } from './keys';
import { TableOperations } from './TableOperations';

const STATUSES = ['booked', 'cancelled', 'completed', 'no_show'] as const;

function rowKeyOf(patientId: string, appointmentId: string): string {
  return checkedKey(`${patientId}|${appointmentId}`, 'appointment key');
}

export function appointmentToEntity(table: string, appointment: Appointment): TableEntity<StoredProperties> {
  return toEntity(
    table,
    checkedKey(appointment.practiceId, 'practice id'),
    rowKeyOf(appointment.patientId, appointment.id),
    {
      practiceId: appointment.practiceId,
      id: appointment.id,
      patientId: appointment.patientId,
      therapistId: appointment.therapistId,
      startsAt: appointment.startsAt,
      status: appointment.status,
      lastEventAt: appointment.lastEventAt,
      bookedAt: appointment.bookedAt,
    },
  );
}

export function appointmentFromEntity(table: string, entity: Record<string, unknown>): Appointment {
  const r = new EntityReader(entity, table);
  return {
    practiceId: r.string('practiceId'),
    id: r.string('id'),
    patientId: r.string('patientId'),
    therapistId: r.optionalString('therapistId'),
    startsAt: r.string('startsAt'),
    status: r.oneOf('status', STATUSES),
    lastEventAt: r.string('lastEventAt'),
    bookedAt: r.optionalString('bookedAt'),
  };
}

export class TableAppointmentStore implements AppointmentStore {
  private readonly appointments: TableOperations;

  constructor(appointmentsTable: TableClient) {
    this.appointments = new TableOperations(appointmentsTable);
  }

  async getAppointment(
    practiceId: string,
    patientId: string,
    appointmentId: string,
  ): Promise<Versioned<Appointment> | null> {
    const row = await this.appointments.get(
      checkedKey(practiceId, 'practice id'),
      rowKeyOf(patientId, appointmentId),
    );
    return row && { value: appointmentFromEntity(this.appointments.table, row.entity), etag: row.etag };
  }

  async createAppointment(appointment: Appointment): Promise<string> {
    return this.appointments.create(appointmentToEntity(this.appointments.table, appointment));
  }

  async updateAppointment(appointment: Appointment, etag: string): Promise<string> {
    return this.appointments.replace(appointmentToEntity(this.appointments.table, appointment), etag);
  }

  async *listAppointments(practiceId: string, patientId: string): AsyncIterable<Appointment> {
    const partition = checkedKey(practiceId, 'practice id');
    const { from, to } = rowKeyRangeOf(patientId);
    const filter = odata`PartitionKey eq ${partition} and RowKey ge ${from} and RowKey lt ${to}`;
    for await (const entity of this.appointments.query(filter)) {
      const appointment = appointmentFromEntity(this.appointments.table, entity);
      // A patient id that itself contains `|` would share the range of a shorter one; the property is exact.
      if (appointment.patientId === patientId) yield appointment;
    }
  }

  async deleteAppointment(practiceId: string, patientId: string, appointmentId: string): Promise<void> {
    return this.appointments.delete(
      checkedKey(practiceId, 'practice id'),
      rowKeyOf(patientId, appointmentId),
    );
  }
}
