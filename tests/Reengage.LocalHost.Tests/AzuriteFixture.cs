using Reengage.Testing;

namespace Reengage.LocalHost.Tests;

/// <summary>One Azurite for the test assembly; tests keep apart by their own queue names (<see cref="UniqueName"/>).</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public Azurite Azurite { get; private set; } = null!;

    public string ConnectionString => Azurite.ConnectionString;

    /// <summary>A queue name no other test uses: lowercase letters and digits, starting with a letter.</summary>
    public static string UniqueName(string prefix) => (prefix + Guid.NewGuid().ToString("N"))[..Math.Min(prefix.Length + 24, 63)].ToLowerInvariant();

    public async Task InitializeAsync() => Azurite = await Azurite.StartAsync();

    public async Task DisposeAsync() => await Azurite.DisposeAsync();
}
