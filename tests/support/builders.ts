// Small builders for domain fixtures: a valid default, overridden per test.

import type { Appointment, Patient, Practice, Therapist } from '../../functions/src/core/model';
import { newPatient, newPractice } from '../../functions/src/core/practiceDefaults';

export function aPractice(overrides: Partial<Practice> = {}): Practice {
  return newPractice({
    id: 'prac_1',
    name: 'Cabinet des Tilleuls',
    senderAddress: 'bonjour@tilleuls.example',
    bookingUrl: 'https://tilleuls.example/rdv',
    ...overrides,
  });
}

export function aPatient(overrides: Partial<Patient> = {}, now = new Date('2027-01-05T05:00:00Z')): Patient {
  return {
    ...newPatient('prac_1', 'pat_1', now),
    firstName: 'Camille',
    email: 'camille@example.org',
    locale: 'fr',
    therapistId: 'th_1',
    emailConsent: { granted: true, at: '2026-09-01T10:00:00Z', source: 'booking-tool' },
    ...overrides,
  };
}

export function aTherapist(overrides: Partial<Therapist> = {}): Therapist {
  return {
    practiceId: 'prac_1',
    id: 'th_1',
    displayName: 'Dr Léa Martin',
    email: 'lea.martin@tilleuls.example',
    signature: 'Léa Martin, psychologue',
    locale: 'fr',
    active: true,
    ...overrides,
  };
}

export function anAppointment(overrides: Partial<Appointment> = {}): Appointment {
  return {
    practiceId: 'prac_1',
    id: 'apt_1',
    patientId: 'pat_1',
    therapistId: 'th_1',
    startsAt: '2026-12-01T10:00:00+01:00',
    status: 'completed',
    lastEventAt: '2026-12-01T11:00:00Z',
    bookedAt: '2026-11-20T09:00:00Z',
    ...overrides,
  };
}
