using Microsoft.Extensions.DependencyInjection;

namespace Reengage.LocalHost.Tests;

/// <summary>A local host started in-process on a free port, serving the test functions of one namespace.</summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly string _appDirectory;

    private TestApp(LocalFunctionsHost host, string appDirectory)
    {
        Host = host;
        _appDirectory = appDirectory;
        // Taken now: tests read it after the host (and its services) are gone.
        Recorder = host.Services.GetRequiredService<Recorder>();
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseUrl };
    }

    public LocalFunctionsHost Host { get; }
    public HttpClient Client { get; }
    public Recorder Recorder { get; }

    public static string AppDirectory(string? hostJson, string? localSettingsJson)
    {
        var directory = Directory.CreateTempSubdirectory("reengage-localhost-tests-").FullName;
        File.WriteAllText(Path.Combine(directory, "host.json"), hostJson ?? """{ "version": "2.0" }""");
        if (localSettingsJson is not null)
        {
            File.WriteAllText(Path.Combine(directory, "local.settings.json"), localSettingsJson);
        }
        return directory;
    }

    public static LocalFunctionsHostOptions Options(string functionNamespace, string appDirectory, IReadOnlyDictionary<string, string?>? settings = null) => new()
    {
        Port = 0,
        FunctionAssemblies = [typeof(TestApp).Assembly],
        TypeFilter = t => t.Namespace == functionNamespace,
        AppDirectory = appDirectory,
        Settings = settings ?? new Dictionary<string, string?>(),
        Configure = static builder => builder.Services.AddSingleton<Recorder>(),
    };

    public static async Task<TestApp> StartAsync(
        string functionNamespace,
        IReadOnlyDictionary<string, string?>? settings = null,
        string? hostJson = null,
        string? localSettingsJson = null,
        Action<FunctionInvocation>? observer = null)
    {
        var directory = AppDirectory(hostJson, localSettingsJson);
        try
        {
            var options = Options(functionNamespace, directory, settings) with { OnInvocationCompleted = observer };
            return new TestApp(await LocalFunctionsHost.StartAsync(options), directory);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(_appDirectory, recursive: true);
    }
}
