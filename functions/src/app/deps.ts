// What the use cases need, as ports: built once per process by composition.ts.
import type {
  AcuityApi,
  AppointmentStore,
  Clock,
  DueIndex,
  EmailSender,
  FeedbackStore,
  InboundEventStore,
  Logger,
  MessageIndex,
  OutreachLedger,
  OverridableTemplateRenderer,
  PatientStore,
  PoisonQueue,
  PracticeStore,
  QuotaLimits,
  SendScheduler,
  SendSlotStore,
  SuppressionStore,
} from '../core/ports';
import type { SigningKey } from '../core/tokens';

export interface Deps {
  clock: Clock;
  log: Logger;
  practices: PracticeStore;
  patients: PatientStore;
  appointments: AppointmentStore;
  ledger: OutreachLedger;
  dueIndex: DueIndex;
  inboundEvents: InboundEventStore;
  messageIndex: MessageIndex;
  feedback: FeedbackStore;
  suppressions: SuppressionStore;
  slots: SendSlotStore;
  scheduler: SendScheduler;
  sender: EmailSender;
  /** The library renderer; also renders and validates practices' template overrides. */
  renderer: OverridableTemplateRenderer;
  quota: QuotaLimits;
  links: { publicBaseUrl: string; keys: SigningKey[] };
  /** `email-events-poison`: malformed delivery reports go there at once instead of being retried. */
  emailEventsPoison: PoisonQueue;
  /** RETENTION_DAYS: outreach rows planned longer ago than this lose their personal content. */
  retentionDays: number;
  /** Acuity Scheduling's API (ACUITY_API_BASE_URL): its webhooks carry ids only. */
  acuity: AcuityApi;
}
