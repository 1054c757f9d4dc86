// The Flex Consumption (FC1) plan and the Function App (.NET 10, isolated worker: functions/Reengage.FunctionApp),
// with every app setting the code reads.
param name string
param planName string
param location string
param tags object

@description('Resource id and client id of the user-assigned identity the app runs as.')
param identityId string
param identityClientId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string

param applicationInsightsConnectionString string

@description('Versioned Key Vault secret URI of the link-signing keys.')
param linkSigningKeysSecretUri string

@description('https://<ACS host>: sends authenticate with the identity, never with an access key.')
param acsEndpoint string

@minValue(1)
param acsSendsPerMinute int
@minValue(1)
param acsSendsPerHour int

@description('Origin of the links in emails, without a trailing slash.')
param publicBaseUrl string

param lapsedScanSchedule string
param milestoneScanSchedule string
param seasonalScanSchedule string
param retentionSweepSchedule string

@minValue(1)
param retentionDays int

@description('Flex Consumption scale-out ceiling.')
param maximumInstanceCount int

@allowed([512, 2048, 4096])
param instanceMemoryMB int

// Every name in ReengageSettings.Names (functions/Reengage.Functions/Settings) except the two that only exist
// locally: `ReengageStorage` (a connection string, impossible with shared keys disabled) and `ACS_CONNECTION_STRING`
// (an access key); their identity-based equivalents are here instead. Besides them, only what the Functions host and
// the worker's telemetry read. tests/Reengage.Infra.Tests checks this block in the compiled ARM JSON. Nothing here is a
// secret: LINK_SIGNING_KEYS is a Key Vault reference, and App Insights refuses the connection string without an Entra
// token.
// Runtime and version live in functionAppConfig: Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE, WEBSITE_TIME_ZONE and the like as app settings.
var appSettings = {
  // Host storage, identity-based.
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Telemetry: the host exports with this Entra identity (the authentication string); the worker's own
  // OpenTelemetry exporter (Reengage.FunctionApp/WorkerTelemetry.cs) signs in as ReengageStorage__clientId, the same one.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // The app's storage connection: SDK clients and the queue triggers (connection `ReengageStorage`).
  // The ACS client authenticates with the same identity (ReengageStorage__clientId).
  ReengageStorage__tableServiceUri: storageTableEndpoint
  ReengageStorage__queueServiceUri: storageQueueEndpoint
  ReengageStorage__credential: 'managedidentity'
  ReengageStorage__clientId: identityClientId
  EMAIL_TRANSPORT: 'acs'
  // Unused with EMAIL_TRANSPORT=acs; points at the only writable place should someone switch to outbox.
  OUTBOX_DIR: '/tmp/reengage-outbox'
  ACS_ENDPOINT: acsEndpoint
  ACS_SENDS_PER_MINUTE: string(acsSendsPerMinute)
  ACS_SENDS_PER_HOUR: string(acsSendsPerHour)
  PUBLIC_BASE_URL: publicBaseUrl
  LINK_SIGNING_KEYS: '@Microsoft.KeyVault(SecretUri=${linkSigningKeysSecretUri})'
  LAPSED_SCAN_SCHEDULE: lapsedScanSchedule
  MILESTONE_SCAN_SCHEDULE: milestoneScanSchedule
  SEASONAL_SCAN_SCHEDULE: seasonalScanSchedule
  RETENTION_SWEEP_SCHEDULE: retentionSweepSchedule
  RETENTION_DAYS: string(retentionDays)
  // Acuity Scheduling's API, fetched by bookingWebhook (Acuity's webhooks carry ids only).
  ACUITY_API_BASE_URL: 'https://acuityscheduling.com/api/v1'
  // Due patients one planner run works on at once (docs/capacity.md).
  PLANNER_CONCURRENCY: '16'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity (the app has no system identity).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        for setting in items(appSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Runtime and version live here on Flex Consumption, never in app settings.
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output uri string = 'https://${app.properties.defaultHostName}'
