// Static checks of the deployment files (azure.yaml, Bicep, host.json, local settings): no Bicep compiler
// runs here, so these tests read the sources and hold them to the contract of SPEC §10-11. The infrastructure
// deploys the C# app; tests/Reengage.Infra.Tests compiles and lints it with the Bicep CLI and reads the ARM JSON.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { defaultStorageNames } from '../../functions/src/adapters/storageClients';
import { loadConfig, SETTING_NAMES } from '../../functions/src/config';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const infraDir = path.join(repoRoot, 'infra');
const read = (relativePath: string) => readFileSync(path.join(repoRoot, relativePath), 'utf8');
const readJson = (relativePath: string): unknown => JSON.parse(read(relativePath));
/** `${expression}` as written in Bicep and in azd parameter files. */
const interpolation = (expression: string) => `\${${expression}}`;

// ---------------------------------------------------------------------------------------------
// A small Bicep reader: enough structure (statements, blocks, object entries) for these checks.
// ---------------------------------------------------------------------------------------------

/** Index just past the string that starts at `start` (a `'`), handling `\'` escapes and `'''` strings. */
function skipString(source: string, start: number): number {
  if (source.startsWith("'''", start)) {
    const end = source.indexOf("'''", start + 3);
    return end < 0 ? source.length : end + 3;
  }
  let i = start + 1;
  while (i < source.length) {
    if (source[i] === '\\') i += 2;
    else if (source[i] === "'") return i + 1;
    else i += 1;
  }
  return i;
}

/** The source with comments blanked out (strings kept), so that braces and quotes in comments never count. */
function stripBicepComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    if (source[i] === "'") {
      const end = skipString(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      const comment = source.slice(i, end < 0 ? source.length : end + 2);
      out += comment.replace(/[^\n]/g, ' ');
      i = end < 0 ? source.length : end + 2;
    } else {
      out += source[i];
      i += 1;
    }
  }
  return out;
}

/** Index of the bracket closing the one at `open` (any of `{[(`), skipping strings. */
function matchingClose(source: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < source.length) {
    const c = source[i];
    if (c === "'") {
      i = skipString(source, i);
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth += 1;
    if (c === '}' || c === ']' || c === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
    i += 1;
  }
  throw new Error(`unbalanced bracket at offset ${open}`);
}

interface Statement {
  keyword: string;
  name: string;
  /** Decorator lines written above the statement. */
  decorators: string;
  /** The statement itself, from its keyword to its end. */
  text: string;
}

const KEYWORDS = [
  'targetScope',
  'param',
  'var',
  'resource',
  'module',
  'output',
  'type',
  'func',
  'import',
  'metadata',
];

/** Splits a comment-free Bicep file into its top-level statements. */
function bicepStatements(source: string): Statement[] {
  const code = stripBicepComments(source);
  const statements: Statement[] = [];
  let decorators = '';
  let i = 0;
  while (i < code.length) {
    const lineEnd = code.indexOf('\n', i) < 0 ? code.length : code.indexOf('\n', i);
    const line = code.slice(i, lineEnd).trim();
    if (line === '') {
      i = lineEnd + 1;
      continue;
    }
    // A statement (or decorator) runs to the end of the line that closes all its brackets.
    let end = i;
    let depth = 0;
    while (end < code.length) {
      const c = code[end];
      if (c === "'") {
        end = skipString(code, end);
        continue;
      }
      if (c === '{' || c === '[' || c === '(') depth += 1;
      if (c === '}' || c === ']' || c === ')') depth -= 1;
      if (c === '\n' && depth === 0) break;
      end += 1;
    }
    const text = code.slice(i, end).trim();
    if (text.startsWith('@')) {
      decorators += `${text}\n`;
    } else {
      const keyword = KEYWORDS.find((k) => text.startsWith(`${k} `) || text.startsWith(`${k}=`)) ?? '';
      const name = /^\w+\s+(\w+)/.exec(text)?.[1] ?? '';
      statements.push({ keyword, name, decorators, text });
      decorators = '';
    }
    i = end + 1;
  }
  return statements;
}

/** Top-level `key: value` entries of a Bicep object literal, from the `{` at `open`. */
function objectEntries(source: string, open: number): Map<string, string> {
  const close = matchingClose(source, open);
  const body = source.slice(open + 1, close);
  const entries = new Map<string, string>();
  let i = 0;
  let current = '';
  let depth = 0;
  const flush = () => {
    const entry = current.trim();
    current = '';
    if (!entry) return;
    const match = /^(?:'([^']+)'|([A-Za-z_][\w]*))\s*:\s*([\s\S]*)$/.exec(entry);
    if (!match) throw new Error(`cannot read object entry: ${entry}`);
    entries.set(match[1] ?? match[2] ?? '', (match[3] ?? '').trim());
  };
  while (i < body.length) {
    const c = body[i] ?? '';
    if (c === "'") {
      const end = skipString(body, i);
      current += body.slice(i, end);
      i = end;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth += 1;
    if (c === '}' || c === ']' || c === ')') depth -= 1;
    if (depth === 0 && (c === '\n' || c === ',')) flush();
    else current += c;
    i += 1;
  }
  flush();
  return entries;
}

/** The entries of `var <name> = { ... }` in a Bicep file. */
function bicepObjectVar(source: string, varName: string): Map<string, string> {
  const code = stripBicepComments(source);
  const match = new RegExp(`^var\\s+${varName}\\s*=\\s*\\{`, 'm').exec(code);
  if (!match) throw new Error(`no object variable ${varName}`);
  return objectEntries(code, match.index + match[0].length - 1);
}

/** The single-quoted strings of `var <name> = [ ... ]`. */
function bicepStringArrayVar(source: string, varName: string): string[] {
  const code = stripBicepComments(source);
  const match = new RegExp(`^var\\s+${varName}\\s*=\\s*\\[`, 'm').exec(code);
  if (!match) throw new Error(`no array variable ${varName}`);
  const open = match.index + match[0].length - 1;
  const body = code.slice(open + 1, matchingClose(code, open));
  return [...body.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
}

// ---------------------------------------------------------------------------------------------
// The rules, as functions, so that each one is also shown to fail on a bad input.
// ---------------------------------------------------------------------------------------------

/** Settings the code reads that must never reach Azure: they carry keys. Their identity-based twins must. */
const LOCAL_ONLY_SETTINGS: Record<string, string[]> = {
  // A connection string needs an account key, and the storage account has shared keys disabled.
  ReengageStorage: [
    'ReengageStorage__tableServiceUri',
    'ReengageStorage__queueServiceUri',
    'ReengageStorage__credential',
    'ReengageStorage__clientId',
  ],
  // An ACS access key; in Azure the app sends to ACS_ENDPOINT as its managed identity, the one that
  // ReengageStorage__clientId names (functions/src/composition.ts).
  ACS_CONNECTION_STRING: ['ACS_ENDPOINT', 'ReengageStorage__clientId'],
};

/** Settings that the Flex Consumption plan deprecates or rejects ("Flex Consumption plan deprecations"). */
const FLEX_DEPRECATED_SETTINGS = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY',
  'FUNCTIONS_WORKER_PROCESS_COUNT',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_SKIP_CONTENTSHARE_VALIDATION',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_TIME_ZONE',
  'WEBSITE_VNET_ROUTE_ALL',
  'WEBSITE_DNS_SERVER',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'TZ',
];

/** Names the app reads that an Azure settings block lacks. */
function missingAzureSettings(settings: Map<string, string>, settingNames: readonly string[]): string[] {
  const required = settingNames.flatMap((name) => LOCAL_ONLY_SETTINGS[name] ?? [name]);
  return [...new Set(required)].filter((name) => !settings.has(name));
}

/** Entries of an Azure settings block that carry or fetch a key, or that Flex Consumption rejects. */
function forbiddenAzureSettings(settings: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, value] of settings) {
    if (name in LOCAL_ONLY_SETTINGS) problems.push(`${name} is local-only`);
    if (name === 'AzureWebJobsStorage') problems.push('AzureWebJobsStorage must be identity-based');
    if (FLEX_DEPRECATED_SETTINGS.includes(name)) problems.push(`${name} is deprecated on Flex Consumption`);
    if (/AccountKey|listKeys\(|DefaultEndpointsProtocol|SharedAccessSignature/i.test(value)) {
      problems.push(`${name} embeds a key`);
    }
    // The App Insights connection string holds no credential once the component has local auth disabled.
    if (/connectionString/i.test(`${name} ${value}`) && name !== 'APPLICATIONINSIGHTS_CONNECTION_STRING') {
      problems.push(`${name} is a connection string`);
    }
  }
  return problems;
}

interface RoleAssignment {
  file: string;
  symbol: string;
  role: string;
  principalId: string;
}

/** Role assignment resources of a Bicep file, with the role key of roles.json each one grants. */
function roleAssignments(file: string, source: string): RoleAssignment[] {
  return bicepStatements(source)
    .filter((s) => s.keyword === 'resource' && s.text.includes("'Microsoft.Authorization/roleAssignments@"))
    .map((s) => {
      const properties = objectEntries(s.text, s.text.indexOf('{', s.text.indexOf('properties:')));
      const definition = properties.get('roleDefinitionId') ?? '';
      const role =
        /^subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions',\s*roles\.(\w+)\.id\)$/.exec(
          definition,
        )?.[1];
      if (!role) throw new Error(`${file}: ${s.name} does not take its role from roles.json: ${definition}`);
      return { file, symbol: s.name, role, principalId: properties.get('principalId') ?? '' };
    });
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/** Bicep files reachable from main.bicep through `module` statements, and references that lead nowhere. */
function moduleGraph(): { bicep: string[]; missing: string[] } {
  const bicep: string[] = [];
  const missing: string[] = [];
  const visit = (file: string) => {
    if (bicep.includes(file)) return;
    if (!existsSync(file)) {
      missing.push(path.relative(repoRoot, file));
      return;
    }
    bicep.push(file);
    const code = stripBicepComments(readFileSync(file, 'utf8'));
    for (const m of code.matchAll(/load(?:Json|Text|YamlFile)Content\('([^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1] ?? '');
      if (!existsSync(target)) missing.push(path.relative(repoRoot, target));
    }
    for (const m of code.matchAll(/^module\s+\w+\s+'([^']+)'/gm)) {
      const reference = m[1] ?? '';
      if (reference.startsWith('br/') || reference.startsWith('ts/')) continue;
      visit(path.resolve(path.dirname(file), reference));
    }
  };
  visit(path.join(infraDir, 'main.bicep'));
  return { bicep, missing };
}

const graph = moduleGraph();
const bicepSources = graph.bicep.map((file) => ({
  file: path.relative(repoRoot, file),
  source: readFileSync(file, 'utf8'),
}));
const sourceOf = (relativePath: string) => {
  const found = bicepSources.find((b) => b.file === relativePath);
  if (!found) throw new Error(`${relativePath} is not reachable from infra/main.bicep`);
  return found.source;
};
const mainBicep = read('infra/main.bicep');
const functionAppBicep = sourceOf('infra/modules/functionapp.bicep');
const azureSettings = bicepObjectVar(functionAppBicep, 'appSettings');

// Built-in role definition ids as Azure's "built-in roles" reference lists them, copied by hand.
const DOCUMENTED_ROLES: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Queue Data Message Sender': 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  'Communication and Email Service Owner': '09976791-48a7-449e-bb21-39d1a415f350',
};

describe('azure.yaml', () => {
  const schema = readJson('tests/fixtures/schemas/azure.yaml.schema.json') as Record<string, unknown>;
  const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
  // The schema refers to azd extensions' schemas by URL for AI hosts; offline they are accepted as-is.
  const externalRefs = new Set(
    [...JSON.stringify(schema).matchAll(/"\$ref":"(https:[^"#]+)/g)].map((m) => m[1] ?? ''),
  );
  for (const ref of externalRefs) ajv.addSchema({ $id: ref });
  const validate = ajv.compile(schema);
  const project = parseYaml(read('azure.yaml')) as {
    services: Record<string, Record<string, unknown>>;
    hooks: { postprovision: { posix: { run: string }; windows: { run: string } } };
  };

  it('validates against the azd schema', () => {
    const valid = validate(project);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is checked by a validator that rejects what azd rejects', () => {
    const withoutHost = structuredClone(project);
    delete withoutHost.services.api?.host;
    expect(validate(withoutHost)).toBe(false);
    const badShell = structuredClone(project) as unknown as {
      hooks: { postprovision: { posix: { shell: string } } };
    };
    badShell.hooks.postprovision.posix.shell = 'bash';
    expect(validate(badShell)).toBe(false);
  });

  it('deploys the C# app project as the Function App service api', () => {
    // The infrastructure deploys the C# app now; this TypeScript implementation runs locally until it is retired.
    expect(project.services.api).toMatchObject({
      project: './functions/Reengage.FunctionApp',
      language: 'dotnet',
      host: 'function',
    });
    expect(
      existsSync(path.join(repoRoot, 'functions/Reengage.FunctionApp/Reengage.FunctionApp.csproj')),
    ).toBe(true);
  });

  it('runs an executable postprovision hook on each OS that names the webhook URL form', () => {
    const sh = path.join(repoRoot, project.hooks.postprovision.posix.run);
    const pwsh = path.join(repoRoot, project.hooks.postprovision.windows.run);
    expect(statSync(sh).mode & 0o111).not.toBe(0);
    for (const script of [sh, pwsh]) {
      expect(readFileSync(script, 'utf8')).toContain('/api/webhooks/{source}/{practiceId}');
    }
  });
});

describe('Bicep files', () => {
  it('reference only modules and JSON files that exist, and every module is used', () => {
    expect(graph.missing).toEqual([]);
    const moduleFiles = readdirSync(path.join(infraDir, 'modules'))
      .filter((f) => f.endsWith('.bicep'))
      .map((f) => path.join(infraDir, 'modules', f));
    expect(moduleFiles.filter((f) => !graph.bicep.includes(f))).toEqual([]);
    expect(graph.bicep.length).toBeGreaterThan(5);
  });

  it('declare every parameter that main.parameters.json sets, and get a value for every required one', () => {
    const parameters = (
      readJson('infra/main.parameters.json') as { parameters: Record<string, { value: string }> }
    ).parameters;
    const declared = bicepStatements(mainBicep).filter((s) => s.keyword === 'param');
    const declaredNames = declared.map((s) => s.name);
    expect(Object.keys(parameters).filter((name) => !declaredNames.includes(name))).toEqual([]);

    const required = declared.filter((s) => !/^param\s+\w+\s+[\w.]+\s*=/.test(s.text));
    const unfilled = required.filter(
      (s) => !(s.name in parameters) && !/type:\s*'generate'/.test(s.decorators),
    );
    expect(unfilled.map((s) => s.name)).toEqual([]);
    expect(parameters.environmentName?.value).toBe(interpolation('AZURE_ENV_NAME'));
    expect(parameters.location?.value).toBe(interpolation('AZURE_LOCATION'));
    expect(parameters.principalId?.value).toBe(interpolation('AZURE_PRINCIPAL_ID'));
  });

  it('deploy at subscription scope into rg-<environment> tagged with the azd environment', () => {
    const code = stripBicepComments(mainBicep);
    expect(code).toMatch(/^targetScope\s*=\s*'subscription'/m);
    expect(code).toContain(`name: 'rg-${interpolation('environmentName')}'`);
    expect(bicepObjectVar(mainBicep, 'tags').get('azd-env-name')).toBe('environmentName');
  });

  it('tag every tracked resource, and tag the Function App as the azd service api', () => {
    const untagged = bicepSources.flatMap(({ file, source }) =>
      bicepStatements(source)
        .filter((s) => s.keyword === 'resource' && !/\bexisting\s*=/.test(s.text))
        .filter((s) => /^\s*location:/m.test(s.text) && !/^\s*tags:/m.test(s.text))
        .map((s) => `${file}: ${s.name}`),
    );
    expect(untagged).toEqual([]);
    const site = bicepStatements(functionAppBicep).find((s) => s.text.includes("'Microsoft.Web/sites@"));
    expect(site?.text).toContain("union(tags, { 'azd-service-name': 'api' })");
    // Every module that takes tags gets the environment's tags.
    for (const { file, source } of bicepSources.filter((b) => b.file !== 'infra/main.bicep')) {
      if (!/^param\s+tags\s/m.test(stripBicepComments(source))) continue;
      const call = bicepStatements(mainBicep).find(
        (s) => s.keyword === 'module' && s.text.includes(`'${path.relative('infra', file)}'`),
      );
      expect(call?.text, file).toMatch(/^\s*tags: tags$/m);
    }
  });

  it('use only the documented built-in role definition ids', () => {
    const roles = readJson('infra/modules/roles.json') as Record<string, { name: string; id: string }>;
    for (const { name, id } of Object.values(roles)) {
      expect(DOCUMENTED_ROLES[name], name).toBe(id);
    }
    const all = bicepSources.flatMap(({ file, source }) => roleAssignments(file, source));
    expect(all.filter((a) => !(a.role in roles))).toEqual([]);
    // No role definition GUID is written anywhere else in the Bicep.
    const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    expect(
      bicepSources.filter(({ source }) => guid.test(stripBicepComments(source))).map((b) => b.file),
    ).toEqual([]);
  });

  it('grant the app identity, the deploying user and the Event Grid topic exactly what they need', () => {
    const all = bicepSources.flatMap(({ file, source }) => roleAssignments(file, source));
    const granted = (principalId: string) =>
      all
        .filter((a) => a.principalId === principalId)
        .map((a) => a.role)
        .sort();
    expect(granted('appPrincipalId')).toEqual(
      [
        'storageBlobDataOwner',
        'storageQueueDataContributor',
        'storageTableDataContributor',
        'monitoringMetricsPublisher',
        'keyVaultSecretsUser',
        'communicationAndEmailServiceOwner',
      ].sort(),
    );
    expect(granted('userPrincipalId')).toEqual(
      ['storageTableDataContributor', 'storageQueueDataContributor', 'keyVaultSecretsOfficer'].sort(),
    );
    expect(granted('topic.identity.principalId')).toEqual(
      ['storageQueueDataMessageSender', 'storageBlobDataContributor'].sort(),
    );
    expect(() =>
      roleAssignments(
        'inline',
        "resource r 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n  name: 'x'\n  properties: {\n    roleDefinitionId: '/subscriptions/0/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635'\n    principalId: p\n  }\n}\n",
      ),
    ).toThrow(/roles\.json/);
  });

  it('keep keys out of the infrastructure', () => {
    for (const { file, source } of bicepSources) {
      const code = stripBicepComments(source);
      expect(code, file).not.toMatch(
        /listKeys\(|AccountKey|DefaultEndpointsProtocol|primaryConnectionString/,
      );
    }
    const storage = stripBicepComments(sourceOf('infra/modules/storage.bicep'));
    expect(storage).toMatch(/allowSharedKeyAccess: false/);
    expect(storage).toMatch(/allowBlobPublicAccess: false/);
    expect(storage).toMatch(/minimumTlsVersion: 'TLS1_2'/);
    expect(stripBicepComments(sourceOf('infra/modules/keyvault.bicep'))).toMatch(
      /enableRbacAuthorization: true/,
    );
    expect(stripBicepComments(sourceOf('infra/modules/monitoring.bicep'))).toMatch(/DisableLocalAuth: true/);
  });

  it('create the tables and queues the app uses, with their poison queues', () => {
    const storage = sourceOf('infra/modules/storage.bicep');
    const names = defaultStorageNames();
    expect(bicepStringArrayVar(storage, 'tableNames').sort()).toEqual(Object.values(names.tables).sort());
    expect(bicepStringArrayVar(storage, 'tableNames')).toContain('SendSlots');
    expect(bicepStringArrayVar(storage, 'queueNames').sort()).toEqual(
      Object.values(names.queues)
        .flatMap((q) => [q, `${q}-poison`])
        .sort(),
    );
  });

  it('route ACS delivery and engagement reports to email-events with the topic identity', () => {
    const events = stripBicepComments(sourceOf('infra/modules/email-events.bicep'));
    expect(events).toContain("topicType: 'Microsoft.Communication.CommunicationServices'");
    expect(events).toContain("'Microsoft.Communication.EmailDeliveryReportReceived'");
    expect(events).toContain("'Microsoft.Communication.EmailEngagementTrackingReportReceived'");
    expect(events).toMatch(/deliveryWithResourceIdentity: \{\s*identity: \{\s*type: 'SystemAssigned'/);
    expect(events).toContain("endpointType: 'StorageQueue'");
    const call = bicepStatements(mainBicep).find((s) => s.keyword === 'module' && s.name === 'emailEvents');
    expect(call?.text).toContain("queueName: 'email-events'");
  });

  it('run a Flex Consumption app on .NET 10 isolated that reads its signing keys from Key Vault as its own identity', () => {
    const code = stripBicepComments(functionAppBicep);
    expect(code).toMatch(/tier: 'FlexConsumption'\s+name: 'FC1'/);
    expect(code).toMatch(/runtime: \{\s*name: 'dotnet-isolated'\s+version: '10\.0'\s*\}/);
    expect(code).toMatch(
      /authentication: \{\s*type: 'UserAssignedIdentity'\s+userAssignedIdentityResourceId: identityId/,
    );
    expect(code).toContain('keyVaultReferenceIdentity: identityId');
    expect(azureSettings.get('LINK_SIGNING_KEYS')).toBe(
      `'@Microsoft.KeyVault(SecretUri=${interpolation('linkSigningKeysSecretUri')})'`,
    );
  });

  it('generate a first link-signing key that config.ts accepts', () => {
    const seed = bicepStatements(mainBicep).find(
      (s) => s.keyword === 'param' && s.name === 'linkSigningKeySeed',
    );
    expect(seed?.decorators).toContain('@secure()');
    const length = Number(/length:\s*(\d+)/.exec(seed?.decorators ?? '')?.[1]);
    expect(length).toBeGreaterThanOrEqual(32);
    expect(stripBicepComments(mainBicep)).toContain(
      `var firstLinkSigningKeys = '${interpolation('linkSigningKeyId')}:${interpolation('base64(linkSigningKeySeed)')}'`,
    );
    const kid = /^param linkSigningKeyId string = '([^']+)'/m.exec(mainBicep)?.[1] ?? '';
    // What Bicep's base64() makes of an azd-generated seed of that length (alphanumerics only).
    const generated = 'aB3'.repeat(length).slice(0, length);
    const local = (readJson('local.settings.sample.json') as { Values: Record<string, string> }).Values;
    const config = loadConfig({
      ...local,
      LINK_SIGNING_KEYS: `${kid}:${Buffer.from(generated).toString('base64')}`,
    });
    expect(config.linkSigningKeys.map((k) => [k.id, k.secret.length])).toEqual([[kid, length]]);
  });
});

describe('Azure app settings (infra/modules/functionapp.bicep)', () => {
  it('set every setting the code reads, with identity-based twins for the local-only ones', () => {
    expect(Object.keys(LOCAL_ONLY_SETTINGS).every((name) => SETTING_NAMES.includes(name))).toBe(true);
    expect(missingAzureSettings(azureSettings, SETTING_NAMES)).toEqual([]);
  });

  it('carry no key, no connection string and nothing Flex Consumption rejects', () => {
    expect(forbiddenAzureSettings(azureSettings)).toEqual([]);
  });

  it('use managed identity for storage and ACS', () => {
    expect(azureSettings.get('EMAIL_TRANSPORT')).toBe("'acs'");
    expect(azureSettings.get('ReengageStorage__credential')).toBe("'managedidentity'");
    expect(azureSettings.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(azureSettings.get('ReengageStorage__clientId')).toBe('identityClientId');
    expect(azureSettings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe(
      `'ClientId=${interpolation('identityClientId')};Authorization=AAD'`,
    );
  });

  it('are read by a parser that notices a missing setting and a smuggled key', () => {
    const snippet = [
      '// settings',
      'var appSettings = {',
      "  EMAIL_TRANSPORT: 'acs' // the app's transport",
      "  'PUBLIC_BASE_URL': 'https://{x}.example'",
      '  ReengageStorage: storage.listKeys().keys[0].value',
      '  nested: {',
      "    inner: 'x'",
      '  }',
      '}',
    ].join('\n');
    const settings = bicepObjectVar(snippet, 'appSettings');
    expect([...settings.keys()]).toEqual(['EMAIL_TRANSPORT', 'PUBLIC_BASE_URL', 'ReengageStorage', 'nested']);
    expect(missingAzureSettings(settings, ['EMAIL_TRANSPORT', 'PUBLIC_BASE_URL', 'RETENTION_DAYS'])).toEqual([
      'RETENTION_DAYS',
    ]);
    expect(missingAzureSettings(settings, ['ACS_CONNECTION_STRING'])).toEqual([
      'ACS_ENDPOINT',
      'ReengageStorage__clientId',
    ]);
    expect(forbiddenAzureSettings(settings)).toEqual([
      'ReengageStorage is local-only',
      'ReengageStorage embeds a key',
    ]);
    expect(
      forbiddenAzureSettings(
        new Map([
          ['FUNCTIONS_WORKER_RUNTIME', "'node'"],
          ['ACS_CONN', 'acs.connectionString'],
        ]),
      ),
    ).toEqual([
      'FUNCTIONS_WORKER_RUNTIME is deprecated on Flex Consumption',
      'ACS_CONN is a connection string',
    ]);
  });
});

describe('functions/host.json', () => {
  const host = readJson('functions/host.json') as {
    version: string;
    extensionBundle: { id: string; version: string };
    extensions: { queues: Record<string, unknown> };
    logging: { applicationInsights: { samplingSettings: { excludedTypes: string } } };
  };

  it('uses the v4 extension bundle on the 2.0 host', () => {
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle).toEqual({
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.*, 5.0.0)',
    });
  });

  it('reads queue messages as plain text, a few at a time, five tries before poison', () => {
    const queues = host.extensions.queues;
    expect(queues.messageEncoding).toBe('none');
    expect(queues.maxDequeueCount).toBe(5);
    expect(Number(queues.batchSize) + Number(queues.newBatchThreshold)).toBeLessThanOrEqual(2);
    expect(queues.visibilityTimeout).toMatch(/^\d{2}:\d{2}:\d{2}$/);
  });

  it('never samples away requests or exceptions', () => {
    const excluded = host.logging.applicationInsights.samplingSettings.excludedTypes.split(';');
    expect(excluded).toEqual(expect.arrayContaining(['Request', 'Exception']));
  });
});

describe('local.settings.sample.json', () => {
  const sample = readJson('local.settings.sample.json') as {
    IsEncrypted: boolean;
    Values: Record<string, string>;
  };

  it('lists every setting the code reads', () => {
    expect(sample.IsEncrypted).toBe(false);
    expect(SETTING_NAMES.filter((name) => !(name in sample.Values))).toEqual([]);
    // The sample serves the C# app that the infrastructure deploys; the TypeScript app's copy sets node (README).
    expect(sample.Values).toMatchObject({
      FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated',
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      ReengageStorage: 'UseDevelopmentStorage=true',
    });
  });

  it('passes loadConfig as a local, outbox, Azurite configuration with a local-only key', () => {
    const config = loadConfig(sample.Values);
    expect(config.storage).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
    });
    expect(config.email).toEqual({ kind: 'outbox', directory: 'outbox' });
    expect(config.publicBaseUrl).toBe('http://localhost:7071');
    expect(config.retentionDays).toBe(730);
    expect(config.linkSigningKeys).toHaveLength(1);
    expect(config.linkSigningKeys[0]?.id).toBe('local1');
    expect(config.linkSigningKeys[0]?.secret.toString('utf8')).toMatch(/LOCAL DEVELOPMENT ONLY/);
  });
});
