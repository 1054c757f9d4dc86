// The roles the domain needs from the outside world. Adapters implement them; core and use cases depend on them.
import type {
  Appointment,
  DueEntry,
  Locale,
  OutreachRow,
  Patient,
  Practice,
  TemplateId,
  Therapist,
} from './model';

export interface Clock {
  now(): Date;
}

/** A row together with the ETag to use for a conditional write. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

export type WebhookSource = 'generic' | 'calcom' | 'calendly' | 'acuity';

export interface WebhookSecret {
  current: string;
  /** Kept during rotation so events signed with the old secret still verify. */
  previous: string | null;
  rotatedAt: string | null;
}

export interface PracticeSecrets {
  practiceId: string;
  webhooks: Partial<Record<WebhookSource, WebhookSecret>>;
  /** sha256 hex of the practice API key (current and, during rotation, previous). */
  apiKeyHashes: string[];
  /**
   * API keys that can expire (see core/secrets.ts): the current key has `notAfter` null, rotated-out
   * ones keep working until `notAfter`. Absent on secrets written before rotation existed.
   */
  apiKeys?: ApiKeyRecord[];
  /** Acuity Scheduling (SPEC §8): API user id and key; the key also signs Acuity's webhooks. */
  acuity?: AcuityCredentials;
}

export interface ApiKeyRecord {
  /** sha256 hex of the key; the key itself is never stored. */
  hash: string;
  /** ISO instant after which the key is refused; null while it is the current key. */
  notAfter: string | null;
}

/** A practice's own version of one library template in one locale (SPEC §6), validated before it is stored. */
export interface TemplateOverride {
  practiceId: string;
  templateId: TemplateId;
  locale: Locale;
  subject: string;
  html: string;
  text: string;
  updatedAt: string;
}

export interface PracticeStore {
  getPractice(practiceId: string): Promise<Versioned<Practice> | null>;
  upsertPractice(practice: Practice): Promise<void>;
  /** Conditional update; throws ReengageError `precondition_failed` when the row changed. */
  updatePractice(practice: Practice, etag: string): Promise<string>;
  listPractices(): AsyncIterable<Practice>;
  getSecrets(practiceId: string): Promise<PracticeSecrets | null>;
  upsertSecrets(secrets: PracticeSecrets): Promise<void>;
  getTherapist(practiceId: string, therapistId: string): Promise<Therapist | null>;
  upsertTherapist(therapist: Therapist): Promise<void>;
  listTherapists(practiceId: string): AsyncIterable<Therapist>;
  /** Inserts; null when the practice already exists. Returns the new ETag. */
  createPractice(practice: Practice): Promise<string | null>;
  getVersionedSecrets(practiceId: string): Promise<Versioned<PracticeSecrets> | null>;
  /** Inserts; null when the practice already has secrets (the first request to create them wins). */
  createSecrets(secrets: PracticeSecrets): Promise<string | null>;
  /** Conditional update; throws ReengageError `precondition_failed` when the row changed. */
  updateSecrets(secrets: PracticeSecrets, etag: string): Promise<string>;
  getTemplateOverride(
    practiceId: string,
    templateId: TemplateId,
    locale: Locale,
  ): Promise<TemplateOverride | null>;
  upsertTemplateOverride(override: TemplateOverride): Promise<void>;
  /** Succeeds if already gone. */
  deleteTemplateOverride(practiceId: string, templateId: TemplateId, locale: Locale): Promise<void>;
  /** Which therapist a booking tool's organizer, calendar or event type stands for; null if never saved. */
  getTherapistMapping(practiceId: string): Promise<Versioned<TherapistMapping> | null>;
  /** Inserts; throws ReengageError `conflict` when the practice already has one. Returns the ETag. */
  createTherapistMapping(mapping: TherapistMapping): Promise<string>;
  /** Conditional replace; throws ReengageError `precondition_failed` when it changed. Returns the new ETag. */
  updateTherapistMapping(mapping: TherapistMapping, etag: string): Promise<string>;
}

export interface PatientStore {
  getPatient(practiceId: string, patientId: string): Promise<Versioned<Patient> | null>;
  /** Throws ReengageError `conflict` if the patient exists. Returns the new ETag. */
  createPatient(patient: Patient): Promise<string>;
  /** Throws ReengageError `precondition_failed` when the ETag no longer matches. Returns the new ETag. */
  updatePatient(patient: Patient, etag: string): Promise<string>;
  deletePatient(practiceId: string, patientId: string): Promise<void>;
  listPatients(practiceId: string): AsyncIterable<Patient>;
  /**
   * The patient of the practice with this address (trimmed, case-insensitive), through an index, never a
   * partition scan; the earliest created when several share it; null when none.
   */
  findPatientIdByEmail(practiceId: string, email: string): Promise<string | null>;
}

export interface AppointmentStore {
  getAppointment(
    practiceId: string,
    patientId: string,
    appointmentId: string,
  ): Promise<Versioned<Appointment> | null>;
  createAppointment(appointment: Appointment): Promise<string>;
  updateAppointment(appointment: Appointment, etag: string): Promise<string>;
  listAppointments(practiceId: string, patientId: string): AsyncIterable<Appointment>;
  deleteAppointment(practiceId: string, patientId: string, appointmentId: string): Promise<void>;
}

export interface OutreachLedger {
  getOutreach(practiceId: string, outreachId: string): Promise<Versioned<OutreachRow> | null>;
  /** Returns null when a row with that key already exists (planning is idempotent by key). */
  createOutreach(row: OutreachRow): Promise<string | null>;
  updateOutreach(row: OutreachRow, etag: string): Promise<string>;
  listOutreachForPatient(practiceId: string, patientId: string): AsyncIterable<OutreachRow>;
  listOutreach(practiceId: string): AsyncIterable<OutreachRow>;
  /** The practice's rows planned strictly before `before` (an ISO instant): what retention looks at. */
  listOutreachPlannedBefore(practiceId: string, before: string): AsyncIterable<OutreachRow>;
  /** Succeeds if already gone. Used when erasure moves a row to a pseudonymous key. */
  deleteOutreach(practiceId: string, outreachId: string): Promise<void>;
}

export interface DueIndex {
  upsertDue(entry: DueEntry): Promise<void>;
  deleteDue(entry: DueEntry): Promise<void>;
  listDue(day: string): AsyncIterable<DueEntry>;
  /** One practice's entries of one day (a RowKey range of the day's partition). */
  listDueForPractice(day: string, practiceId: string): AsyncIterable<DueEntry>;
}

export type InboundEventStatus = 'received' | 'applied';

export interface InboundEventRecord {
  practiceId: string;
  source: WebhookSource;
  eventId: string;
  type: string;
  status: InboundEventStatus;
  receivedAt: string;
  /** sha256 of the raw body, never the body itself (it carries personal data). */
  bodyHash: string;
}

export interface InboundEventStore {
  getEvent(
    practiceId: string,
    source: WebhookSource,
    eventId: string,
  ): Promise<Versioned<InboundEventRecord> | null>;
  /** Returns null when it already exists. */
  createEvent(record: InboundEventRecord): Promise<string | null>;
  updateEvent(record: InboundEventRecord, etag: string): Promise<string>;
  /** The practice's records received strictly before `before` (an ISO instant). */
  listEventsReceivedBefore(practiceId: string, before: string): AsyncIterable<InboundEventRecord>;
  /** Succeeds if already gone. */
  deleteEvent(practiceId: string, source: WebhookSource, eventId: string): Promise<void>;
}

export interface MessageIndexEntry {
  messageId: string;
  practiceId: string;
  outreachId: string;
}

export interface MessageIndex {
  upsertMessage(entry: MessageIndexEntry): Promise<void>;
  getMessage(messageId: string): Promise<MessageIndexEntry | null>;
}

/**
 * The `-poison` twin of a queue: where a message that can never be processed is kept for an operator,
 * unchanged, so that it can be re-driven once the cause is fixed (as the host does after maxDequeueCount).
 */
export interface PoisonQueue {
  sendPoisonMessage(messageText: string): Promise<void>;
}

export interface QuotaLimits {
  perMinute: number;
  perHour: number;
}

export interface SlotRequest {
  /** Earliest instant the email may go out. */
  earliest: Date;
  /**
   * The practice's calendar: the first instant at or after `at` inside its send window (not on a
   * weekend, closed date or public holiday). Pure and deterministic.
   */
  nextAllowed: (at: Date) => Date;
}

/**
 * Send slots shared by every planner run and every practice, so that the ACS quota (per subscription)
 * is never exceeded: one email per slot, slots `slotLengthFor(limits)` seconds apart.
 */
export interface SendSlotStore {
  /** Reserves one free, allowed slot at or after each request's earliest instant; same order as `requests`. */
  reserveSlots(requests: SlotRequest[], limits: QuotaLimits): Promise<Date[]>;
}

/** A thin queue message: ids only, never personal or health data. */
export interface SendRequest {
  v: 1;
  practiceId: string;
  outreachId: string;
  /** When this message is meant to be handled (the row's notBefore, or a retry time). */
  notBefore: string;
}

export interface SendScheduler {
  /** Enqueues on `outreach-send`, visible at `visibleAt` (capped at the queue's maximum delay). */
  scheduleSend(request: SendRequest, visibleAt: Date): Promise<void>;
}

export interface OutgoingEmail {
  from: { address: string; displayName: string };
  to: { address: string; displayName: string | null };
  replyTo: { address: string; displayName: string } | null;
  subject: string;
  html: string;
  text: string;
  /** List-Unsubscribe, List-Unsubscribe-Post, X-Reengage-Template, X-Reengage-Outreach. */
  headers: Record<string, string>;
}

export type SendOutcome =
  | { kind: 'accepted'; messageId: string }
  /** 429: try again after this delay; the sender must not sleep. */
  | { kind: 'throttled'; retryAfterMs: number }
  /** A 4xx other than 429: permanent, record as failed. */
  | { kind: 'rejected'; code: string; message: string };

export type SendStatus = 'unknown' | 'running' | 'succeeded' | 'failed';

export interface EmailSender {
  /**
   * Sends with the given operation id (deterministic per ledger row). Throws ReengageError with
   * retryable=true for 5xx and network failures.
   */
  send(email: OutgoingEmail, operationId: string): Promise<SendOutcome>;
  /** What the transport knows about an operation: `unknown` means it never accepted it. */
  getStatus(operationId: string): Promise<SendStatus>;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface EmailLinks {
  book: string;
  later: string;
  unsubscribe: string;
  feedback: string | null;
}

/**
 * Everything a template may read. Every key is always present (null when unknown), so templates can
 * run with strict variables and fall back gracefully.
 */
export interface RenderContext {
  locale: Locale;
  patient: { firstName: string | null };
  therapist: { displayName: string; signature: string | null };
  practice: { name: string; bookingUrl: string };
  /** Humane wording of the time since the last visit in the locale ("quelques semaines"), or null. */
  sinceLastVisit: string | null;
  /** Only when the practice allows clinical details; otherwise null. Health data. */
  progressNote: string | null;
  /** Only when the practice allows clinical details; otherwise null. Health data. */
  planSummary: string | null;
  /** Focus area label for template 4's resource, or null. */
  resource: { title: string; url: string } | null;
  /** Seasonal window id for template 3 (`new-year`, `rentree`, `spring`), or null. */
  season: string | null;
  links: EmailLinks;
}

export interface TemplateRenderer {
  render(templateId: TemplateId, locale: Locale, context: RenderContext): Promise<RenderedEmail>;
}

/** The three Liquid sources of one template in one locale. */
export interface TemplateSourceSet {
  subject: string;
  html: string;
  text: string;
}

/** A renderer that also takes practices' overrides of the library (SPEC §6). */
export interface OverridableTemplateRenderer extends TemplateRenderer {
  /** Renders an override accepted earlier by `validateOverride`; throws ReengageError `render_failed`. */
  renderOverride(
    templateId: TemplateId,
    locale: Locale,
    sources: TemplateSourceSet,
    context: RenderContext,
  ): Promise<RenderedEmail>;
  /** Throws ReengageError `invalid_input`, its message naming the part and the problem. */
  validateOverride(templateId: TemplateId, locale: Locale, sources: TemplateSourceSet): Promise<void>;
  getLibrarySources(templateId: TemplateId, locale: Locale): TemplateSourceSet;
}

/** Structured logs: ids and hashes only, never names, addresses, subjects or bodies. */
export interface Logger {
  info(message: string, properties?: Record<string, string | number | boolean | null>): void;
  warn(message: string, properties?: Record<string, string | number | boolean | null>): void;
  error(message: string, properties?: Record<string, string | number | boolean | null>): void;
}

/** One feedback per email (a second submission updates it). The comment is personal data. */
export interface FeedbackEntry {
  practiceId: string;
  /** The ledger row the feedback answers (its id starts with the patient id). */
  outreachId: string;
  patientId: string;
  rating: 1 | 2 | 3 | 4 | 5;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface FeedbackStore {
  getFeedback(practiceId: string, outreachId: string): Promise<FeedbackEntry | null>;
  upsertFeedback(entry: FeedbackEntry): Promise<void>;
  listFeedback(practiceId: string): AsyncIterable<FeedbackEntry>;
  listFeedbackForPatient(practiceId: string, patientId: string): AsyncIterable<FeedbackEntry>;
  deleteFeedback(practiceId: string, outreachId: string): Promise<void>;
}

export type SuppressionReason = 'unsubscribed' | 'bounced' | 'suppressed' | 'complained';

/**
 * An address never to write to again, kept only as a salted hash so it outlives erasure: a patient
 * who is erased and imported again is still not written to.
 */
export interface SuppressionEntry {
  practiceId: string;
  addressHash: string;
  reason: SuppressionReason;
  at: string;
}

export interface SuppressionStore {
  getSuppression(practiceId: string, addressHash: string): Promise<SuppressionEntry | null>;
  upsertSuppression(entry: SuppressionEntry): Promise<void>;
  listSuppressions(practiceId: string): AsyncIterable<SuppressionEntry>;
}

/**
 * A booking tool's key for a therapist: `<source>:<kind>:<value>`, e.g. `calcom:organizer:lea@cabinet.example`,
 * `calcom:eventType:42`, `calendly:user:https://api.calendly.com/users/AAA`, `acuity:calendar:27238`
 * (core/vendors/therapistMapping.ts lists the kinds).
 */
export interface TherapistMappingEntry {
  key: string;
  therapistId: string;
}

/** A key seen in a booking with no entry for it: the booking went to the practice's default therapist. */
export interface UnmappedTherapistKey {
  key: string;
  firstSeenAt: string;
}

/** Stored with the practice (Practices table, RowKey `therapist-mapping`). */
export interface TherapistMapping {
  practiceId: string;
  entries: TherapistMappingEntry[];
  /** Oldest first, at most 100, for the admin API to show; a key leaves it when an entry maps it. */
  unmapped: UnmappedTherapistKey[];
}

export interface AcuityCredentials {
  userId: string;
  apiKey: string;
}

/** What Acuity's API says about one appointment; the body is validated by core/vendors/acuity.ts. */
export type AcuityAppointmentLookup =
  | { kind: 'found'; body: unknown }
  | { kind: 'not_found' }
  /** 401/403 or another 4xx: the stored credentials (or the request) are refused; retrying will not help. */
  | { kind: 'refused'; status: number };

/** Acuity Scheduling's API: its webhooks carry only ids, so the appointment is fetched. */
export interface AcuityApi {
  /** Retries 5xx, 429, timeouts and network failures, then throws ReengageError `transport_unavailable`. */
  getAppointment(credentials: AcuityCredentials, appointmentId: string): Promise<AcuityAppointmentLookup>;
}
