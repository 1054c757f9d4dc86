using Microsoft.Extensions.Configuration;
using Reengage.Core;

namespace Reengage.Functions.Storage;

/// <summary>
/// The <c>ReengageStorage</c> connection, read the way the Functions host reads it for the queue trigger: a
/// connection string (<c>UseDevelopmentStorage=true</c> for Azurite, or a full one), or identity-based settings
/// <c>ReengageStorage__tableServiceUri</c>, <c>__queueServiceUri</c>, <c>__credential</c>, <c>__clientId</c>.
/// </summary>
public abstract record StorageConnection
{
    public const string DefaultName = "ReengageStorage";

    private StorageConnection()
    {
    }

    public sealed record ConnectionString(string Value) : StorageConnection
    {
        // The account key must never reach a log or an error page.
        public override string ToString() => "ConnectionString { Value = *** }";
    }

    /// <param name="Credential"><c>managedidentity</c>, or null for <c>DefaultAzureCredential</c>.</param>
    /// <param name="ClientId">The user-assigned identity's client id; null for a system-assigned one.</param>
    public sealed record Identity(Uri TableServiceUri, Uri QueueServiceUri, string? Credential, string? ClientId) : StorageConnection;

    /// <summary>Throws <see cref="ErrorCode.InvalidConfiguration"/> naming the missing or invalid setting.</summary>
    public static StorageConnection FromConfiguration(IConfiguration configuration, string name = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // The host looks for AzureWebJobs<name> first, then <name>, then ConnectionStrings:<name>.
        var section = new[] { configuration.GetSection("AzureWebJobs" + name), configuration.GetSection(name), configuration.GetSection("ConnectionStrings:" + name) }
            .FirstOrDefault(s => !string.IsNullOrWhiteSpace(s.Value) || s.GetChildren().Any());
        if (section is null)
        {
            throw Invalid($"Set {name} (a connection string, UseDevelopmentStorage=true for Azurite) or {name}__tableServiceUri and {name}__queueServiceUri (identity-based).");
        }
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new ConnectionString(section.Value.Trim());
        }

        var account = Setting(section, "accountName");
        var table = UriSetting(section, name, "tableServiceUri", account is null ? null : $"https://{account}.table.core.windows.net");
        var queue = UriSetting(section, name, "queueServiceUri", account is null ? null : $"https://{account}.queue.core.windows.net");
        var credential = Setting(section, "credential");
        if (credential is not null && !credential.Equals("managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"{name}__credential must be \"managedidentity\" (or absent for DefaultAzureCredential), not \"{credential}\".");
        }
        return new Identity(table, queue, credential?.ToLowerInvariant(), Setting(section, "clientId"));
    }

    private static Uri UriSetting(IConfigurationSection section, string name, string key, string? fallback)
    {
        var text = Setting(section, key) ?? fallback ?? throw Invalid($"{name}__{key} is required with identity-based storage.");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            throw Invalid($"{name}__{key} must be an absolute https URI (http only on loopback).");
        }
        return uri;
    }

    private static string? Setting(IConfigurationSection section, string key) =>
        section[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static ReengageException Invalid(string message) => new(ErrorCode.InvalidConfiguration, message);
}
