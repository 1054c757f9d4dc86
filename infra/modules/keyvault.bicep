// Key Vault (RBAC mode) holding the link-signing keys that the app reads through a Key Vault reference.
param name string
param location string
param tags object

@secure()
@description('The full LINK_SIGNING_KEYS value: "<kid>:<base64>[,<kid>:<base64>...]", first key signs.')
param linkSigningKeys string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access through Azure RBAC only (Key Vault Secrets User for the app), no access policies.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    publicNetworkAccess: 'Enabled'
  }
}

resource linkSigningKeysSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'link-signing-keys'
  properties: {
    value: linkSigningKeys
    contentType: 'text/plain; format=kid:base64[,kid:base64]'
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
output linkSigningKeysSecretName string = linkSigningKeysSecret.name
// The versioned URI: the app setting changes whenever the secret does, so the app restarts and
// reads the new keys at once instead of after the platform's reference cache expires.
output linkSigningKeysSecretUri string = linkSigningKeysSecret.properties.secretUriWithVersion
