// Practices table (PK practiceId; RK `practice` for settings, `secrets` for webhook secrets and API key
// hashes, kept apart so that listing or exporting settings never carries secrets) and Therapists table
// (PK practiceId, RK therapistId).
import { odata, type TableClient, type TableEntity } from '@azure/data-tables';
import { LOCALES, type Practice, type Therapist } from '../../core/model';
import type { PracticeSecrets, PracticeStore, Versioned } from '../../core/ports';
import { EntityReader, json, type StoredProperties, toEntity } from './entityCodec';
import { checkedKey } from './keys';
import { TableOperations } from './TableOperations';

const PRACTICE_ROW = 'practice';
const SECRETS_ROW = 'secrets';

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
  });
}

export function secretsFromEntity(table: string, entity: Record<string, unknown>): PracticeSecrets {
  const r = new EntityReader(entity, table);
  return {
    practiceId: r.string('practiceId'),
    webhooks: r.json('webhooks'),
    apiKeyHashes: r.json('apiKeyHashes'),
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
}
