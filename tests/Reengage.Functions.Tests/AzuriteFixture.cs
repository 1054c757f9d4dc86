using Reengage.Testing;

namespace Reengage.Functions.Tests;

/// <summary>
/// One Azurite for the whole test assembly, started on first use and stopped when the run ends; tests keep apart
/// by using their own table and queue names (<see cref="UniqueName"/>).
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public Azurite Azurite { get; private set; } = null!;

    public string ConnectionString => Azurite.ConnectionString;

    public Task<Azurite> GetAsync() => Task.FromResult(Azurite);

    /// <summary>A table or queue name no other test uses: lowercase letters and digits, starting with a letter.</summary>
    public static string UniqueName(string prefix) => (prefix + Guid.NewGuid().ToString("N"))[..Math.Min(prefix.Length + 24, 63)].ToLowerInvariant();

    public async Task InitializeAsync() => Azurite = await Azurite.StartAsync();

    public async Task DisposeAsync() => await Azurite.DisposeAsync();
}
