// The canonical booking event (SPEC §8 generic format), validated with zod; vendor sources map onto it.
import { z } from 'zod';
import { ID_PATTERN } from './ids';
import type { CareStatus, ContactPreference, Locale } from './model';

export const EVENT_TYPES = [
  'appointment.booked',
  'appointment.rescheduled',
  'appointment.cancelled',
  'appointment.completed',
  'appointment.no_show',
  'patient.upserted',
  'patient.deleted',
] as const;
export type BookingEventType = (typeof EVENT_TYPES)[number];

export const MAX_WEBHOOK_BYTES = 256 * 1024;

const id = z.string().regex(ID_PATTERN, 'must be 1-128 characters: letters, digits and _ . : @ + = ~ -');
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });
const noControl = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !hasControlCharacter(s), 'must not contain control characters');

/** Tabs and line breaks are fine in free text; other C0 controls and DEL are not. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

/** Any BCP 47 language tag is accepted; only fr and en have templates, others fall back to the practice locale. */
const locale = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as "fr" or "en-GB"')
  .transform((tag): Locale | null => {
    const language = tag.slice(0, tag.indexOf('-') < 0 ? undefined : tag.indexOf('-')).toLowerCase();
    return language === 'fr' || language === 'en' ? language : null;
  });

const consent = z.union([
  z.boolean().transform((granted) => ({ granted, at: null as string | null, source: null as string | null })),
  z.object({
    granted: z.boolean(),
    at: instant.nullish().transform((v) => v ?? null),
    source: noControl(100)
      .nullish()
      .transform((v) => v ?? null),
  }),
]);

export const patientSchema = z.object({
  id,
  firstName: noControl(100).min(1, 'must not be empty').nullish(),
  email: z.email('must be a valid email address').max(254).nullish(),
  locale: locale.nullish(),
  therapistId: id.nullish(),
  emailConsent: consent.optional(),
  careStatus: z.enum(['in_care', 'plan_completed', 'discharged'] satisfies CareStatus[]).optional(),
  contactPreference: z.enum(['default', 'direct'] satisfies ContactPreference[]).optional(),
  focusArea: noControl(100).nullish(),
  progressNote: noControl(2000).nullish(),
  plan: z
    .object({
      summary: noControl(2000)
        .nullish()
        .transform((v) => v ?? null),
      nextMilestoneAt: instant.nullish().transform((v) => v ?? null),
    })
    .nullish(),
});

const appointmentSchema = z.object({
  id,
  startsAt: instant.optional(),
  therapistId: id.nullish(),
});

export const bookingEventSchema = z
  .object({
    id: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    type: z.enum(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` }),
    occurredAt: instant,
    patient: patientSchema,
    appointment: appointmentSchema.optional(),
  })
  .superRefine((event, ctx) => {
    if (!event.type.startsWith('appointment.')) return;
    if (!event.appointment) {
      ctx.addIssue({ code: 'custom', path: ['appointment'], message: `is required for ${event.type}` });
      return;
    }
    if (
      (event.type === 'appointment.booked' || event.type === 'appointment.rescheduled') &&
      !event.appointment.startsAt
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['appointment', 'startsAt'],
        message: `is required for ${event.type}`,
      });
    }
  });

export type BookingEvent = z.infer<typeof bookingEventSchema>;
export type PatientFields = z.infer<typeof patientSchema>;

export interface FieldProblem {
  field: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
  }));
}

export function parseBookingEvent(body: unknown): ParseResult<BookingEvent> {
  const result = bookingEventSchema.safeParse(body);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, problems: fieldProblems(result.error) };
}
