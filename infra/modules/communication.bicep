// ACS Email: an Email Communication Service with an Azure-managed domain (and optionally a custom one),
// linked to a Communication Services resource that the app sends through.
param emailServiceName string
param communicationServiceName string
param tags object

@description('Where ACS and the email service keep data at rest.')
param dataLocation string

@description('Custom sending domain such as "mail.example.org"; empty for the Azure-managed domain only.')
param customEmailDomain string

@description('Link the custom domain to ACS. Only once its DNS records are verified: ACS refuses unverified domains.')
param linkCustomEmailDomain bool

@description('Local part of the default sender address on the custom domain.')
param senderUsername string

@description('Display name of that sender on the custom domain.')
param senderDisplayName string

@description('Open and click tracking on the custom domain (Azure-managed domains cannot track).')
param engagementTracking bool

var hasCustomDomain = !empty(customEmailDomain)
var customDomainLinked = hasCustomDomain && linkCustomEmailDomain
var azureManagedSender = 'DoNotReply@${azureManagedDomain.properties.mailFromSenderDomain}'

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource azureManagedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource customDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = if (hasCustomDomain) {
  parent: emailService
  name: hasCustomDomain ? customEmailDomain : 'unused.invalid'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'CustomerManaged'
    // Patients' opens and clicks are behavioural data about people in care: off unless the practice opts in.
    userEngagementTracking: engagementTracking ? 'Enabled' : 'Disabled'
  }
}

// Every domain comes with DoNotReply; another local part needs its own sender username resource.
resource customSender 'Microsoft.Communication/emailServices/domains/senderUsernames@2023-04-01' = if (hasCustomDomain && toLower(senderUsername) != 'donotreply') {
  parent: customDomain
  name: senderUsername
  properties: {
    username: senderUsername
    displayName: senderDisplayName
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: concat([azureManagedDomain.id], customDomainLinked ? [customDomain.id] : [])
  }
}

output communicationServiceId string = communicationService.id
output communicationServiceName string = communicationService.name
output endpoint string = 'https://${communicationService.properties.hostName}'
output emailServiceName string = emailService.name
output azureManagedDomain string = azureManagedDomain.properties.mailFromSenderDomain
output customDomainLinked bool = customDomainLinked
// customDomain! : the ternaries only read the custom domain when it is deployed (ARM evaluates the branch taken).
output senderAddress string = customDomainLinked ? '${senderUsername}@${customDomain!.properties.mailFromSenderDomain}' : azureManagedSender
// Domain, SPF, DKIM, DKIM2 and DMARC records ({ type, name, value, ttl }); the postprovision hook prints them.
output customDomainVerificationRecords object = hasCustomDomain ? customDomain!.properties.verificationRecords : {}
