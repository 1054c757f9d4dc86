using Reengage.Functions;
using Reengage.LocalHost;
using Reengage.Testing;

namespace Reengage.Cli.Tests;

/// <summary>One Azurite and the whole app served by the local host, with the app's own composition, for the CLI to talk to.</summary>
public sealed class LocalAppFixture : IAsyncLifetime
{
    private string _directory = null!;

    public Azurite Azurite { get; private set; } = null!;
    public LocalFunctionsHost Host { get; private set; } = null!;
    public Uri ApiBase => new(Host.BaseUrl, "/api");
    public IServiceProvider Services => Host.Services;

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync();
        _directory = Directory.CreateTempSubdirectory("reengage-cli-").FullName;
        File.Copy(Path.Combine(RepositoryRoot.Find(), "functions", "Reengage.FunctionApp", "host.json"), Path.Combine(_directory, "host.json"));
        Host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            Port = 0,
            AppDirectory = _directory,
            Settings = SampleSettings.ForAzurite(Azurite.ConnectionString, Path.Combine(_directory, "outbox")),
            Configure = builder => builder.AddReengage(),
        });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Azurite.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class LocalAppCollection : ICollectionFixture<LocalAppFixture>
{
    public const string Name = "LocalApp";
}
