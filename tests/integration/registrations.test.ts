// Builds the app with tsc and loads dist/ as the Functions host would, then checks every registration.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

interface Binding {
  type: string;
  direction: string;
  [key: string]: unknown;
}
interface Registration {
  name: string;
  bindings: Record<string, Binding>;
}

const root = path.resolve(import.meta.dirname, '../..');
let loaded: { files: string[]; registrations: Registration[] };

function trigger(name: string): Binding {
  const registration = loaded.registrations.find((r) => r.name === name);
  if (!registration) throw new Error(`function ${name} is not registered`);
  const found = Object.values(registration.bindings).find((b) => b.type.endsWith('Trigger'));
  if (!found) throw new Error(`function ${name} has no trigger`);
  return found;
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'functions'], {
    cwd: root,
    stdio: 'pipe',
  });
  const output = execFileSync(
    process.execPath,
    [path.join(root, 'tests/support/hostLoader.cjs'), path.join(root, 'functions')],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  loaded = JSON.parse(output);
}, 120_000);

describe('function registrations, as the host sees them', () => {
  it('loads the entry files named by package.json main', () => {
    expect(loaded.files).toContain('dist/src/index.js');
    expect(loaded.files).toContain('dist/src/functions/bookingWebhook.js');
  });

  it('bookingWebhook: anonymous POST webhooks/{source}/{practiceId}', () => {
    expect(trigger('bookingWebhook')).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      route: 'webhooks/{source}/{practiceId}',
      methods: ['POST'],
      authLevel: 'anonymous',
    });
  });

  it.each([
    ['respond', 'r/{token}', ['GET', 'POST']],
    ['feedback', 'feedback/{token}', ['POST']],
    ['unsubscribe', 'unsubscribe/{token}', ['GET', 'POST']],
  ])('%s: anonymous %s, methods %j (the signed token is the only key)', (name, route, methods) => {
    expect(loaded.files).toContain(`dist/src/functions/${name}.js`);
    expect(trigger(name)).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      route,
      methods,
      authLevel: 'anonymous',
    });
  });

  it.each([
    ['planLapsedOutreach', '%LAPSED_SCAN_SCHEDULE%'],
    ['planMilestoneOutreach', '%MILESTONE_SCAN_SCHEDULE%'],
    ['planSeasonalOutreach', '%SEASONAL_SCAN_SCHEDULE%'],
  ])('%s: timer on the %s setting', (name, schedule) => {
    expect(trigger(name)).toMatchObject({ type: 'timerTrigger', direction: 'in', schedule });
  });

  it('sendOutreach: queue outreach-send on the ReengageStorage connection', () => {
    expect(trigger('sendOutreach')).toMatchObject({
      type: 'queueTrigger',
      direction: 'in',
      queueName: 'outreach-send',
      connection: 'ReengageStorage',
    });
  });

  it('registers no function twice', () => {
    const names = loaded.registrations.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('practiceReport registration', () => {
  it('practiceReport: GET practices/{practiceId}/report behind the function key', () => {
    expect(loaded.files).toContain('dist/src/functions/report.js');
    expect(trigger('practiceReport')).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      route: 'practices/{practiceId}/report',
      methods: ['GET'],
      authLevel: 'function',
    });
  });
});

describe('delivery reports, retention and GDPR registrations', () => {
  it('processEmailEvents: queue email-events on the ReengageStorage connection', () => {
    expect(loaded.files).toContain('dist/src/functions/processEmailEvents.js');
    expect(trigger('processEmailEvents')).toMatchObject({
      type: 'queueTrigger',
      direction: 'in',
      queueName: 'email-events',
      connection: 'ReengageStorage',
    });
  });

  it('sweepRetention: weekly timer, Sundays at 03:00 UTC', () => {
    expect(trigger('sweepRetention')).toMatchObject({
      type: 'timerTrigger',
      direction: 'in',
      schedule: '0 0 3 * * 0',
    });
  });

  it.each([
    ['exportPatient', 'practices/{practiceId}/patients/{patientId}/export', ['GET']],
    ['erasePatient', 'practices/{practiceId}/patients/{patientId}', ['DELETE']],
  ])('%s: %s behind the function key', (name, route, methods) => {
    expect(trigger(name)).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      route,
      methods,
      authLevel: 'function',
    });
  });
});

describe('admin API registrations: settings, therapists, credentials, templates, upcoming', () => {
  it('loads the admin function files', () => {
    for (const file of ['practiceAdmin', 'practiceCredentials', 'templateAdmin', 'upcoming']) {
      expect(loaded.files).toContain(`dist/src/functions/${file}.js`);
    }
  });

  it.each([
    ['putPractice', 'practices/{practiceId}', ['PUT']],
    ['getPractice', 'practices/{practiceId}', ['GET']],
    ['putTherapist', 'practices/{practiceId}/therapists/{therapistId}', ['PUT']],
    ['listTherapists', 'practices/{practiceId}/therapists', ['GET']],
    ['rotatePracticeKey', 'practices/{practiceId}/keys/rotate', ['POST']],
    ['rotateWebhookSecret', 'practices/{practiceId}/webhook-secrets/{source}/rotate', ['POST']],
    ['putTemplateOverride', 'practices/{practiceId}/templates/{templateId}/{locale}', ['PUT']],
    ['getTemplate', 'practices/{practiceId}/templates/{templateId}/{locale}', ['GET']],
    ['deleteTemplateOverride', 'practices/{practiceId}/templates/{templateId}/{locale}', ['DELETE']],
    ['previewTemplate', 'practices/{practiceId}/templates/{templateId}/{locale}/preview', ['POST']],
    ['upcomingSends', 'practices/{practiceId}/upcoming', ['GET']],
  ])('%s: %s %j behind the function key', (name, route, methods) => {
    expect(trigger(name)).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      route,
      methods,
      authLevel: 'function',
    });
  });
});

describe('patient import registration', () => {
  it('importPatients: POST practices/{practiceId}/patients/import behind the function key', () => {
    expect(loaded.files).toContain('dist/src/functions/importPatients.js');
    expect(trigger('importPatients')).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      route: 'practices/{practiceId}/patients/import',
      methods: ['POST'],
      authLevel: 'function',
    });
  });
});

describe('booking-tool integration and OpenAPI registrations', () => {
  it('loads the integration admin and OpenAPI function files', () => {
    expect(loaded.files).toContain('dist/src/functions/integrationAdmin.js');
    expect(loaded.files).toContain('dist/src/functions/openapi.js');
  });

  it.each([
    ['getTherapistMapping', 'practices/{practiceId}/therapist-mapping', ['GET']],
    ['putTherapistMapping', 'practices/{practiceId}/therapist-mapping', ['PUT']],
    ['putAcuityCredentials', 'practices/{practiceId}/integrations/acuity', ['PUT']],
    ['getIntegrations', 'practices/{practiceId}/integrations', ['GET']],
  ])('%s: %s %j behind the function key', (name, route, methods) => {
    expect(trigger(name)).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      route,
      methods,
      authLevel: 'function',
    });
  });

  it('openApiDocument: anonymous GET openapi.json', () => {
    expect(trigger('openApiDocument')).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      route: 'openapi.json',
      methods: ['GET'],
      authLevel: 'anonymous',
    });
  });
});
