using System.Text.Json.Nodes;

namespace Reengage.Infra.Tests;

/// <summary>Who may do what, read from the compiled role assignments of every module.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class RoleAssignmentTests(CompiledInfra infra)
{
    // Built-in role definition ids as Azure's "built-in roles" reference lists them, copied by hand.
    private static readonly Dictionary<string, string> DocumentedRoles = new()
    {
        ["Storage Blob Data Owner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        ["Storage Blob Data Contributor"] = "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        ["Storage Queue Data Contributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        ["Storage Queue Data Message Sender"] = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
        ["Storage Table Data Contributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        ["Monitoring Metrics Publisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",
        ["Key Vault Secrets User"] = "4633458b-17de-408a-b874-0445c86b69e6",
        ["Key Vault Secrets Officer"] = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        ["Communication and Email Service Owner"] = "09976791-48a7-449e-bb21-39d1a415f350",
    };

    private const string App = "[parameters('appPrincipalId')]";
    private const string User = "[parameters('userPrincipalId')]";
    private const string Topic = "[reference(resourceId('Microsoft.EventGrid/systemTopics', parameters('name')), '2022-06-15', 'full').identity.principalId]";

    private sealed record Grant(string Module, string Principal, string Role, string Scope, string? Condition)
    {
        public override string ToString() => $"{Principal} {Role} on {Scope}";
    }

    private IReadOnlyList<Grant> Grants() =>
        infra.Modules().SelectMany(module => module.Resources("Microsoft.Authorization/roleAssignments").Select(assignment =>
        {
            var definition = assignment.At("properties.roleDefinitionId")!;
            var key = Arm.RoleKey(definition) ?? throw new InvalidOperationException($"{module.Name}: a role assignment does not take its role from roles.json: {definition}");
            var id = module.Variable("roles")[key]?["id"]?.GetValue<string>() ?? throw new InvalidOperationException($"roles.json has no {key}");
            var name = DocumentedRoles.SingleOrDefault(r => r.Value == id).Key ?? $"undocumented role {id}";
            return new Grant(module.Name, assignment.At("properties.principalId")!, name, assignment.Str("scope"), assignment["condition"]?.GetValue<string>());
        })).ToArray();

    private static string[] Describe(IEnumerable<Grant> grants) =>
        grants.Select(g => $"{g.Role} on {ScopeKind(g.Scope)}").Order(StringComparer.Ordinal).ToArray();

    private static string ScopeKind(string scope) =>
        scope.StartsWith("[resourceId('", StringComparison.Ordinal) ? scope["[resourceId('".Length..scope.IndexOf('\'', "[resourceId('".Length)] : scope;

    [Fact]
    public void Every_role_comes_from_roles_json_with_its_documented_id()
    {
        var roles = (JsonObject)infra.Module("rbac").Variable("roles");
        foreach (var (key, role) in roles)
        {
            Assert.Equal(DocumentedRoles[role!["name"]!.GetValue<string>()], role["id"]!.GetValue<string>());
        }
        Assert.DoesNotContain(Grants(), g => g.Role.StartsWith("undocumented", StringComparison.Ordinal));
    }

    [Fact]
    public void The_app_identity_may_use_tables_queues_blobs_telemetry_its_secret_and_send_email_and_nothing_more()
    {
        var app = Grants().Where(g => g.Principal == App).ToArray();
        Assert.All(app, g => Assert.Null(g.Condition));
        Assert.Equal(
            [
                "Communication and Email Service Owner on Microsoft.Communication/communicationServices",
                "Key Vault Secrets User on Microsoft.KeyVault/vaults",
                "Monitoring Metrics Publisher on Microsoft.Insights/components",
                "Storage Blob Data Owner on Microsoft.Storage/storageAccounts",
                "Storage Queue Data Contributor on Microsoft.Storage/storageAccounts",
                "Storage Table Data Contributor on Microsoft.Storage/storageAccounts",
            ],
            Describe(app));
        Assert.EndsWith("'Microsoft.Resources/deployments', 'identity'), '2025-04-01').outputs.principalId.value]",
            infra.Module("rbac").Argument("appPrincipalId"), StringComparison.Ordinal);
        // The app starts once its roles exist (storage for the host, the Key Vault reference).
        Assert.Contains(infra.Main.Resources().Single(r => r.Str("name") == "functionapp")["dependsOn"]!.AsArray(),
            d => d!.GetValue<string>().EndsWith("'Microsoft.Resources/deployments', 'rbac')]", StringComparison.Ordinal));
    }

    [Fact]
    public void The_deploying_user_gets_data_roles_and_secret_rotation_only_when_named()
    {
        var user = Grants().Where(g => g.Principal == User).ToArray();
        Assert.All(user, g => Assert.Equal("[variables('grantUser')]", g.Condition));
        Assert.Equal(
            [
                "Key Vault Secrets Officer on Microsoft.KeyVault/vaults",
                "Storage Queue Data Contributor on Microsoft.Storage/storageAccounts",
                "Storage Table Data Contributor on Microsoft.Storage/storageAccounts",
            ],
            Describe(user));
        Assert.Equal("[parameters('principalId')]", infra.Module("rbac").Argument("userPrincipalId"));
    }

    [Fact]
    public void The_Event_Grid_topic_may_only_add_queue_messages_and_write_dead_letters()
    {
        var topic = Grants().Where(g => g.Principal == Topic).ToArray();
        Assert.Equal(
            [
                "Storage Blob Data Contributor on Microsoft.Storage/storageAccounts/blobServices/containers",
                "Storage Queue Data Message Sender on Microsoft.Storage/storageAccounts",
            ],
            Describe(topic));
        Assert.All(topic, g => Assert.Equal("email-events", g.Module));
        Assert.Equal([], Grants().Where(g => g.Principal is not (App or User or Topic)).Select(g => g.ToString()).ToArray());
    }
}
