using System.Text.Json.Nodes;

namespace Reengage.Infra.Tests;

/// <summary>The Function App as the compiled ARM JSON deploys it (SPEC §11): .NET 10 isolated on Flex Consumption, identity only.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class FunctionAppTemplateTests(CompiledInfra infra)
{
    /// <summary>
    /// App settings the Flex Consumption plan deprecates or rejects ("Flex Consumption plan deprecations"): runtime,
    /// version and scale live in functionAppConfig, the package in its deployment storage, and the plan has no time zone.
    /// </summary>
    public static readonly string[] FlexRejectedSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION",
        "FUNCTIONS_MAX_HTTP_CONCURRENCY", "FUNCTIONS_WORKER_PROCESS_COUNT", "WEBSITE_NODE_DEFAULT_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTOVERVNET",
        "WEBSITE_SKIP_CONTENTSHARE_VALIDATION", "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT", "WEBSITE_TIME_ZONE",
        "WEBSITE_VNET_ROUTE_ALL", "WEBSITE_DNS_SERVER", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD", "TZ",
    ];

    private ArmDeployment App => infra.Module("functionapp");
    private JsonObject Site => App.Resource("Microsoft.Web/sites");
    private JsonObject Settings => (JsonObject)App.Variable("appSettings");
    private string Setting(string name) => Settings[name]?.GetValue<string>() ?? throw new InvalidOperationException($"no app setting {name}");

    [Fact]
    public void Runs_the_dotnet_isolated_10_runtime_on_a_Flex_Consumption_FC1_plan()
    {
        var plan = App.Resource("Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", plan.At("sku.tier"));
        Assert.Equal("FC1", plan.At("sku.name"));
        Assert.Equal("true", plan.At("properties.reserved"));
        Assert.Equal("functionapp,linux", Site.Str("kind"));
        Assert.Equal("dotnet-isolated", Site.At("properties.functionAppConfig.runtime.name"));
        Assert.Equal("10.0", Site.At("properties.functionAppConfig.runtime.version"));
        Assert.Equal("true", Site.At("properties.httpsOnly"));
    }

    [Fact]
    public void Deploys_its_package_from_blob_storage_as_its_user_assigned_identity()
    {
        Assert.Equal("UserAssigned", Site.At("identity.type"));
        Assert.Equal(["[format('{0}', parameters('identityId'))]"], Site.Obj("identity").Obj("userAssignedIdentities").Select(p => p.Key).ToArray());
        Assert.Equal("blobContainer", Site.At("properties.functionAppConfig.deployment.storage.type"));
        Assert.Equal("UserAssignedIdentity", Site.At("properties.functionAppConfig.deployment.storage.authentication.type"));
        Assert.Equal("[parameters('identityId')]", Site.At("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"));
        // main.bicep hands the module the identity module's outputs, not some other identity.
        Assert.EndsWith("'Microsoft.Resources/deployments', 'identity'), '2025-04-01').outputs.id.value]", App.Argument("identityId"), StringComparison.Ordinal);
        Assert.EndsWith("'Microsoft.Resources/deployments', 'identity'), '2025-04-01').outputs.clientId.value]", App.Argument("identityClientId"), StringComparison.Ordinal);
    }

    [Fact]
    public void Its_app_settings_are_exactly_the_appSettings_variable()
    {
        var copy = Assert.Single(Site.Obj("properties").Obj("siteConfig")["copy"]!.AsArray().OfType<JsonObject>());
        Assert.Equal("appSettings", copy.Str("name"));
        Assert.Equal("[length(items(variables('appSettings')))]", copy.Str("count"));
        Assert.Equal("[items(variables('appSettings'))[copyIndex('appSettings')].key]", copy.At("input.name"));
        Assert.Equal("[items(variables('appSettings'))[copyIndex('appSettings')].value]", copy.At("input.value"));
        Assert.Null(Site.Obj("properties").Obj("siteConfig")["appSettings"]);
        Assert.True(Settings.Count > 10);
    }

    [Fact]
    public void Host_storage_and_ReengageStorage_are_identity_based()
    {
        Assert.Equal("[parameters('storageBlobEndpoint')]", Setting("AzureWebJobsStorage__blobServiceUri"));
        Assert.Equal("[parameters('storageQueueEndpoint')]", Setting("AzureWebJobsStorage__queueServiceUri"));
        Assert.Equal("[parameters('storageTableEndpoint')]", Setting("AzureWebJobsStorage__tableServiceUri"));
        Assert.Equal("managedidentity", Setting("AzureWebJobsStorage__credential"));
        Assert.Equal("[parameters('identityClientId')]", Setting("AzureWebJobsStorage__clientId"));

        Assert.Equal("[parameters('storageTableEndpoint')]", Setting("ReengageStorage__tableServiceUri"));
        Assert.Equal("[parameters('storageQueueEndpoint')]", Setting("ReengageStorage__queueServiceUri"));
        Assert.Equal("managedidentity", Setting("ReengageStorage__credential"));
        Assert.Equal("[parameters('identityClientId')]", Setting("ReengageStorage__clientId"));

        foreach (var endpoint in new[] { "Blob", "Queue", "Table" })
        {
            Assert.EndsWith($"'Microsoft.Resources/deployments', 'storage'), '2025-04-01').outputs.{endpoint.ToLowerInvariant()}Endpoint.value]",
                App.Argument($"storage{endpoint}Endpoint"), StringComparison.Ordinal);
        }
        Assert.Null(Settings["AzureWebJobsStorage"]);
        Assert.Null(Settings["ReengageStorage"]);
    }

    [Fact]
    public void Carry_no_key_and_nothing_the_Flex_plan_rejects()
    {
        Assert.Equal([], Settings.Select(s => s.Key).Intersect(FlexRejectedSettings).ToArray());
        var keyed = Settings.Where(s => s.Value!.ToJsonString() is var value
            && (value.Contains("AccountKey", StringComparison.OrdinalIgnoreCase) || value.Contains("listKeys(", StringComparison.Ordinal)
                || value.Contains("DefaultEndpointsProtocol", StringComparison.Ordinal) || value.Contains("SharedAccessSignature", StringComparison.Ordinal)));
        Assert.Equal([], keyed.Select(s => s.Key).ToArray());
        Assert.Null(Settings["ACS_CONNECTION_STRING"]);
        // The only connection string is App Insights', which carries no credential once local authentication is off.
        Assert.Equal(["APPLICATIONINSIGHTS_CONNECTION_STRING"],
            Settings.Select(s => s.Key).Where(k => k.Contains("CONNECTION_STRING", StringComparison.OrdinalIgnoreCase)).ToArray());
    }

    [Fact]
    public void Sends_email_through_ACS_as_its_identity()
    {
        Assert.Equal("acs", Setting("EMAIL_TRANSPORT"));
        Assert.Equal("[parameters('acsEndpoint')]", Setting("ACS_ENDPOINT"));
        Assert.EndsWith("'Microsoft.Resources/deployments', 'communication'), '2025-04-01').outputs.endpoint.value]", App.Argument("acsEndpoint"), StringComparison.Ordinal);
        Assert.Equal("[format('https://{0}', reference(resourceId('Microsoft.Communication/communicationServices', parameters('communicationServiceName')), '2023-04-01').hostName)]",
            infra.Module("communication").Template.Obj("outputs").Obj("endpoint").Str("value"));
    }

    [Fact]
    public void Reads_its_link_signing_keys_through_a_Key_Vault_reference_resolved_with_its_identity()
    {
        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('linkSigningKeysSecretUri'))]", Setting("LINK_SIGNING_KEYS"));
        Assert.Equal("[parameters('identityId')]", Site.At("properties.keyVaultReferenceIdentity"));
        Assert.EndsWith("'Microsoft.Resources/deployments', 'keyvault'), '2025-04-01').outputs.linkSigningKeysSecretUri.value]",
            App.Argument("linkSigningKeysSecretUri"), StringComparison.Ordinal);

        var vault = infra.Module("keyvault");
        Assert.Equal("true", vault.Resource("Microsoft.KeyVault/vaults").At("properties.enableRbacAuthorization"));
        var secret = vault.Resource("Microsoft.KeyVault/vaults/secrets");
        Assert.Equal("[format('{0}/{1}', parameters('name'), 'link-signing-keys')]", secret.Str("name"));
        Assert.Equal("[parameters('linkSigningKeys')]", secret.At("properties.value"));
        Assert.Equal("securestring", vault.Template.Obj("parameters").Obj("linkSigningKeys").Str("type"));
        Assert.Equal("[reference(resourceId('Microsoft.KeyVault/vaults/secrets', parameters('name'), 'link-signing-keys'), '2023-07-01').secretUriWithVersion]",
            vault.Template.Obj("outputs").Obj("linkSigningKeysSecretUri").Str("value"));
    }

    [Fact]
    public void Sends_telemetry_to_an_Application_Insights_that_accepts_only_its_Entra_identity()
    {
        Assert.Equal("[parameters('applicationInsightsConnectionString')]", Setting("APPLICATIONINSIGHTS_CONNECTION_STRING"));
        Assert.EndsWith("'Microsoft.Resources/deployments', 'monitoring'), '2025-04-01').outputs.applicationInsightsConnectionString.value]",
            App.Argument("applicationInsightsConnectionString"), StringComparison.Ordinal);
        // The host authenticates with this string; the worker's exporter (WorkerTelemetry.cs) with ReengageStorage__clientId.
        // Both are the identity that holds Monitoring Metrics Publisher.
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", Setting("APPLICATIONINSIGHTS_AUTHENTICATION_STRING"));
        Assert.Equal("[parameters('identityClientId')]", Setting("ReengageStorage__clientId"));

        var monitoring = infra.Module("monitoring");
        var insights = monitoring.Resource("Microsoft.Insights/components");
        Assert.Equal("true", insights.At("properties.DisableLocalAuth"));
        Assert.Equal("[resourceId('Microsoft.OperationalInsights/workspaces', parameters('logAnalyticsName'))]", insights.At("properties.WorkspaceResourceId"));
    }
}
