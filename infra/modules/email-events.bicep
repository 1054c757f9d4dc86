// Event Grid system topic on ACS: delivery and engagement reports go to the `email-events` queue,
// written with the topic's own identity (the storage account accepts no keys).
param name string
param tags object
param communicationServiceName string
param storageAccountName string
param queueName string
param deadLetterContainerName string

var roles = loadJsonContent('roles.json')

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServiceName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  name: '${storageAccountName}/default/${deadLetterContainerName}'
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  // ACS is a global resource, and so is its system topic.
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: communicationService.id
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

// Send-only on queues: the topic can add messages but never read or delete what the app stores.
resource topicQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, topic.id, roles.storageQueueDataMessageSender.id)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataMessageSender.id)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Scoped to the dead-letter container only, so the topic cannot touch the deployment package.
resource topicDeadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetterContainer.id, topic.id, roles.storageBlobDataContributor.id)
  scope: deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor.id)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource toQueue 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: 'email-events-to-queue'
  // Event Grid checks its access when the subscription is created.
  dependsOn: [
    topicQueueSender
    topicDeadLetterWriter
  ]
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Communication.EmailDeliveryReportReceived'
        'Microsoft.Communication.EmailEngagementTrackingReportReceived'
      ]
    }
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storage.id
          queueName: queueName
          // A week, the longest a report is still worth applying to the ledger.
          queueMessageTimeToLiveInSeconds: 604800
        }
      }
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output topicName string = topic.name
output topicPrincipalId string = topic.identity.principalId
