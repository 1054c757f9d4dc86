# azd postprovision hook (Windows twin of postprovision.sh): prints what is left to do by hand.
# azd passes the environment's values (the Bicep outputs) as environment variables.
$ErrorActionPreference = 'Stop'

function Get-Setting([string] $Name, [string] $Default = '') {
    $value = [Environment]::GetEnvironmentVariable($Name)
    if ([string]::IsNullOrEmpty($value)) { return $Default }
    return $value
}

$apiUri = Get-Setting 'SERVICE_API_URI' 'https://<function app>.azurewebsites.net'
$sender = Get-Setting 'AZURE_EMAIL_SENDER_ADDRESS'
$customDomain = Get-Setting 'AZURE_EMAIL_CUSTOM_DOMAIN'
$customLinked = Get-Setting 'AZURE_EMAIL_CUSTOM_DOMAIN_LINKED' 'false'
$resourceGroup = Get-Setting 'AZURE_RESOURCE_GROUP' '<rg>'
$appName = Get-Setting 'AZURE_FUNCTION_APP_NAME' '<app>'

Write-Host ''
Write-Host 'Reengage is provisioned.'
Write-Host "  Function App      $apiUri"
Write-Host "  Links in emails   $(Get-Setting 'PUBLIC_BASE_URL' $apiUri)"
Write-Host "  Default sender    $sender"
Write-Host "  Send quota        $(Get-Setting 'EFFECTIVE_ACS_SENDS_PER_MINUTE' '?')/minute, $(Get-Setting 'EFFECTIVE_ACS_SENDS_PER_HOUR' '?')/hour"
Write-Host "  Resource group    $resourceGroup"
Write-Host ''

if ([string]::IsNullOrEmpty($customDomain)) {
    Write-Host 'Email is sent from the Azure-managed domain (5 emails/minute, 10/hour): fine for a trial, not for a'
    Write-Host 'practice. To send from your own domain:'
    Write-Host '  azd env set REENGAGE_CUSTOM_EMAIL_DOMAIN mail.example.org'
    Write-Host '  azd provision            # then publish the DNS records this hook prints'
    Write-Host ''
}
elseif ($customLinked -ne 'true') {
    Write-Host "Custom domain $customDomain is created but not yet linked. Publish these DNS records at your"
    Write-Host "DNS host (type, name, value; names are relative to ${customDomain}):"
    $records = Get-Setting 'AZURE_EMAIL_CUSTOM_DOMAIN_RECORDS' '{}'
    try {
        $parsed = $records | ConvertFrom-Json
        foreach ($property in $parsed.PSObject.Properties) {
            $r = $property.Value
            Write-Host ('  {0,-7} {1} {2} {3}' -f $property.Name, $r.type, $r.name, $r.value)
        }
    }
    catch {
        Write-Host "  $records"
    }
    Write-Host "Then verify them (Azure portal: Email Communication Service > Provision domains > $customDomain,"
    Write-Host 'or az communication email domain initiate-verification), and once all show Verified:'
    Write-Host '  azd env set REENGAGE_LINK_CUSTOM_EMAIL_DOMAIN true'
    Write-Host '  azd provision'
    Write-Host ''
}

$exampleSender = if ([string]::IsNullOrEmpty($sender)) { 'DoNotReply@<domain>' } else { $sender }
Write-Host 'Next steps (docs/deploy.md has the details):'
Write-Host "  1. Deploy the code if you ran only 'azd provision':  azd deploy"
Write-Host "  2. Create the first practice through the admin API (routes under $apiUri/api/practices/{practiceId}/,"
Write-Host "     function key from: az functionapp keys list -g $resourceGroup -n $appName)."
Write-Host "     Its senderAddress must be on a linked domain, e.g. $exampleSender."
Write-Host "  3. Point the practice's booking tool at its webhook, signed with the practice's webhook secret:"
Write-Host "       $apiUri/api/webhooks/{source}/{practiceId}     source: generic, calcom, calendly or acuity"
Write-Host ''
