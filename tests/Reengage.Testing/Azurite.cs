using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Reengage.Testing;

/// <summary>
/// A private Azurite from the repository's npm package, on free loopback ports, in memory unless a folder is given.
/// Stopped (and its process tree killed) on dispose. One on disk can be stopped and started again on the same ports
/// and folder (<see cref="StopAsync"/>, <see cref="RestartAsync"/>).
/// </summary>
public sealed partial class Azurite : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly Options _options;

    private Azurite(Process process, Options options, Uri blob, Uri queue, Uri table)
    {
        _process = process;
        _options = options;
        BlobServiceUri = blob;
        QueueServiceUri = queue;
        TableServiceUri = table;
    }

    public Uri BlobServiceUri { get; }
    public Uri QueueServiceUri { get; }
    public Uri TableServiceUri { get; }

    /// <summary>The Azurite (node) process, for a benchmark that reports its memory.</summary>
    public int ProcessId => _process.Id;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={BlobServiceUri};QueueEndpoint={QueueServiceUri};TableEndpoint={TableServiceUri};";

    public sealed record Options
    {
        /// <summary>Folder for disk persistence; in memory when null.</summary>
        public string? Location { get; init; }
        /// <summary>Fixed ports (blob, queue, table) to restart on the same data; free ports when null.</summary>
        public (int Blob, int Queue, int Table)? Ports { get; init; }
        /// <summary>V8 heap limit of the Azurite process; Node's default when null.</summary>
        public int? HeapMiB { get; init; }
    }

    public static async Task<Azurite> StartAsync(Options? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new Options();
        var root = RepositoryRoot.Find();
        var entry = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException($"Azurite is not installed ({entry} is missing): run `npm install` at the repository's top.");
        }
        var ports = options.Ports ?? (0, 0, 0);
        var start = new ProcessStartInfo(NodeExecutable(root))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.HeapMiB is { } heap)
        {
            start.ArgumentList.Add($"--max-old-space-size={heap}");
        }
        foreach (var arg in new[]
        {
            entry, "--silent", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", ports.Blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queuePort", ports.Queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tablePort", ports.Table.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }
        if (options.Location is { } location)
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(location);
        }
        else
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        var output = new StringBuilder();
        var found = new Dictionary<string, Uri>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output)
            {
                output.AppendLine(e.Data);
                var match = ListeningLine().Match(e.Data);
                if (match.Success)
                {
                    found[match.Groups[1].Value.ToLowerInvariant()] = new Uri(match.Groups[2].Value.TrimEnd('/') + "/" + AccountName);
                    if (found.Count == 3) ready.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"Azurite exited with code {process.ExitCode}:\n{output}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Kill(process);
            throw;
        }
        // A test run that ends without disposing (a crash, a cancelled run) still leaves no Azurite behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill(process);
        return new Azurite(process, options, found["blob"], found["queue"], found["table"]);
    }

    /// <summary>
    /// Stops Azurite as an operator would (SIGTERM: it stops taking requests and writes its data to its folder), and
    /// kills it if it is still there after <paramref name="grace"/> (5 s when null; requests already on an open
    /// connection hang until then). On Windows, where there is no SIGTERM, it is killed at once.
    /// </summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited) return;
        if (!OperatingSystem.IsWindows())
        {
            using var signal = Process.Start(new ProcessStartInfo("kill")
            {
                ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                UseShellExecute = false,
            });
            if (signal is not null) await signal.WaitForExitAsync().ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException)
            {
                // Still there: killed below.
            }
        }
        Kill(_process);
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>A new Azurite on this one's ports and folder (stop this one first); for an Azurite on disk.</summary>
    public Task<Azurite> RestartAsync(CancellationToken cancellationToken = default)
    {
        if (_options.Location is null) throw new InvalidOperationException("Only an Azurite on disk (Options.Location) can be restarted on its data.");
        return StartAsync(_options with { Ports = (BlobServiceUri.Port, QueueServiceUri.Port, TableServiceUri.Port) }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The Node.js the repository installs (npm package <c>node</c>), else the one on PATH.</summary>
    private static string NodeExecutable(string root)
    {
        var local = Path.Combine(root, "node_modules", ".bin", "node");
        return File.Exists(local) ? local : "node";
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at (\S+)")]
    private static partial Regex ListeningLine();
}
