// Reengage on Azure: one resource group with a Flex Consumption Function App, its storage, ACS Email,
// Event Grid, Key Vault and monitoring. Deployed by `azd up` (docs/deploy.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group rg-<name> and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region for the regional resources (Flex Consumption must be available there).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of whoever runs azd; gets storage data and Key Vault roles for local development and operations. Empty grants nothing.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@description('Data residency of ACS and the email service.')
param emailDataLocation string = 'Europe'

@description('Custom sending domain (e.g. "mail.example.org"); empty keeps the Azure-managed domain only.')
param customEmailDomain string = ''

@description('Link the custom domain to ACS; set once its DNS records are verified (docs/deploy.md).')
param linkCustomEmailDomain bool = false

@description('Default sender local part on the custom domain.')
param emailSenderUsername string = 'DoNotReply'

@description('Display name of that sender.')
param emailSenderDisplayName string = 'Reengage'

@description('Open and click tracking on the custom domain.')
param emailEngagementTracking bool = false

@description('ACS sends per minute the app allows itself; 0 means the ACS default for the linked domain type.')
@minValue(0)
param acsSendsPerMinute int = 0

@description('ACS sends per hour the app allows itself; 0 means the ACS default for the linked domain type.')
@minValue(0)
param acsSendsPerHour int = 0

@description('Origin used in email links; empty means https://<function app>.azurewebsites.net.')
param publicBaseUrl string = ''

@description('Key id of the first link-signing key.')
param linkSigningKeyId string = 'k1'

// Random material for the first link-signing key. azd generates it on the first provision and keeps
// it in .azure/<env>/config.json, so later provisions write the same key. (A newGuid() default would
// be re-drawn on every deployment and invalidate every link already sent.)
@secure()
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 64
      noSpecial: true
    }
  }
})
param linkSigningKeySeed string

@secure()
@description('Full LINK_SIGNING_KEYS value ("k2:<base64>,k1:<base64>") once keys have been rotated; empty uses the generated first key.')
param linkSigningKeys string = ''

param lapsedScanSchedule string = '0 0 5 * * *'
param milestoneScanSchedule string = '0 15 5 * * *'
param seasonalScanSchedule string = '0 30 5 * * *'
@description('When sweepRetention runs (NCRONTAB, UTC): Sundays 03:00, away from the planners and weekday sends.')
param retentionSweepSchedule string = '0 0 3 * * 0'

@minValue(1)
param retentionDays int = 730

@description('Flex Consumption scale-out ceiling; sends are paced by send slots, not by instance count (docs/operations.md).')
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-${resourceToken}'
var customDomainLinked = !empty(customEmailDomain) && linkCustomEmailDomain
// ACS defaults (SPEC §7): custom domains 30/min and 100/hour, Azure-managed domains 5/min and 10/hour.
// max(1, …) changes no value (0 picks the default); it lets the compiler see the result is at least 1, as the app
// module demands (BCP329).
var sendsPerMinute = max(1, acsSendsPerMinute > 0 ? acsSendsPerMinute : (customDomainLinked ? 30 : 5))
var sendsPerHour = max(1, acsSendsPerHour > 0 ? acsSendsPerHour : (customDomainLinked ? 100 : 10))
var linkBaseUrl = empty(publicBaseUrl) ? 'https://${functionAppName}.azurewebsites.net' : publicBaseUrl
// base64 of 64 random alphanumerics: 64 bytes once decoded, well over the 32 the app demands (LinkSigningKeys.MinSecretBytes).
var firstLinkSigningKeys = '${linkSigningKeyId}:${base64(linkSigningKeySeed)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package-${resourceToken}'
    eventsDeadLetterContainerName: 'email-events-deadletter'
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    linkSigningKeys: empty(linkSigningKeys) ? firstLinkSigningKeys : linkSigningKeys
  }
}

module communication 'modules/communication.bicep' = {
  name: 'communication'
  scope: rg
  params: {
    emailServiceName: 'ecs-${resourceToken}'
    communicationServiceName: 'acs-${resourceToken}'
    tags: tags
    dataLocation: emailDataLocation
    customEmailDomain: customEmailDomain
    linkCustomEmailDomain: linkCustomEmailDomain
    senderUsername: emailSenderUsername
    senderDisplayName: emailSenderDisplayName
    engagementTracking: emailEngagementTracking
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    communicationServiceName: communication.outputs.communicationServiceName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module emailEvents 'modules/email-events.bicep' = {
  name: 'email-events'
  scope: rg
  params: {
    name: 'evgt-acs-${resourceToken}'
    tags: tags
    communicationServiceName: communication.outputs.communicationServiceName
    storageAccountName: storage.outputs.name
    queueName: 'email-events'
    deadLetterContainerName: storage.outputs.eventsDeadLetterContainerName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  // The app starts as soon as it exists: its roles (storage, Key Vault reference) should be there first.
  dependsOn: [
    rbac
  ]
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    linkSigningKeysSecretUri: keyVault.outputs.linkSigningKeysSecretUri
    acsEndpoint: communication.outputs.endpoint
    acsSendsPerMinute: sendsPerMinute
    acsSendsPerHour: sendsPerHour
    publicBaseUrl: linkBaseUrl
    lapsedScanSchedule: lapsedScanSchedule
    milestoneScanSchedule: milestoneScanSchedule
    seasonalScanSchedule: seasonalScanSchedule
    retentionSweepSchedule: retentionSweepSchedule
    retentionDays: retentionDays
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

// azd writes these to .azure/<env>/.env; the postprovision hook and docs/deploy.md read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output PUBLIC_BASE_URL string = linkBaseUrl
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_LINK_SIGNING_KEYS_SECRET_NAME string = keyVault.outputs.linkSigningKeysSecretName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output ACS_ENDPOINT string = communication.outputs.endpoint
output AZURE_COMMUNICATION_SERVICE_NAME string = communication.outputs.communicationServiceName
output AZURE_EMAIL_SERVICE_NAME string = communication.outputs.emailServiceName
output AZURE_EMAIL_SENDER_ADDRESS string = communication.outputs.senderAddress
output AZURE_EMAIL_AZURE_MANAGED_DOMAIN string = communication.outputs.azureManagedDomain
output AZURE_EMAIL_CUSTOM_DOMAIN string = customEmailDomain
output AZURE_EMAIL_CUSTOM_DOMAIN_LINKED bool = communication.outputs.customDomainLinked
output AZURE_EMAIL_CUSTOM_DOMAIN_RECORDS object = communication.outputs.customDomainVerificationRecords
// Effective quotas (inputs are REENGAGE_ACS_SENDS_PER_*; distinct names so an output never pins an input).
output EFFECTIVE_ACS_SENDS_PER_MINUTE int = sendsPerMinute
output EFFECTIVE_ACS_SENDS_PER_HOUR int = sendsPerHour
output AZURE_EVENT_GRID_TOPIC_NAME string = emailEvents.outputs.topicName
