// Role assignments for the app's identity and, for local development and operations, the deploying user.
param storageAccountName string
param keyVaultName string
param communicationServiceName string
param applicationInsightsName string

@description('Principal id of the Function App\'s user-assigned identity.')
param appPrincipalId string

@description('Object id of the person or pipeline running azd; empty grants nothing.')
param userPrincipalId string

@allowed(['User', 'ServicePrincipal', 'Group'])
param userPrincipalType string

var roles = loadJsonContent('roles.json')
var grantUser = !empty(userPrincipalId)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServiceName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// --- The app's identity ---

// Host storage (keys, timer leases) and the Flex Consumption deployment package.
resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roles.storageBlobDataOwner.id)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner.id)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// outreach-send and email-events: enqueue, dequeue, move to poison.
resource appQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roles.storageQueueDataContributor.id)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor.id)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The SPEC §3 tables and SendSlots.
resource appTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roles.storageTableDataContributor.id)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor.id)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Telemetry ingestion with Entra ID (the component has local auth disabled).
resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher.id)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher.id)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Resolves the LINK_SIGNING_KEYS Key Vault reference; read-only on secrets.
resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, roles.keyVaultSecretsUser.id)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser.id)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Sending email with an Entra token. ACS has no send-only built-in role: the documented choices are
// "Communication and Email Service Owner" or a custom role with CommunicationServices/Read,
// CommunicationServices/Write and EmailServices/Write. We take the built-in role, scoped to this one
// ACS resource: it covers only Communication and Email resources, where Contributor grants every
// action on every resource type at its scope. A custom role would be narrower still but needs
// roleDefinitions/write at subscription scope, which many IT admins do not hand out for a deployment.
resource appEmailSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, appPrincipalId, roles.communicationAndEmailServiceOwner.id)
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.communicationAndEmailServiceOwner.id)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// --- The deploying user: `func start` against the Azure tables and queues, poison-queue re-drive ---

resource userTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser) {
  name: guid(storage.id, userPrincipalId, roles.storageTableDataContributor.id)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor.id)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

resource userQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser) {
  name: guid(storage.id, userPrincipalId, roles.storageQueueDataContributor.id)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor.id)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

// Reading the current link-signing keys before a rotation (docs/operations.md).
resource userSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser) {
  name: guid(vault.id, userPrincipalId, roles.keyVaultSecretsOfficer.id)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer.id)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}
