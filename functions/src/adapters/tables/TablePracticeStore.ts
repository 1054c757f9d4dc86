// Practices table (PK practiceId; RK `practice` for settings, `secrets` for webhook secrets and API key
// hashes, kept apart so that listing or exporting settings never carries secrets, and
// `template|<templateId>|<locale>` for template overrides) and Therapists table (PK practiceId, RK therapistId).
import { odata, type TableClient, type TableEntity } from '@azure/data-tables';
import {
  LOCALES,
  type Locale,
  type Practice,
  TEMPLATE_IDS,
  type TemplateId,
  type Therapist,
} from '../../core/model';
import type {
  PracticeSecrets,
  PracticeStore,
  TemplateOverride,
  TherapistMapping,
  Versioned,
} from '../../core/ports';
import { EntityReader, json, type StoredProperties, toEntity } from './entityCodec';
import { checkedKey } from './keys';
import { TableOperations } from './TableOperations';

const PRACTICE_ROW = 'practice';
const SECRETS_ROW = 'secrets';
/** Booking-tool keys → therapists, and the keys seen unmapped (core/vendors/therapistMapping.ts). */
const THERAPIST_MAPPING_ROW = 'therapist-mapping';

export function practiceToEntity(table: string, practice: Practice): TableEntity<StoredProperties> {
  return toEntity(table, checkedKey(practice.id, 'practice id'), PRACTICE_ROW, {
    id: practice.id,
    name: practice.name,
    timeZone: practice.timeZone,
    locale: practice.locale,
    country: practice.country,
    senderAddress: practice.senderAddress,
    senderDisplayName: practice.senderDisplayName,
    bookingUrl: practice.bookingUrl,
    lapseDays: practice.lapseDays,
    cooldownDays: practice.cooldownDays,
    maxTouchesPerEpisode: practice.maxTouchesPerEpisode,
    maxTouchesPer365Days: practice.maxTouchesPer365Days,
    cadenceDays: json(practice.cadenceDays),
    sendWindow: json(practice.sendWindow),
    closedDates: json(practice.closedDates),
    seasonalWindows: json(practice.seasonalWindows),
    allowClinicalDetails: practice.allowClinicalDetails,
    holdoutPercent: practice.holdoutPercent,
    resources: json(practice.resources),
    defaultTherapistId: practice.defaultTherapistId,
    lastSeasonalWindowKey: practice.lastSeasonalWindowKey,
  });
}

export function practiceFromEntity(table: string, entity: Record<string, unknown>): Practice {
  const r = new EntityReader(entity, table);
  return {
    id: r.string('id'),
    name: r.string('name'),
    timeZone: r.string('timeZone'),
    locale: r.oneOf('locale', LOCALES),
    country: r.string('country'),
    senderAddress: r.string('senderAddress'),
    senderDisplayName: r.string('senderDisplayName'),
    bookingUrl: r.string('bookingUrl'),
    lapseDays: r.number('lapseDays'),
    cooldownDays: r.number('cooldownDays'),
    maxTouchesPerEpisode: r.number('maxTouchesPerEpisode'),
    maxTouchesPer365Days: r.number('maxTouchesPer365Days'),
    cadenceDays: r.json('cadenceDays'),
    sendWindow: r.json('sendWindow'),
    closedDates: r.json('closedDates'),
    seasonalWindows: r.json('seasonalWindows'),
    allowClinicalDetails: r.boolean('allowClinicalDetails'),
    holdoutPercent: r.number('holdoutPercent'),
    resources: r.json('resources'),
    defaultTherapistId: r.optionalString('defaultTherapistId'),
    lastSeasonalWindowKey: r.optionalString('lastSeasonalWindowKey'),
  };
}

export function secretsToEntity(table: string, secrets: PracticeSecrets): TableEntity<StoredProperties> {
  return toEntity(table, checkedKey(secrets.practiceId, 'practice id'), SECRETS_ROW, {
    practiceId: secrets.practiceId,
    webhooks: json(secrets.webhooks),
    apiKeyHashes: json(secrets.apiKeyHashes),
    apiKeys: json(secrets.apiKeys),
    acuity: json(secrets.acuity),
  });
}

export function secretsFromEntity(table: string, entity: Record<string, unknown>): PracticeSecrets {
  const r = new EntityReader(entity, table);
  return {
    practiceId: r.string('practiceId'),
    webhooks: r.json('webhooks'),
    apiKeyHashes: r.json('apiKeyHashes'),
    // Only present once a key was issued or rotated through the admin API.
    ...(entity.apiKeys === undefined ? {} : { apiKeys: r.json('apiKeys') }),
    // Only present once Acuity Scheduling was connected.
    ...(entity.acuity === undefined ? {} : { acuity: r.json('acuity') }),
  };
}

export function therapistMappingToEntity(
  table: string,
  mapping: TherapistMapping,
): TableEntity<StoredProperties> {
  return toEntity(table, checkedKey(mapping.practiceId, 'practice id'), THERAPIST_MAPPING_ROW, {
    practiceId: mapping.practiceId,
    entries: json(mapping.entries),
    unmapped: json(mapping.unmapped),
  });
}

export function therapistMappingFromEntity(table: string, entity: Record<string, unknown>): TherapistMapping {
  const r = new EntityReader(entity, table);
  return { practiceId: r.string('practiceId'), entries: r.json('entries'), unmapped: r.json('unmapped') };
}

/** One template source may be longer than a table property holds (60,000 vs 32,000 characters): split it. */
const TEMPLATE_CHUNK_CHARS = 30_000;
const TEMPLATE_PARTS = ['subject', 'html', 'text'] as const;

function templateRowKey(templateId: TemplateId, locale: Locale): string {
  return `template|${templateId}|${locale}`;
}

export function templateOverrideToEntity(
  table: string,
  override: TemplateOverride,
): TableEntity<StoredProperties> {
  const properties: Record<string, string | number> = {
    practiceId: override.practiceId,
    templateId: override.templateId,
    locale: override.locale,
    updatedAt: override.updatedAt,
  };
  for (const part of TEMPLATE_PARTS) {
    const source = override[part];
    const chunks = Math.max(1, Math.ceil(source.length / TEMPLATE_CHUNK_CHARS));
    properties[`${part}Chunks`] = chunks;
    for (let i = 0; i < chunks; i++) {
      properties[`${part}${i}`] = source.slice(i * TEMPLATE_CHUNK_CHARS, (i + 1) * TEMPLATE_CHUNK_CHARS);
    }
  }
  return toEntity(
    table,
    checkedKey(override.practiceId, 'practice id'),
    templateRowKey(override.templateId, override.locale),
    properties,
  );
}

export function templateOverrideFromEntity(table: string, entity: Record<string, unknown>): TemplateOverride {
  const r = new EntityReader(entity, table);
  const source = (part: (typeof TEMPLATE_PARTS)[number]): string => {
    const chunks = r.number(`${part}Chunks`);
    let text = '';
    for (let i = 0; i < chunks; i++) text += r.string(`${part}${i}`);
    return text;
  };
  return {
    practiceId: r.string('practiceId'),
    templateId: r.oneOf('templateId', TEMPLATE_IDS),
    locale: r.oneOf('locale', LOCALES),
    subject: source('subject'),
    html: source('html'),
    text: source('text'),
    updatedAt: r.string('updatedAt'),
  };
}

export function therapistToEntity(table: string, therapist: Therapist): TableEntity<StoredProperties> {
  return toEntity(
    table,
    checkedKey(therapist.practiceId, 'practice id'),
    checkedKey(therapist.id, 'therapist id'),
    {
      practiceId: therapist.practiceId,
      id: therapist.id,
      displayName: therapist.displayName,
      email: therapist.email,
      signature: therapist.signature,
      locale: therapist.locale,
      active: therapist.active,
    },
  );
}

export function therapistFromEntity(table: string, entity: Record<string, unknown>): Therapist {
  const r = new EntityReader(entity, table);
  return {
    practiceId: r.string('practiceId'),
    id: r.string('id'),
    displayName: r.string('displayName'),
    email: r.string('email'),
    signature: r.string('signature'),
    locale: r.oneOf('locale', LOCALES),
    active: r.boolean('active'),
  };
}

export class TablePracticeStore implements PracticeStore {
  private readonly practices: TableOperations;
  private readonly therapists: TableOperations;

  constructor(practicesTable: TableClient, therapistsTable: TableClient) {
    this.practices = new TableOperations(practicesTable);
    this.therapists = new TableOperations(therapistsTable);
  }

  async getPractice(practiceId: string): Promise<Versioned<Practice> | null> {
    const row = await this.practices.get(checkedKey(practiceId, 'practice id'), PRACTICE_ROW);
    return row && { value: practiceFromEntity(this.practices.table, row.entity), etag: row.etag };
  }

  async upsertPractice(practice: Practice): Promise<void> {
    await this.practices.upsert(practiceToEntity(this.practices.table, practice));
  }

  async updatePractice(practice: Practice, etag: string): Promise<string> {
    return this.practices.replace(practiceToEntity(this.practices.table, practice), etag);
  }

  async *listPractices(): AsyncIterable<Practice> {
    for await (const entity of this.practices.query(odata`RowKey eq ${PRACTICE_ROW}`)) {
      yield practiceFromEntity(this.practices.table, entity);
    }
  }

  async getSecrets(practiceId: string): Promise<PracticeSecrets | null> {
    const row = await this.practices.get(checkedKey(practiceId, 'practice id'), SECRETS_ROW);
    return row && secretsFromEntity(this.practices.table, row.entity);
  }

  async upsertSecrets(secrets: PracticeSecrets): Promise<void> {
    await this.practices.upsert(secretsToEntity(this.practices.table, secrets));
  }

  async getTherapist(practiceId: string, therapistId: string): Promise<Therapist | null> {
    const row = await this.therapists.get(
      checkedKey(practiceId, 'practice id'),
      checkedKey(therapistId, 'therapist id'),
    );
    return row && therapistFromEntity(this.therapists.table, row.entity);
  }

  async upsertTherapist(therapist: Therapist): Promise<void> {
    await this.therapists.upsert(therapistToEntity(this.therapists.table, therapist));
  }

  async *listTherapists(practiceId: string): AsyncIterable<Therapist> {
    const partition = checkedKey(practiceId, 'practice id');
    for await (const entity of this.therapists.query(odata`PartitionKey eq ${partition}`)) {
      yield therapistFromEntity(this.therapists.table, entity);
    }
  }

  async createPractice(practice: Practice): Promise<string | null> {
    return this.practices.createOrNull(practiceToEntity(this.practices.table, practice));
  }

  async getVersionedSecrets(practiceId: string): Promise<Versioned<PracticeSecrets> | null> {
    const row = await this.practices.get(checkedKey(practiceId, 'practice id'), SECRETS_ROW);
    return row && { value: secretsFromEntity(this.practices.table, row.entity), etag: row.etag };
  }

  async createSecrets(secrets: PracticeSecrets): Promise<string | null> {
    return this.practices.createOrNull(secretsToEntity(this.practices.table, secrets));
  }

  async updateSecrets(secrets: PracticeSecrets, etag: string): Promise<string> {
    return this.practices.replace(secretsToEntity(this.practices.table, secrets), etag);
  }

  async getTemplateOverride(
    practiceId: string,
    templateId: TemplateId,
    locale: Locale,
  ): Promise<TemplateOverride | null> {
    const row = await this.practices.get(
      checkedKey(practiceId, 'practice id'),
      templateRowKey(templateId, locale),
    );
    return row && templateOverrideFromEntity(this.practices.table, row.entity);
  }

  async upsertTemplateOverride(override: TemplateOverride): Promise<void> {
    await this.practices.upsert(templateOverrideToEntity(this.practices.table, override));
  }

  async deleteTemplateOverride(practiceId: string, templateId: TemplateId, locale: Locale): Promise<void> {
    await this.practices.delete(checkedKey(practiceId, 'practice id'), templateRowKey(templateId, locale));
  }

  async getTherapistMapping(practiceId: string): Promise<Versioned<TherapistMapping> | null> {
    const row = await this.practices.get(checkedKey(practiceId, 'practice id'), THERAPIST_MAPPING_ROW);
    return row && { value: therapistMappingFromEntity(this.practices.table, row.entity), etag: row.etag };
  }

  async createTherapistMapping(mapping: TherapistMapping): Promise<string> {
    return this.practices.create(therapistMappingToEntity(this.practices.table, mapping));
  }

  async updateTherapistMapping(mapping: TherapistMapping, etag: string): Promise<string> {
    return this.practices.replace(therapistMappingToEntity(this.practices.table, mapping), etag);
  }
}
