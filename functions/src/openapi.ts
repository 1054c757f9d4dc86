// The OpenAPI 3.1 description of every HTTP route of the app (served at GET /api/openapi.json). Enums and
// limits come from the code that enforces them; tests/unit/openapi.test.ts checks the routes against the
// registrations and the booking event schema against the webhook's own validation.
import { PRACTICE_KEY_HEADER } from './app/adminAuth';
import { MAX_COMMENT_CHARS } from './app/answerForms';
import { MAX_MAPPING_ENTRIES } from './app/integrationAdmin';
import { WEBHOOK_SOURCES } from './app/practiceAdmin';
import { MAX_UPCOMING_DAYS } from './app/upcoming';
import { EVENT_TYPES, MAX_WEBHOOK_BYTES } from './core/bookingEvents';
import { IMPORT_FIELDS } from './core/csvImport';
import { SKIP_REASONS } from './core/eligibility';
import { SUPPORTED_COUNTRIES } from './core/holidays';
import { ID_PATTERN } from './core/ids';
import { LOCALES, TEMPLATE_IDS } from './core/model';
import { REPORT_GROUP_BYS } from './core/report';
import { ROTATION_GRACE_DAYS } from './core/secrets';
import { SIGNATURE_TOLERANCE_SECONDS } from './core/signature';
import { ACUITY_SIGNATURE_HEADER } from './core/vendors/acuity';
import { CALCOM_SIGNATURE_HEADER } from './core/vendors/calcom';
import { CALENDLY_SIGNATURE_HEADER } from './core/vendors/calendly';
import { MAX_THERAPIST_KEY_LENGTH, THERAPIST_KEY_KINDS } from './core/vendors/therapistMapping';
import { MAX_FORM_BYTES } from './pages/http';

// ---------------------------------------------------------------------------------------------------------
// The subset of OpenAPI 3.1 this document uses

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
type Scalar = string | number | boolean | null;

/** A JSON Schema 2020-12 object, as OpenAPI 3.1 takes it. */
export interface Schema {
  $ref?: string;
  type?: JsonType | JsonType[];
  title?: string;
  description?: string;
  enum?: readonly Scalar[];
  const?: Scalar;
  default?: unknown;
  examples?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  prefixItems?: Schema[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  if?: Schema;
  then?: Schema;
  readOnly?: boolean;
  writeOnly?: boolean;
}

export interface Reference {
  $ref: string;
  description?: string;
}

export interface MediaType {
  schema: Schema;
  examples?: Record<string, { summary?: string; value: unknown }>;
}

export interface Header {
  description: string;
  required?: boolean;
  schema: Schema;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  description: string;
  required?: boolean;
  schema: Schema;
}

export interface RequestBody {
  description: string;
  required: boolean;
  content: Record<string, MediaType>;
}

export interface Response {
  description: string;
  headers?: Record<string, Header>;
  content?: Record<string, MediaType>;
}

export type SecurityRequirement = Record<string, string[]>;

export interface Operation {
  operationId: string;
  /** The Azure function that serves the operation (its registration name). */
  'x-function-name': string;
  summary: string;
  description?: string;
  tags: string[];
  security?: SecurityRequirement[];
  parameters?: (Parameter | Reference)[];
  requestBody?: RequestBody;
  responses: Record<string, Response | Reference>;
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete';

export type PathItem = { parameters?: (Parameter | Reference)[] } & Partial<Record<HttpMethod, Operation>>;

export interface SecurityScheme {
  type: 'apiKey';
  in: 'header' | 'query';
  name: string;
  description: string;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; summary: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  security: SecurityRequirement[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, Parameter>;
    responses: Record<string, Response>;
    securitySchemes: Record<string, SecurityScheme>;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks

const schema = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const parameter = (name: string): Reference => ({ $ref: `#/components/parameters/${name}` });
const response = (name: string): Reference => ({ $ref: `#/components/responses/${name}` });
const jsonBody = (s: Schema): Record<string, MediaType> => ({ 'application/json': { schema: s } });
const ok = (description: string, s: Schema): Response => ({ description, content: jsonBody(s) });
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });

const ID_HINT = '1-128 characters: letters, digits and `_ . : @ + = ~ -`, starting with a letter or digit.';
const id = (description: string): Schema => ({ type: 'string', pattern: ID_PATTERN.source, description });
const text = (maxLength: number, description: string): Schema => ({
  type: 'string',
  minLength: 1,
  maxLength,
  description,
});
const instant: Schema = {
  type: 'string',
  format: 'date-time',
  description: 'RFC 3339 date-time with offset.',
};
const localDate: Schema = {
  type: 'string',
  format: 'date',
  description: 'A practice-local date `yyyy-MM-dd`.',
};
const httpsUrl: Schema = { type: 'string', format: 'uri', pattern: '^https://', maxLength: 1000 };
const whole = (minimum: number, maximum: number, description: string): Schema => ({
  type: 'integer',
  minimum,
  maximum,
  description,
});

/** Every admin route: the function key (header or `?code=`) and the practice's own key. */
const ADMIN_SECURITY: SecurityRequirement[] = [
  { functionKey: [], practiceKey: [] },
  { functionKeyQuery: [], practiceKey: [] },
];
const ANONYMOUS: SecurityRequirement[] = [];

/** The answers every admin operation can give besides its own. */
function adminErrors(...extra: string[]): Record<string, Reference> {
  const all: Record<string, Reference> = { '401': response('Unauthorized') };
  for (const status of extra) all[status] = response(ADMIN_ERROR_RESPONSES[status] ?? 'BadRequest');
  return all;
}

const ADMIN_ERROR_RESPONSES: Record<string, string> = {
  '400': 'BadRequest',
  '404': 'NotFound',
  '409': 'Conflict',
  '413': 'PayloadTooLarge',
  '415': 'UnsupportedMediaType',
};

/** Admin operations that read or write JSON: the body-reading errors too. */
const JSON_WRITE_ERRORS = ['400', '409', '413', '415'];

function admin(
  operation: Omit<Operation, 'security' | 'responses'> & { responses: Record<string, Response | Reference> },
  errors: string[] = [],
): Operation {
  return {
    ...operation,
    security: ADMIN_SECURITY,
    responses: { ...operation.responses, ...adminErrors(...errors) },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Schemas

const problemSchema: Schema = {
  type: 'object',
  description: 'RFC 9457 problem details, as `application/problem+json`.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', const: 'about:blank' },
    title: { type: 'string', examples: ['Invalid request body'] },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      description: 'One entry per invalid field (400).',
      items: schema('FieldProblem'),
    },
  },
};

const emailConsentSchema: Schema = {
  description: '`true`/`false`, or the consent with when and how it was given.',
  oneOf: [
    { type: 'boolean' },
    {
      type: 'object',
      required: ['granted'],
      properties: {
        granted: { type: 'boolean' },
        at: nullable(instant),
        source: nullable({ type: 'string', maxLength: 100 }),
      },
    },
  ],
};

const bookingPatientSchema: Schema = {
  type: 'object',
  description:
    'The patient as the booking tool knows them. Fields left out keep their stored value. Unknown fields are ignored.',
  required: ['id'],
  properties: {
    id: id(`The booking tool's patient id: ${ID_HINT}`),
    firstName: nullable(text(100, 'First name, used in the emails.')),
    email: nullable({ type: 'string', format: 'email', maxLength: 254 }),
    locale: nullable({
      type: 'string',
      pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
      description: 'A BCP 47 language tag; languages other than fr and en fall back to the practice locale.',
    }),
    therapistId: nullable(id('A therapist id of the practice.')),
    emailConsent: schema('EmailConsent'),
    careStatus: { type: 'string', enum: ['in_care', 'plan_completed', 'discharged'] },
    contactPreference: { type: 'string', enum: ['default', 'direct'] },
    focusArea: nullable({ type: 'string', maxLength: 100 }),
    progressNote: nullable({
      type: 'string',
      maxLength: 2000,
      description: 'Health data: used in emails only when the practice allows clinical details.',
    }),
    plan: nullable({
      type: 'object',
      properties: {
        summary: nullable({ type: 'string', maxLength: 2000, description: 'Health data.' }),
        nextMilestoneAt: nullable(instant),
      },
    }),
  },
};

const bookingEventSchema: Schema = {
  type: 'object',
  description: `The generic booking event (SPEC §8), at most ${MAX_WEBHOOK_BYTES / 1024} KB. Events may arrive out of order and more than once: state only moves forward, and an id already seen answers 200 duplicate.`,
  required: ['id', 'type', 'occurredAt', 'patient'],
  properties: {
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Unique per event: the de-duplication key.',
    },
    type: { type: 'string', enum: EVENT_TYPES },
    occurredAt: instant,
    patient: schema('BookingPatient'),
    appointment: {
      type: 'object',
      description: 'Required for `appointment.*` events.',
      required: ['id'],
      properties: {
        id: id("The booking tool's appointment id."),
        startsAt: { ...instant, description: 'Required for appointment.booked and appointment.rescheduled.' },
        therapistId: nullable(id('A therapist id of the practice.')),
      },
    },
  },
  allOf: [
    {
      if: { properties: { type: { type: 'string', pattern: '^appointment\\.' } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable
      then: { required: ['appointment'] },
    },
    {
      if: { properties: { type: { enum: ['appointment.booked', 'appointment.rescheduled'] } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable
      then: { properties: { appointment: { type: 'object', required: ['startsAt'] } } },
    },
  ],
  examples: [
    {
      id: 'evt_01HZX3',
      type: 'appointment.booked',
      occurredAt: '2026-11-20T10:00:00Z',
      patient: {
        id: 'pat_42',
        firstName: 'Camille',
        email: 'camille@example.org',
        locale: 'fr',
        therapistId: 'th_1',
        emailConsent: true,
        careStatus: 'in_care',
      },
      appointment: { id: 'apt_9', startsAt: '2026-11-27T14:00:00+01:00', therapistId: 'th_1' },
    },
  ],
};

const calcomWebhookSchema: Schema = {
  type: 'object',
  description:
    "Cal.com's standard webhook payload (leave Cal.com's payload template empty). BOOKING_CREATED, BOOKING_RESCHEDULED, BOOKING_CANCELLED, MEETING_ENDED (sent flat, the booking fields at the top level), BOOKING_NO_SHOW_UPDATED (payload.bookingUid and attendees[].noShow) and PING are read; other triggers are acknowledged (202) and ignored. Only the fields below are read.",
  required: ['triggerEvent'],
  properties: {
    triggerEvent: {
      type: 'string',
      examples: ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED', 'MEETING_ENDED', 'PING'],
    },
    createdAt: instant,
    payload: {
      type: 'object',
      properties: {
        uid: { type: 'string', description: 'The booking uid; the appointment becomes `calcom:<uid>`.' },
        startTime: instant,
        endTime: instant,
        organizer: {
          type: 'object',
          properties: {
            email: { type: 'string', description: 'Therapist mapping key `calcom:organizer:<email>`.' },
          },
        },
        attendees: {
          type: 'array',
          description: 'The first attendee is the patient.',
          items: {
            type: 'object',
            properties: {
              email: { type: 'string', format: 'email' },
              name: { type: 'string' },
              firstName: { type: 'string' },
              locale: { type: 'string' },
              noShow: { type: 'boolean' },
            },
          },
        },
        eventTypeId: {
          type: ['integer', 'string'],
          description: 'Therapist mapping key `calcom:eventType:<eventTypeId>`.',
        },
        rescheduleUid: { type: 'string' },
        fromReschedule: { type: 'string' },
        bookingUid: { type: 'string', description: 'BOOKING_NO_SHOW_UPDATED only.' },
      },
    },
  },
};

const calendlyWebhookSchema: Schema = {
  type: 'object',
  description:
    'Calendly API v2 webhook payload. invitee.created, invitee.canceled, invitee_no_show.created and invitee_no_show.deleted are read; other events are acknowledged (202) and ignored. A reschedule arrives as invitee.canceled (rescheduled: true) plus invitee.created (old_invitee), in either order. Only the fields below are read.',
  required: ['event', 'created_at', 'payload'],
  properties: {
    event: {
      type: 'string',
      examples: ['invitee.created', 'invitee.canceled', 'invitee_no_show.created', 'invitee_no_show.deleted'],
    },
    created_at: instant,
    payload: {
      type: 'object',
      properties: {
        uri: {
          type: 'string',
          description:
            'The invitee URI `…/scheduled_events/<uuid>/invitees/<uuid>`; the appointment becomes `calendly:<invitee uuid>`.',
        },
        email: { type: 'string', format: 'email' },
        name: { type: 'string' },
        first_name: { type: ['string', 'null'] },
        rescheduled: { type: ['boolean', 'null'] },
        old_invitee: { type: ['string', 'null'] },
        new_invitee: { type: ['string', 'null'] },
        scheduled_event: {
          type: 'object',
          properties: {
            uri: { type: 'string' },
            start_time: instant,
            end_time: instant,
            event_type: { type: 'string', description: 'Therapist mapping key `calendly:eventType:<URI>`.' },
            event_memberships: {
              type: 'array',
              description:
                'The first member is the host: keys `calendly:user:<URI>` and `calendly:organizer:<email>`.',
              items: {
                type: 'object',
                properties: { user: { type: 'string' }, user_email: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  },
};

const acuityNotificationSchema: Schema = {
  type: 'object',
  description:
    "Acuity's webhook form: ids only. The appointment itself is read from Acuity's API with the practice's Acuity credentials (PUT practices/{practiceId}/integrations/acuity).",
  required: ['action', 'id'],
  properties: {
    action: {
      type: 'string',
      description:
        'scheduled, rescheduled, canceled or changed; dynamic webhooks prefix `appointment.`. Other actions are ignored (202).',
      examples: ['scheduled', 'appointment.rescheduled'],
    },
    id: { type: 'string', pattern: '^\\d{1,20}$', description: 'The appointment id.' },
    calendarID: {
      type: 'string',
      pattern: '^\\d{1,20}$',
      description: 'Therapist mapping key `acuity:calendar:<calendarID>`.',
    },
    appointmentTypeID: { type: 'string', pattern: '^\\d{1,20}$' },
  },
};

const sendWindowSchema: Schema = {
  type: 'object',
  required: ['days', 'start', 'end'],
  additionalProperties: false,
  properties: {
    days: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 7 },
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      description: 'ISO weekdays, 1 = Monday.',
    },
    start: { type: 'string', pattern: '^\\d{2}:\\d{2}$', description: 'Local time `HH:mm`.' },
    end: { type: 'string', pattern: '^\\d{2}:\\d{2}$', description: 'Local time `HH:mm`, after start.' },
  },
};

const seasonalWindowSchema: Schema = {
  type: 'object',
  required: ['id', 'startsOn', 'lengthInDays', 'enabled'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', enum: ['new-year', 'rentree', 'spring'] },
    startsOn: {
      type: 'string',
      pattern: '^\\d{2}-\\d{2}$',
      description: '`MM-dd`: the first working day on or after it.',
    },
    lengthInDays: whole(1, 366, 'How long the window stays open.'),
    enabled: { type: 'boolean' },
  },
};

const practiceFields: Record<string, Schema> = {
  name: text(200, 'Required at creation.'),
  timeZone: { type: 'string', maxLength: 64, default: 'Europe/Paris', description: 'An IANA time zone.' },
  locale: { type: 'string', enum: LOCALES, default: 'fr' },
  country: { type: 'string', enum: SUPPORTED_COUNTRIES, default: 'FR', description: 'Public holidays.' },
  senderAddress: {
    type: 'string',
    format: 'email',
    maxLength: 254,
    description: 'Required at creation; on a domain linked to ACS.',
  },
  senderDisplayName: text(100, 'Defaults to the name.'),
  bookingUrl: { ...httpsUrl, description: 'Required at creation.' },
  lapseDays: { ...whole(7, 365, 'Days without a visit after which a patient has lapsed.'), default: 30 },
  cooldownDays: { ...whole(1, 180, 'At most one email per patient in this many days.'), default: 21 },
  maxTouchesPerEpisode: { ...whole(1, 10, 'Emails per lapse episode.'), default: 3 },
  maxTouchesPer365Days: { ...whole(1, 24, 'Emails per patient per 365 days.'), default: 6 },
  cadenceDays: {
    type: 'array',
    prefixItems: [whole(1, 730, 'Step 1'), whole(1, 730, 'Step 2'), whole(1, 730, 'Step 3')],
    minItems: 3,
    maxItems: 3,
    description: 'Days after the last visit of the three cadence steps; by default it follows lapseDays.',
  },
  sendWindow: schema('SendWindow'),
  closedDates: { type: 'array', items: localDate, maxItems: 400 },
  seasonalWindows: { type: 'array', items: schema('SeasonalWindow'), maxItems: 3 },
  allowClinicalDetails: { type: 'boolean', default: false },
  holdoutPercent: { type: 'number', minimum: 0, maximum: 50, default: 0 },
  resources: {
    type: 'array',
    maxItems: 20,
    items: {
      type: 'object',
      required: ['title', 'url', 'focusArea'],
      additionalProperties: false,
      properties: { title: text(200, 'Title'), url: httpsUrl, focusArea: text(100, 'Focus area') },
    },
  },
  defaultTherapistId: nullable(
    id('A therapist of the practice: bookings that name none we know go to them.'),
  ),
};

const credentialsViewSchema: Schema = {
  type: 'object',
  readOnly: true,
  description: 'Which keys and secrets are live and until when; never their value.',
  properties: {
    apiKeys: {
      type: 'array',
      items: {
        type: 'object',
        properties: { current: { type: 'boolean' }, validUntil: nullable(instant) },
      },
    },
    webhooks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { rotatedAt: nullable(instant), previousAcceptedUntil: nullable(instant) },
      },
    },
  },
};

const therapistFields: Record<string, Schema> = {
  displayName: text(100, 'Required at creation.'),
  email: {
    type: 'string',
    format: 'email',
    maxLength: 254,
    description: 'Reply-To of the emails. Required at creation.',
  },
  signature: { type: 'string', maxLength: 1000, description: 'May span lines.' },
  locale: { type: 'string', enum: LOCALES },
  active: { type: 'boolean' },
};

const figuresSchema: Schema = {
  type: 'object',
  properties: Object.fromEntries([
    ...[
      'planned',
      'pending',
      'sent',
      'delivered',
      'bounced',
      'failed',
      'heldOut',
      'bookClicks',
      'notNow',
      'unsubscribes',
      'rebooked',
    ].map((name): [string, Schema] => [name, { type: 'integer', minimum: 0 }]),
    [
      'skipped',
      {
        type: 'object',
        properties: {
          total: { type: 'integer', minimum: 0 },
          byReason: { type: 'object', additionalProperties: { type: 'integer' } },
        },
      },
    ],
    [
      'feedback',
      {
        type: 'object',
        properties: { count: { type: 'integer', minimum: 0 }, meanRating: nullable({ type: 'number' }) },
      },
    ],
    ['rebookedRate', nullable({ type: 'number', minimum: 0, maximum: 1 })],
  ]),
};

const therapistKeyForms = Object.entries(THERAPIST_KEY_KINDS)
  .flatMap(([source, kinds]) => kinds.map((kind) => `\`${source}:${kind}:…\``))
  .join(', ');

const SCHEMAS: Record<string, Schema> = {
  Problem: problemSchema,
  FieldProblem: {
    type: 'object',
    required: ['field', 'message'],
    properties: {
      field: { type: 'string', description: 'Dotted path of the field (`entries.0.key`), or `(body)`.' },
      message: { type: 'string' },
    },
  },
  EmailConsent: emailConsentSchema,
  BookingPatient: bookingPatientSchema,
  BookingEvent: bookingEventSchema,
  CalcomWebhook: calcomWebhookSchema,
  CalendlyWebhook: calendlyWebhookSchema,
  AcuityNotification: acuityNotificationSchema,
  WebhookAccepted: {
    type: 'object',
    required: ['accepted'],
    properties: {
      accepted: { const: true },
      id: nullable({ type: 'string', description: 'The event id (or the vendor reference).' }),
      ignored: {
        type: 'string',
        description: 'Present when the delivery was authentic but had nothing to apply.',
      },
    },
  },
  WebhookDuplicate: {
    type: 'object',
    required: ['duplicate'],
    properties: { duplicate: { const: true }, id: { type: 'string' } },
  },
  WebhookPing: { type: 'object', required: ['ok'], properties: { ok: { const: true } } },
  SendWindow: sendWindowSchema,
  SeasonalWindow: seasonalWindowSchema,
  PracticeSettings: {
    type: 'object',
    additionalProperties: false,
    description:
      'Every field is optional: what is given replaces the stored value. Creation needs name, senderAddress and bookingUrl. Read-only fields of the GET answer (lastSeasonalWindowKey, credentials) may be sent back and are ignored.',
    properties: {
      id: id('Must match the path.'),
      ...practiceFields,
      lastSeasonalWindowKey: { readOnly: true },
      credentials: { readOnly: true },
    },
  },
  Practice: {
    type: 'object',
    required: ['id', 'name', 'timeZone', 'locale', 'country', 'credentials'],
    properties: {
      id: id('The practice id.'),
      ...practiceFields,
      lastSeasonalWindowKey: nullable({ type: 'string', readOnly: true }),
      credentials: credentialsViewSchema,
    },
  },
  PracticeCreated: {
    type: 'object',
    required: ['practice', 'apiKey', 'webhookSecrets'],
    properties: {
      practice: schema('Practice'),
      apiKey: { type: 'string', pattern: '^rk_', description: 'The practice API key: shown this once.' },
      webhookSecrets: {
        type: 'object',
        required: ['generic'],
        properties: {
          generic: { type: 'string', description: 'The generic webhook secret: shown this once.' },
        },
      },
    },
  },
  TherapistInput: {
    type: 'object',
    additionalProperties: false,
    description: 'Fields not given keep their value; creation needs displayName and email.',
    properties: {
      id: id('Must match the path.'),
      practiceId: id('Must match the path.'),
      ...therapistFields,
    },
  },
  Therapist: {
    type: 'object',
    required: ['practiceId', 'id', 'displayName', 'email', 'signature', 'locale', 'active'],
    properties: { practiceId: id('The practice.'), id: id('The therapist.'), ...therapistFields },
  },
  ApiKeyRotation: {
    type: 'object',
    required: ['apiKey', 'previousKeysValidUntil'],
    properties: {
      apiKey: { type: 'string', description: 'The new key: shown this once.' },
      previousKeysValidUntil: nullable(instant),
    },
  },
  WebhookSecretRotationRequest: {
    type: 'object',
    additionalProperties: false,
    properties: {
      secret: {
        type: 'string',
        minLength: 16,
        maxLength: 512,
        pattern: '^\\S+$',
        description: 'A secret the tool issued; without it, one is generated.',
      },
    },
  },
  WebhookSecretRotation: {
    type: 'object',
    required: ['source', 'secret', 'previousAcceptedUntil'],
    properties: {
      source: { type: 'string', enum: WEBHOOK_SOURCES },
      secret: { type: 'string', description: 'Shown this once: give it to the booking tool.' },
      previousAcceptedUntil: nullable(instant),
    },
  },
  TemplateSources: {
    type: 'object',
    required: ['subject', 'html', 'text'],
    additionalProperties: false,
    properties: {
      subject: { type: 'string', description: 'Liquid source of the subject.' },
      html: { type: 'string', description: 'Liquid source of the HTML part.' },
      text: { type: 'string', description: 'Liquid source of the plain-text part.' },
    },
  },
  Template: {
    type: 'object',
    required: ['templateId', 'locale', 'source', 'subject', 'html', 'text', 'updatedAt'],
    properties: {
      templateId: { type: 'string', enum: TEMPLATE_IDS },
      locale: { type: 'string', enum: LOCALES },
      source: { type: 'string', enum: ['override', 'library'] },
      subject: { type: 'string' },
      html: { type: 'string' },
      text: { type: 'string' },
      updatedAt: nullable(instant),
    },
  },
  TemplateStored: {
    type: 'object',
    required: ['templateId', 'locale', 'source', 'updatedAt'],
    properties: {
      templateId: { type: 'string', enum: TEMPLATE_IDS },
      locale: { type: 'string', enum: LOCALES },
      source: { const: 'override' },
      updatedAt: instant,
    },
  },
  PreviewRequest: {
    type: 'object',
    additionalProperties: false,
    properties: {
      patientId: id("Render with this patient's own data."),
      sources: schema('TemplateSources'),
    },
  },
  PreviewEmail: {
    type: 'object',
    required: ['subject', 'html', 'text', 'source', 'data'],
    properties: {
      subject: { type: 'string' },
      html: { type: 'string' },
      text: { type: 'string' },
      source: { type: 'string', enum: ['draft', 'override', 'library'] },
      data: { type: 'string', enum: ['sample', 'patient'] },
    },
  },
  UpcomingItem: {
    type: 'object',
    required: ['patientId', 'templateId', 'campaign', 'step', 'plannedOn', 'predictedSendAt', 'decision'],
    properties: {
      patientId: { type: 'string' },
      firstName: nullable({ type: 'string' }),
      therapistId: nullable({ type: 'string' }),
      templateId: { type: 'string', enum: TEMPLATE_IDS },
      campaign: { type: 'string', enum: ['lapse', 'milestone', 'seasonal'] },
      step: { type: 'integer', minimum: 1 },
      dueDate: nullable(localDate),
      plannedOn: localDate,
      predictedSendAt: { ...instant, description: 'Practice-local time.' },
      decision: {
        type: 'string',
        enum: [
          'will_send',
          'held_out',
          'planned',
          ...[...SKIP_REASONS, 'patient_deleted'].map((r) => `skip:${r}`),
        ],
      },
    },
  },
  UpcomingReport: {
    type: 'object',
    required: ['practiceId', 'timeZone', 'generatedAt', 'until', 'days', 'items', 'totals'],
    properties: {
      practiceId: { type: 'string' },
      timeZone: { type: 'string' },
      generatedAt: instant,
      until: instant,
      days: whole(1, MAX_UPCOMING_DAYS, 'The horizon.'),
      items: { type: 'array', items: schema('UpcomingItem') },
      totals: {
        type: 'object',
        additionalProperties: { type: 'integer' },
        description: 'Items per decision.',
      },
    },
  },
  ReportFigures: figuresSchema,
  PracticeReport: {
    type: 'object',
    description: 'Counts and rates only: never a patient id, name, address or comment. See docs/report.md.',
    required: ['practiceId', 'generatedAt', 'period', 'groupBy', 'language', 'groups', 'total', 'holdout'],
    properties: {
      practiceId: { type: 'string' },
      generatedAt: instant,
      period: {
        type: 'object',
        properties: {
          from: localDate,
          to: { ...localDate, description: 'Exclusive.' },
          timeZone: { type: 'string' },
        },
      },
      groupBy: { type: 'string', enum: REPORT_GROUP_BYS },
      language: { type: 'string', enum: LOCALES },
      groups: {
        type: 'array',
        items: {
          allOf: [
            schema('ReportFigures'),
            { type: 'object', properties: { key: nullable({ type: 'string' }), label: { type: 'string' } } },
          ],
        },
      },
      total: schema('ReportFigures'),
      holdout: {
        type: 'object',
        description:
          'Emailed episodes against the held-out control group, with a 95% interval and a verdict.',
        properties: {
          emailed: { type: 'object' },
          heldOut: { type: 'object' },
          excludedMixed: { type: 'integer' },
          difference: nullable({ type: 'number' }),
          ci95: nullable({
            type: 'object',
            properties: { low: { type: 'number' }, high: { type: 'number' } },
          }),
          method: { type: 'string' },
          verdict: {
            type: 'object',
            properties: {
              code: { type: 'string', enum: ['insufficient_data', 'helps', 'no_effect', 'hurts'] },
              text: { type: 'string' },
            },
          },
        },
      },
    },
  },
  ImportRequest: {
    type: 'object',
    required: ['csv'],
    additionalProperties: false,
    properties: {
      csv: { type: 'string', minLength: 1, description: 'The CSV file as text.' },
      mapping: {
        type: 'object',
        additionalProperties: false,
        description: 'Field -> the header of the column to read it from.',
        properties: Object.fromEntries(
          IMPORT_FIELDS.map((field): [string, Schema] => [
            field,
            { type: 'string', minLength: 1, maxLength: 200 },
          ]),
        ),
      },
      separator: { type: 'string', enum: [',', ';'] },
    },
  },
  ImportReport: {
    type: 'object',
    required: ['practiceId', 'outcome', 'dryRun', 'totals', 'lines'],
    properties: {
      practiceId: { type: 'string' },
      outcome: { type: 'string', enum: ['dry_run', 'applied', 'invalid'] },
      dryRun: { type: 'boolean' },
      encoding: { type: 'string', enum: ['utf-8', 'utf-16le', 'windows-1252'] },
      separator: { type: 'string', enum: [',', ';'] },
      columns: { type: 'object', additionalProperties: { type: 'string' } },
      ignoredColumns: { type: 'array', items: { type: 'string' } },
      fileErrors: {
        type: 'array',
        items: {
          type: 'object',
          properties: { line: nullable({ type: 'integer' }), message: { type: 'string' } },
        },
      },
      totals: {
        type: 'object',
        properties: Object.fromEntries(
          ['lines', 'create', 'update', 'unchanged', 'invalid', 'suppressed'].map(
            (name): [string, Schema] => [name, { type: 'integer', minimum: 0 }],
          ),
        ),
      },
      lines: {
        type: 'array',
        items: {
          type: 'object',
          required: ['line', 'patientId', 'action'],
          properties: {
            line: { type: 'integer', minimum: 1 },
            patientId: nullable({ type: 'string' }),
            action: { type: 'string', enum: ['create', 'update', 'unchanged', 'invalid'] },
            fields: { type: 'array', items: { type: 'string', enum: IMPORT_FIELDS } },
            suppressed: { const: true },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  field: nullable({ type: 'string' }),
                  column: nullable({ type: 'string' }),
                  message: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  },
  PatientExport: {
    type: 'object',
    description: 'Everything held about one patient, health data included. See docs/operations.md.',
    required: [
      'format',
      'practiceId',
      'patientId',
      'exportedAt',
      'patient',
      'appointments',
      'outreach',
      'feedback',
    ],
    properties: {
      format: { const: 'reengage.patient-export.v1' },
      practiceId: { type: 'string' },
      patientId: { type: 'string' },
      exportedAt: instant,
      patient: nullable({ type: 'object' }),
      appointments: { type: 'array', items: { type: 'object' } },
      outreach: { type: 'array', items: { type: 'object' } },
      feedback: { type: 'array', items: { type: 'object' } },
      suppression: {
        type: 'object',
        properties: {
          listed: nullable({ type: 'boolean' }),
          reason: nullable({ type: 'string' }),
          at: nullable(instant),
        },
      },
      notes: { type: 'array', items: { type: 'string' } },
    },
  },
  TherapistMappingEntry: {
    type: 'object',
    required: ['key', 'therapistId'],
    additionalProperties: false,
    properties: {
      key: {
        type: 'string',
        minLength: 1,
        maxLength: MAX_THERAPIST_KEY_LENGTH,
        pattern: `^(${Object.entries(THERAPIST_KEY_KINDS)
          .map(([source, kinds]) => `${source}:(${kinds.join('|')})`)
          .join('|')}):\\S+$`,
        description: `One of ${therapistKeyForms}. Organizer emails are compared in lower case; Calendly users and event types are their API URIs (https://api.calendly.com/users/…, …/event_types/…); Cal.com event types and Acuity calendars and appointment types are numeric ids.`,
        examples: [
          'calcom:organizer:lea.martin@cabinet.example',
          'calcom:eventType:42',
          'calendly:user:https://api.calendly.com/users/AAAA',
          'acuity:calendar:27238',
        ],
      },
      therapistId: id('A therapist of the practice.'),
    },
  },
  UnmappedTherapistKey: {
    type: 'object',
    required: ['key', 'firstSeenAt'],
    properties: { key: { type: 'string' }, firstSeenAt: instant },
  },
  TherapistMapping: {
    type: 'object',
    required: ['practiceId', 'entries', 'unmapped'],
    properties: {
      practiceId: { type: 'string' },
      entries: { type: 'array', items: schema('TherapistMappingEntry'), maxItems: MAX_MAPPING_ENTRIES },
      unmapped: {
        type: 'array',
        items: schema('UnmappedTherapistKey'),
        description:
          'Keys seen in bookings with no entry (the booking went to defaultTherapistId), oldest first, at most 50.',
      },
    },
  },
  TherapistMappingInput: {
    type: 'object',
    required: ['entries'],
    additionalProperties: false,
    description:
      'The whole list, replacing the stored one. practiceId and unmapped (from a GET answer) may be sent back; unmapped is ignored.',
    properties: {
      practiceId: { type: 'string', description: 'Must match the path.' },
      entries: { type: 'array', items: schema('TherapistMappingEntry'), maxItems: MAX_MAPPING_ENTRIES },
      unmapped: { description: 'Ignored.' },
    },
  },
  AcuityCredentials: {
    type: 'object',
    required: ['userId', 'apiKey'],
    additionalProperties: false,
    properties: {
      userId: {
        type: 'string',
        pattern: '^\\d{1,20}$',
        description: 'The numeric User ID (Acuity: Integrations → API).',
      },
      apiKey: {
        type: 'string',
        minLength: 16,
        maxLength: 512,
        pattern: '^[\\x21-\\x7e]+$',
        writeOnly: true,
        description: 'The API key. It also verifies X-Acuity-Signature. Never returned.',
      },
    },
  },
  AcuityCredentialsState: {
    type: 'object',
    required: ['source', 'configured', 'previousKeyAcceptedUntil'],
    properties: {
      source: { const: 'acuity' },
      configured: { type: 'boolean' },
      previousKeyAcceptedUntil: {
        ...nullable(instant),
        description: `After a key change, webhooks signed with the previous key verify until then (${ROTATION_GRACE_DAYS} days).`,
      },
    },
  },
  Integrations: {
    type: 'object',
    required: ['practiceId', 'sources', 'therapistMapping', 'openApiUrl'],
    properties: {
      practiceId: { type: 'string' },
      sources: {
        type: 'object',
        required: [...WEBHOOK_SOURCES],
        properties: Object.fromEntries(
          WEBHOOK_SOURCES.map((source): [string, Schema] => [source, schema('IntegrationState')]),
        ),
      },
      therapistMapping: {
        type: 'object',
        properties: { entries: { type: 'integer', minimum: 0 }, unmapped: { type: 'integer', minimum: 0 } },
      },
      openApiUrl: { type: 'string', format: 'uri' },
    },
  },
  IntegrationState: {
    type: 'object',
    required: ['webhookUrl', 'signatureHeader', 'configured'],
    properties: {
      webhookUrl: { type: 'string', format: 'uri', description: 'Paste it into the booking tool.' },
      signatureHeader: { type: 'string' },
      configured: {
        type: 'boolean',
        description:
          'A delivery can be verified now: the webhook secret is set (for Acuity: the API credentials).',
      },
    },
  },
  AnswerForm: {
    type: 'object',
    description: 'What the pages post. A one-click unsubscribe client posts `List-Unsubscribe=One-Click`.',
    properties: {
      rating: { type: 'string', enum: ['1', '2', '3', '4', '5'], description: 'Feedback form.' },
      comment: { type: 'string', maxLength: MAX_COMMENT_CHARS, description: 'Feedback form, optional.' },
      'List-Unsubscribe': { const: 'One-Click' },
    },
  },
};

// ---------------------------------------------------------------------------------------------------------
// Parameters, responses, security

const signatureHeader = (name: string, source: string, description: string): Parameter => ({
  name,
  in: 'header',
  required: false,
  description: `Required when source is \`${source}\`. ${description}`,
  schema: { type: 'string' },
});

const PARAMETERS: Record<string, Parameter> = {
  PracticeId: {
    name: 'practiceId',
    in: 'path',
    required: true,
    description: `The practice: ${ID_HINT}`,
    schema: { type: 'string', pattern: ID_PATTERN.source },
  },
  TherapistId: {
    name: 'therapistId',
    in: 'path',
    required: true,
    description: `The therapist: ${ID_HINT}`,
    schema: { type: 'string', pattern: ID_PATTERN.source },
  },
  PatientId: {
    name: 'patientId',
    in: 'path',
    required: true,
    description: `The patient: ${ID_HINT}`,
    schema: { type: 'string', pattern: ID_PATTERN.source },
  },
  TemplateId: {
    name: 'templateId',
    in: 'path',
    required: true,
    description: 'One of the eight library templates.',
    schema: { type: 'string', enum: TEMPLATE_IDS },
  },
  Locale: {
    name: 'locale',
    in: 'path',
    required: true,
    description: 'The locale.',
    schema: { type: 'string', enum: LOCALES },
  },
  Source: {
    name: 'source',
    in: 'path',
    required: true,
    description: 'The booking tool: `generic` (our own format, SPEC §8), `calcom`, `calendly` or `acuity`.',
    schema: { type: 'string', enum: WEBHOOK_SOURCES },
  },
  Token: {
    name: 'token',
    in: 'path',
    required: true,
    description: 'The signed, expiring token of an email link (HMAC-SHA256 with a key id): the only key.',
    schema: { type: 'string', maxLength: 2048 },
  },
  ReengageSignature: signatureHeader(
    'Reengage-Signature',
    'generic',
    `\`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>\`; several \`v1=\` may be present (secret rotation); ${SIGNATURE_TOLERANCE_SECONDS} s tolerance; compared in constant time.`,
  ),
  CalSignature: signatureHeader(
    CALCOM_SIGNATURE_HEADER,
    'calcom',
    "Hex HMAC-SHA256 of the raw body with the webhook secret (Cal.com's scheme; no timestamp, duplicates are recognized by booking, trigger and time).",
  ),
  CalendlySignature: signatureHeader(
    CALENDLY_SIGNATURE_HEADER,
    'calendly',
    `\`t=<unix seconds>,v1=<hex HMAC-SHA256(signing key, "<t>.<raw body>")>\` (Calendly's scheme); ${SIGNATURE_TOLERANCE_SECONDS} s tolerance.`,
  ),
  AcuitySignature: signatureHeader(
    ACUITY_SIGNATURE_HEADER,
    'acuity',
    "Base64 HMAC-SHA256 of the raw body with the account's API key (Acuity's scheme).",
  ),
};

const problemContent = { 'application/problem+json': { schema: schema('Problem') } };
const problemResponse = (description: string, headers?: Record<string, Header>): Response => ({
  description,
  ...(headers ? { headers } : {}),
  content: problemContent,
});

const RETRY_AFTER: Record<string, Header> = {
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
};

const page = (description: string, headers?: Record<string, Header>): Response => ({
  description: `${description} An HTML page in the email's language (CSP \`default-src 'none'; style-src 'unsafe-inline'; form-action 'self'\`).`,
  ...(headers ? { headers } : {}),
  content: { 'text/html': { schema: { type: 'string' } } },
});

const RESPONSES: Record<string, Response> = {
  BadRequest: problemResponse(
    'Invalid body, path segment or query; `errors` names each bad field. Nothing was changed.',
  ),
  Unauthorized: problemResponse(
    `Missing or wrong practice key (\`${PRACTICE_KEY_HEADER}\`), another practice's key, or an unknown practice: all answer alike. (A missing or wrong function key is answered 401 by the Functions host itself, without a body.)`,
    {
      'WWW-Authenticate': {
        description: `\`ApiKey header="${PRACTICE_KEY_HEADER}"\``,
        schema: { type: 'string' },
      },
    },
  ),
  NotFound: problemResponse('Unknown template, locale, webhook source or patient.'),
  Conflict: problemResponse(
    'The resource changed while the request ran (send it again), or two creations raced.',
  ),
  PayloadTooLarge: problemResponse('The body is too large.'),
  UnsupportedMediaType: problemResponse('The body is not of the media type the route takes.'),
  PageBadRequest: page(
    'A malformed or tampered token, a token of another route, or a form that cannot be read; for feedback, the form again with its errors.',
  ),
  PageNotFound: page('A well-signed token whose email is unknown here.'),
  PageMethodNotAllowed: page('A method the route does not take.', {
    Allow: { description: 'The methods the route takes.', schema: { type: 'string' } },
  }),
  PageGone: page('An expired link; the page still offers the booking page.'),
  PageTooLarge: page(`A form body over ${MAX_FORM_BYTES / 1024} KB.`),
  PageUnsupported: page('A POST whose body is not a form.'),
  PageUnavailable: page('Storage unavailable or another failure: try again in a few minutes.', RETRY_AFTER),
};

const SECURITY_SCHEMES: Record<string, SecurityScheme> = {
  functionKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-functions-key',
    description:
      'A function or host key of the Function App (checked by the Functions host, authLevel function).',
  },
  functionKeyQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'code',
    description: 'The same function key as `?code=`, for clients that cannot set a header.',
  },
  practiceKey: {
    type: 'apiKey',
    in: 'header',
    name: PRACTICE_KEY_HEADER,
    description:
      'The practice API key (`rk_…`), issued at creation and by rotation, stored hashed. It opens its own practice only.',
  },
};

// ---------------------------------------------------------------------------------------------------------
// Paths

const practicePath = { parameters: [parameter('PracticeId')] };
const noStore: Record<string, Header> = {
  'Cache-Control': { description: '`no-store`.', schema: { type: 'string' } },
};

const PATHS: Record<string, PathItem> = {
  '/webhooks/{source}/{practiceId}': {
    parameters: [parameter('Source'), parameter('PracticeId')],
    post: {
      operationId: 'bookingWebhook',
      'x-function-name': 'bookingWebhook',
      tags: ['Webhooks'],
      summary: 'Booking events in, from a booking tool',
      description: `Anonymous: authenticated by the source's signature over the raw body (one header per source, below). A bad, missing or expired signature and an unknown practice answer the same 401. A rejected delivery changes nothing. Body at most ${MAX_WEBHOOK_BYTES / 1024} KB; JSON for generic, calcom and calendly, a form for acuity. See docs/integrations.md.`,
      security: ANONYMOUS,
      parameters: [
        parameter('ReengageSignature'),
        parameter('CalSignature'),
        parameter('CalendlySignature'),
        parameter('AcuitySignature'),
      ],
      requestBody: {
        required: true,
        description: 'The payload of the source named in the path.',
        content: {
          'application/json': {
            schema: { anyOf: [schema('BookingEvent'), schema('CalcomWebhook'), schema('CalendlyWebhook')] },
          },
          'application/x-www-form-urlencoded': { schema: schema('AcuityNotification') },
        },
      },
      responses: {
        '200': ok('A Cal.com PING, or an event already applied (`duplicate`): nothing changed.', {
          anyOf: [schema('WebhookDuplicate'), schema('WebhookPing')],
        }),
        '202': ok(
          'Accepted and applied, or authentic with nothing to apply (`ignored`).',
          schema('WebhookAccepted'),
        ),
        '400': response('BadRequest'),
        '401': problemResponse('Bad, missing or expired signature, or unknown practice.'),
        '404': problemResponse('Unknown source.'),
        '413': problemResponse(`Body over ${MAX_WEBHOOK_BYTES} bytes.`),
        '415': problemResponse('Not JSON (generic, calcom, calendly) or not a form (acuity).'),
        '502': problemResponse(
          'Acuity refused the stored credentials, or answered an unreadable appointment.',
        ),
        '503': problemResponse('The Acuity API could not be reached; deliver again later.', RETRY_AFTER),
      },
    },
  },

  '/r/{token}': {
    parameters: [parameter('Token')],
    get: {
      operationId: 'openAnswerLink',
      'x-function-name': 'respond',
      tags: ['Patient answers'],
      summary: "A patient's book / not now / feedback link",
      description:
        'Book: records the click, then 302 to the booking page. Not now and feedback: a page with a confirm button or the form; changes nothing (mail scanners open every link). See docs/answers.md.',
      security: ANONYMOUS,
      responses: {
        '200': page('The not-now confirmation or the feedback form.'),
        '302': {
          description: "Book: the practice's booking page.",
          headers: {
            Location: { description: 'The booking URL.', schema: { type: 'string', format: 'uri' } },
          },
        },
        '400': response('PageBadRequest'),
        '404': response('PageNotFound'),
        '405': response('PageMethodNotAllowed'),
        '410': response('PageGone'),
        '503': response('PageUnavailable'),
      },
    },
    post: {
      operationId: 'confirmAnswerLink',
      'x-function-name': 'respond',
      tags: ['Patient answers'],
      summary: "Confirms a patient's answer (pause 90 days, feedback, or book)",
      security: ANONYMOUS,
      requestBody: {
        required: false,
        description: 'The form of the page.',
        content: {
          'application/x-www-form-urlencoded': { schema: schema('AnswerForm') },
          'multipart/form-data': { schema: schema('AnswerForm') },
        },
      },
      responses: {
        '200': page('Done: a confirmation page.'),
        '303': {
          description: "Book: the practice's booking page.",
          headers: {
            Location: { description: 'The booking URL.', schema: { type: 'string', format: 'uri' } },
          },
        },
        '400': response('PageBadRequest'),
        '404': response('PageNotFound'),
        '405': response('PageMethodNotAllowed'),
        '410': response('PageGone'),
        '413': response('PageTooLarge'),
        '415': response('PageUnsupported'),
        '503': response('PageUnavailable'),
      },
    },
  },

  '/feedback/{token}': {
    parameters: [parameter('Token')],
    post: {
      operationId: 'feedback',
      'x-function-name': 'feedback',
      tags: ['Patient answers'],
      summary: 'Stores a rating (1-5) and an optional comment, one per email',
      security: ANONYMOUS,
      requestBody: {
        required: true,
        description: `rating 1-5, comment up to ${MAX_COMMENT_CHARS} characters.`,
        content: {
          'application/x-www-form-urlencoded': { schema: schema('AnswerForm') },
          'multipart/form-data': { schema: schema('AnswerForm') },
        },
      },
      responses: {
        '200': page('Thank-you page.'),
        '400': response('PageBadRequest'),
        '404': response('PageNotFound'),
        '405': response('PageMethodNotAllowed'),
        '410': response('PageGone'),
        '413': response('PageTooLarge'),
        '415': response('PageUnsupported'),
        '503': response('PageUnavailable'),
      },
    },
  },

  '/unsubscribe/{token}': {
    parameters: [parameter('Token')],
    get: {
      operationId: 'showUnsubscribe',
      'x-function-name': 'unsubscribe',
      tags: ['Patient answers'],
      summary: 'The unsubscribe confirmation page (changes nothing)',
      security: ANONYMOUS,
      responses: {
        '200': page('A confirmation page with a button.'),
        '400': response('PageBadRequest'),
        '404': response('PageNotFound'),
        '405': response('PageMethodNotAllowed'),
        '503': response('PageUnavailable'),
      },
    },
    post: {
      operationId: 'unsubscribe',
      'x-function-name': 'unsubscribe',
      tags: ['Patient answers'],
      summary: 'Unsubscribes: RFC 8058 one-click, or the page button',
      description: 'Idempotent. An expired but well-signed link still unsubscribes.',
      security: ANONYMOUS,
      requestBody: {
        required: false,
        description: '`List-Unsubscribe=One-Click` (any form body will do).',
        content: {
          'application/x-www-form-urlencoded': { schema: schema('AnswerForm') },
          'multipart/form-data': { schema: schema('AnswerForm') },
        },
      },
      responses: {
        '200': page('Unsubscribed.'),
        '400': response('PageBadRequest'),
        '404': response('PageNotFound'),
        '405': response('PageMethodNotAllowed'),
        '413': response('PageTooLarge'),
        '415': response('PageUnsupported'),
        '503': response('PageUnavailable'),
      },
    },
  },

  '/practices/{practiceId}': {
    ...practicePath,
    put: {
      operationId: 'putPractice',
      'x-function-name': 'putPractice',
      tags: ['Practice'],
      summary: 'Creates the practice (first call), then updates its settings',
      description:
        'The first PUT needs the function key only and answers 201 with the API key and the generic webhook secret, shown once. Later PUTs need the practice key and change only the fields given.',
      security: [...ADMIN_SECURITY, { functionKey: [] }, { functionKeyQuery: [] }],
      requestBody: {
        required: true,
        description: 'Settings.',
        content: jsonBody(schema('PracticeSettings')),
      },
      responses: {
        '200': ok('Updated: the settings as GET answers them.', schema('Practice')),
        '201': {
          description: 'Created.',
          headers: { Location: { description: '`/api/practices/{practiceId}`', schema: { type: 'string' } } },
          content: jsonBody(schema('PracticeCreated')),
        },
        ...adminErrors(...JSON_WRITE_ERRORS),
      },
    },
    get: admin({
      operationId: 'getPractice',
      'x-function-name': 'getPractice',
      tags: ['Practice'],
      summary: 'The settings, and the state (never the value) of the credentials',
      responses: { '200': ok('The practice.', schema('Practice')) },
    }),
  },

  '/practices/{practiceId}/therapists': {
    ...practicePath,
    get: admin({
      operationId: 'listTherapists',
      'x-function-name': 'listTherapists',
      tags: ['Therapists'],
      summary: "The practice's therapists",
      responses: {
        '200': ok('By id.', {
          type: 'object',
          required: ['therapists'],
          properties: { therapists: { type: 'array', items: schema('Therapist') } },
        }),
      },
    }),
  },

  '/practices/{practiceId}/therapists/{therapistId}': {
    parameters: [parameter('PracticeId'), parameter('TherapistId')],
    put: admin(
      {
        operationId: 'putTherapist',
        'x-function-name': 'putTherapist',
        tags: ['Therapists'],
        summary: 'Creates (201) or updates (200) a therapist',
        requestBody: {
          required: true,
          description: 'The therapist.',
          content: jsonBody(schema('TherapistInput')),
        },
        responses: {
          '200': ok('Updated.', schema('Therapist')),
          '201': ok('Created.', schema('Therapist')),
        },
      },
      JSON_WRITE_ERRORS,
    ),
  },

  '/practices/{practiceId}/keys/rotate': {
    ...practicePath,
    post: admin(
      {
        operationId: 'rotatePracticeKey',
        'x-function-name': 'rotatePracticeKey',
        tags: ['Credentials'],
        summary: `A new practice API key; the previous ones keep working ${ROTATION_GRACE_DAYS} days`,
        responses: { '200': ok('The new key, shown this once.', schema('ApiKeyRotation')) },
      },
      ['409'],
    ),
  },

  '/practices/{practiceId}/webhook-secrets/{source}/rotate': {
    parameters: [parameter('PracticeId'), parameter('Source')],
    post: admin(
      {
        operationId: 'rotateWebhookSecret',
        'x-function-name': 'rotateWebhookSecret',
        tags: ['Credentials'],
        summary: `A new webhook secret for one source; the previous one is accepted ${ROTATION_GRACE_DAYS} days`,
        requestBody: {
          required: false,
          description: 'Optional: a secret the tool issued.',
          content: jsonBody(schema('WebhookSecretRotationRequest')),
        },
        responses: { '200': ok('The new secret, shown this once.', schema('WebhookSecretRotation')) },
      },
      ['404', ...JSON_WRITE_ERRORS],
    ),
  },

  '/practices/{practiceId}/therapist-mapping': {
    ...practicePath,
    get: admin({
      operationId: 'getTherapistMapping',
      'x-function-name': 'getTherapistMapping',
      tags: ['Integrations'],
      summary: "Which therapist each booking tool's organizer, calendar or event type stands for",
      description: 'The entries, and the keys bookings offered that no entry maps (`unmapped`).',
      responses: { '200': ok('The mapping (empty when never set).', schema('TherapistMapping')) },
    }),
    put: admin(
      {
        operationId: 'putTherapistMapping',
        'x-function-name': 'putTherapistMapping',
        tags: ['Integrations'],
        summary: 'Replaces the therapist mapping',
        description: `Every therapist must exist; a key may appear once; at most ${MAX_MAPPING_ENTRIES} entries. Mapped keys leave the unmapped list. Bookings offer their keys most specific first (the person before the event type); the first mapped one wins.`,
        requestBody: {
          required: true,
          description: 'The entries.',
          content: jsonBody(schema('TherapistMappingInput')),
        },
        responses: { '200': ok('The mapping as stored.', schema('TherapistMapping')) },
      },
      JSON_WRITE_ERRORS,
    ),
  },

  '/practices/{practiceId}/integrations': {
    ...practicePath,
    get: admin({
      operationId: 'getIntegrations',
      'x-function-name': 'getIntegrations',
      tags: ['Integrations'],
      summary: 'Set-up check: webhook URL, signature header and whether each tool can deliver',
      description: 'Never a secret or a credential: only whether one is set.',
      responses: { '200': ok('The integrations.', schema('Integrations')) },
    }),
  },

  '/practices/{practiceId}/integrations/acuity': {
    ...practicePath,
    put: admin(
      {
        operationId: 'putAcuityCredentials',
        'x-function-name': 'putAcuityCredentials',
        tags: ['Integrations'],
        summary: "Sets the practice's Acuity API credentials",
        description: `Acuity's webhooks carry ids only: the appointment is read from Acuity's API with these. The API key also verifies X-Acuity-Signature; after a change, the previous key still verifies for ${ROTATION_GRACE_DAYS} days. Never returned by any GET.`,
        requestBody: {
          required: true,
          description: 'The credentials.',
          content: jsonBody(schema('AcuityCredentials')),
        },
        responses: {
          '200': ok('Replaced (or unchanged).', schema('AcuityCredentialsState')),
          '201': ok('Set for the first time.', schema('AcuityCredentialsState')),
        },
      },
      JSON_WRITE_ERRORS,
    ),
  },

  '/practices/{practiceId}/templates/{templateId}/{locale}': {
    parameters: [parameter('PracticeId'), parameter('TemplateId'), parameter('Locale')],
    put: admin(
      {
        operationId: 'putTemplateOverride',
        'x-function-name': 'putTemplateOverride',
        tags: ['Templates'],
        summary: 'Stores an override, once it parses and renders against sample data',
        requestBody: {
          required: true,
          description: 'The three Liquid sources (at most 768 KB in all).',
          content: jsonBody(schema('TemplateSources')),
        },
        responses: {
          '200': ok('Replaced.', schema('TemplateStored')),
          '201': ok('Created.', schema('TemplateStored')),
        },
      },
      ['404', ...JSON_WRITE_ERRORS],
    ),
    get: admin(
      {
        operationId: 'getTemplate',
        'x-function-name': 'getTemplate',
        tags: ['Templates'],
        summary: "The sources a send would use: the override, or the library's",
        responses: { '200': ok('The template.', schema('Template')) },
      },
      ['404'],
    ),
    delete: admin(
      {
        operationId: 'deleteTemplateOverride',
        'x-function-name': 'deleteTemplateOverride',
        tags: ['Templates'],
        summary: 'Reverts to the library (204 also when there was no override)',
        responses: { '204': { description: 'Reverted.' } },
      },
      ['404'],
    ),
  },

  '/practices/{practiceId}/templates/{templateId}/{locale}/preview': {
    parameters: [parameter('PracticeId'), parameter('TemplateId'), parameter('Locale')],
    post: admin(
      {
        operationId: 'previewTemplate',
        'x-function-name': 'previewTemplate',
        tags: ['Templates'],
        summary: 'Renders the template as a patient would receive it (sample links only)',
        requestBody: {
          required: false,
          description: 'Optional.',
          content: jsonBody(schema('PreviewRequest')),
        },
        responses: {
          '200': ok('The rendered email.', schema('PreviewEmail')),
          '422': problemResponse('The stored template fails to render with this data.'),
        },
      },
      ['404', ...JSON_WRITE_ERRORS],
    ),
  },

  '/practices/{practiceId}/upcoming': {
    ...practicePath,
    get: admin(
      {
        operationId: 'upcomingSends',
        'x-function-name': 'upcomingSends',
        tags: ['Reports'],
        summary: 'What the practice will send in the next days, and why',
        parameters: [
          {
            name: 'days',
            in: 'query',
            required: false,
            description: 'The horizon in days.',
            schema: { type: 'integer', minimum: 1, maximum: MAX_UPCOMING_DAYS, default: 7 },
          },
        ],
        responses: { '200': ok('The forecast; nothing is written.', schema('UpcomingReport')) },
      },
      ['400'],
    ),
  },

  '/practices/{practiceId}/report': {
    ...practicePath,
    get: admin(
      {
        operationId: 'practiceReport',
        'x-function-name': 'practiceReport',
        tags: ['Reports'],
        summary: 'What the emails did over a period, against the held-out control group',
        description: 'JSON, or CSV when `Accept` names text/csv and does not prefer application/json.',
        parameters: [
          {
            name: 'from',
            in: 'query',
            description: 'Inclusive; default 90 days before `to`.',
            schema: localDate,
          },
          { name: 'to', in: 'query', description: 'Exclusive; default tomorrow.', schema: localDate },
          {
            name: 'groupBy',
            in: 'query',
            description: 'Grouping.',
            schema: { type: 'string', enum: REPORT_GROUP_BYS, default: 'template' },
          },
          {
            name: 'lang',
            in: 'query',
            description: 'Labels and verdict.',
            schema: { type: 'string', enum: LOCALES, default: 'en' },
          },
        ],
        responses: {
          '200': {
            description: 'The report.',
            headers: noStore,
            content: {
              'application/json': { schema: schema('PracticeReport') },
              'text/csv': { schema: { type: 'string' } },
            },
          },
        },
      },
      ['400'],
    ),
  },

  '/practices/{practiceId}/patients/import': {
    ...practicePath,
    post: admin(
      {
        operationId: 'importPatients',
        'x-function-name': 'importPatients',
        tags: ['Patients'],
        summary: 'Imports a CSV of patients: all lines checked first, all or nothing',
        description: 'At most 10 MB and 100,000 lines. See docs/import.md for the columns.',
        parameters: [
          {
            name: 'dryRun',
            in: 'query',
            description: 'Report what would change, write nothing.',
            schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
          },
          {
            name: 'separator',
            in: 'query',
            description: 'Detected from the header line when not given.',
            schema: { type: 'string', enum: [',', ';', 'comma', 'semicolon'] },
          },
        ],
        requestBody: {
          required: true,
          description: `The file (UTF-8 or Windows-1252), or JSON with the file, a column mapping (fields: ${IMPORT_FIELDS.join(', ')}) and a separator.`,
          content: {
            'text/csv': { schema: { type: 'string' } },
            'application/json': { schema: schema('ImportRequest') },
          },
        },
        responses: {
          '200': {
            description: 'Dry run or applied.',
            headers: noStore,
            content: jsonBody(schema('ImportReport')),
          },
          '422': {
            description: 'Invalid lines or file: nothing was imported.',
            content: {
              'application/problem+json': { schema: { allOf: [schema('Problem'), schema('ImportReport')] } },
            },
          },
        },
      },
      ['400', '413', '415'],
    ),
  },

  '/practices/{practiceId}/patients/{patientId}/export': {
    parameters: [parameter('PracticeId'), parameter('PatientId')],
    get: admin(
      {
        operationId: 'exportPatient',
        'x-function-name': 'exportPatient',
        tags: ['Patients'],
        summary: 'Everything held about one patient (GDPR access)',
        responses: {
          '200': {
            description: 'As an attachment.',
            headers: {
              'Content-Disposition': {
                description: '`attachment; filename="patient-<id>.json"`',
                schema: { type: 'string' },
              },
            },
            content: jsonBody(schema('PatientExport')),
          },
        },
      },
      ['400', '404'],
    ),
  },

  '/practices/{practiceId}/patients/{patientId}': {
    parameters: [parameter('PracticeId'), parameter('PatientId')],
    delete: admin(
      {
        operationId: 'erasePatient',
        'x-function-name': 'erasePatient',
        tags: ['Patients'],
        summary: 'Erases a patient (GDPR erasure); 404 when nothing is left to erase',
        responses: { '204': { description: 'Erased.' } },
      },
      ['400', '404'],
    ),
  },

  '/openapi.json': {
    get: {
      operationId: 'openApiDocument',
      'x-function-name': 'openApiDocument',
      tags: ['Meta'],
      summary: 'This document',
      security: ANONYMOUS,
      responses: {
        '200': {
          description: 'The OpenAPI 3.1 document.',
          headers: {
            'Cache-Control': { description: '`public, max-age=300`.', schema: { type: 'string' } },
            ETag: { description: 'Changes with the document.', schema: { type: 'string' } },
          },
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        '304': { description: 'Not modified (If-None-Match).' },
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------------------
// The document

export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Reengage API',
    version: '0.1.0',
    summary: 'Booking webhooks in, the practice admin API, and the pages behind the links of the emails.',
    description: [
      'Reengage brings back patients who drifted away from a practice with warm, no-pressure emails.',
      '',
      "- **Booking webhooks** (`/webhooks/{source}/{practiceId}`) are anonymous and authenticated by each tool's signature over the raw body.",
      `- **The admin API** (\`/practices/{practiceId}/…\`) needs the Function App's function key (\`x-functions-key\` or \`?code=\`) and the practice's own API key (\`${PRACTICE_KEY_HEADER}\`). JSON in, JSON out; errors are \`application/problem+json\`; answers carry \`Cache-Control: no-store\`. No input produces a 5xx.`,
      '- **Patient answers** (`/r/{token}`, `/feedback/{token}`, `/unsubscribe/{token}`) are HTML pages; the signed token is the only key, and a GET never changes anything beyond recording a book click.',
      '',
      'Guides: docs/integrations.md (connecting a booking tool), docs/admin-api.md, docs/import.md, docs/report.md, docs/answers.md.',
    ].join('\n'),
  },
  servers: [{ url: '/api', description: 'The Function App, e.g. https://<app>.azurewebsites.net/api' }],
  tags: [
    { name: 'Webhooks', description: 'Booking events in (SPEC §8).' },
    { name: 'Practice', description: 'Practice settings.' },
    { name: 'Therapists', description: "The practice's therapists." },
    { name: 'Credentials', description: 'API key and webhook secret rotation.' },
    { name: 'Integrations', description: 'Booking-tool set-up: therapist mapping, Acuity credentials.' },
    { name: 'Templates', description: 'Template overrides per locale.' },
    { name: 'Patients', description: 'CSV import, GDPR export and erasure.' },
    { name: 'Reports', description: 'Upcoming sends and the practice report.' },
    { name: 'Patient answers', description: 'The HTML pages behind the links of the emails.' },
    { name: 'Meta', description: 'This document.' },
  ],
  security: ADMIN_SECURITY,
  paths: PATHS,
  components: {
    schemas: SCHEMAS,
    parameters: PARAMETERS,
    responses: RESPONSES,
    securitySchemes: SECURITY_SCHEMES,
  },
};
