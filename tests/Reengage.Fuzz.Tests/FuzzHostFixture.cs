using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Reengage.Functions;
using Reengage.LocalHost;
using Reengage.Testing;

namespace Reengage.Fuzz.Tests;

/// <summary>
/// One Azurite and one local host with the app's own composition (AddReengage, the sample settings, emails into an
/// outbox folder) for the whole assembly, with two practices set up through the API: A (with a therapist) and B.
/// Records every invocation's outcome and every log entry that carries an exception.
/// </summary>
public sealed class FuzzHostFixture : IAsyncLifetime
{
    private readonly ConcurrentQueue<FunctionInvocation> _invocations = new();
    private readonly CapturingLoggerProvider _logs = new();
    private string _directory = null!;

    public Azurite Azurite { get; private set; } = null!;
    public LocalFunctionsHost Host { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public string OutboxDirectory => Path.Combine(_directory, "outbox");
    public StorageSnapshots Snapshots { get; private set; } = null!;

    public Practice A { get; } = new("fuzz_a_" + Guid.NewGuid().ToString("N")[..6]);
    public Practice B { get; } = new("fuzz_b_" + Guid.NewGuid().ToString("N")[..6]);
    public const string TherapistId = "th_1";

    public sealed class Practice(string id)
    {
        public string Id { get; } = id;

        /// <summary>The key in use; a fuzzed rotation that succeeds replaces it (the old one keeps working for 7 days).</summary>
        public string Key { get; set; } = "";
    }

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("reengage-fuzz-").FullName;
        File.Copy(Path.Combine(RepositoryRoot.Find(), "functions", "Reengage.FunctionApp", "host.json"), Path.Combine(_directory, "host.json"));
        Directory.CreateDirectory(OutboxDirectory);
        Azurite = await Azurite.StartAsync();
        Host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            Port = 0,
            AppDirectory = _directory,
            Settings = SampleSettings.ForAzurite(Azurite.ConnectionString, OutboxDirectory),
            Configure = builder =>
            {
                builder.AddReengage();
                builder.Logging.AddProvider(_logs);
            },
            OnInvocationCompleted = _invocations.Enqueue,
        });
        // Header values go out as UTF-8, so that a key with an accent reaches the server as it would from a careless client.
        Client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = Host.BaseUrl,
            Timeout = TimeSpan.FromSeconds(60),
        };
        Snapshots = new StorageSnapshots(Azurite.ConnectionString, OutboxDirectory);

        foreach (var practice in new[] { A, B })
        {
            using var created = await Client.PutAsync($"/api/practices/{practice.Id}", Json(
                """{"name":"Cabinet","senderAddress":"bonjour@cabinet.example","bookingUrl":"https://cabinet.example/rdv"}"""));
            created.EnsureSuccessStatusCode();
            practice.Key = (await created.Content.ReadFromJsonAsync<JsonObject>())!["apiKey"]!.GetValue<string>();
        }
        using var therapist = new HttpRequestMessage(HttpMethod.Put, $"/api/practices/{A.Id}/therapists/{TherapistId}")
        {
            Content = Json("""{"displayName":"Léa Martin","email":"lea@cabinet.example"}"""),
        };
        therapist.Headers.Add("x-reengage-key", A.Key);
        (await Client.SendAsync(therapist)).EnsureSuccessStatusCode();
    }

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The invocations and exception-carrying log entries since the last call.</summary>
    public (List<FunctionInvocation> Invocations, List<string> Exceptions) Drain()
    {
        var invocations = new List<FunctionInvocation>();
        while (_invocations.TryDequeue(out var invocation)) invocations.Add(invocation);
        return (invocations, _logs.Drain());
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Keeps every log entry that carries an exception (the local host logs a function's throw with it).</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public List<string> Drain()
        {
            var entries = new List<string>();
            while (_entries.TryDequeue(out var entry)) entries.Add(entry);
            return entries;
        }

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (exception is not null) entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)}: {exception}");
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FuzzCollection : ICollectionFixture<FuzzHostFixture>
{
    public const string Name = "Fuzz host";
}
