using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Reengage.Testing;

namespace Reengage.LocalHost.Tests;

/// <summary>The program as scripts start it: a URL line when ready, the status probe, a clean stop on SIGTERM.</summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class ProgramTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_program_prints_its_URL_when_ready_answers_the_status_probe_and_stops_cleanly_on_SIGTERM()
    {
        var root = RepositoryRoot.Find();
        var directory = TestApp.AppDirectory(
            File.ReadAllText(Path.Combine(root, "functions", "Reengage.FunctionApp", "host.json")),
            File.ReadAllText(Path.Combine(root, "local.settings.sample.json")));
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Reengage.LocalHost.dll"), "--port", "0", "--app-dir", directory })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ReengageStorage"] = azurite.ConnectionString;
        start.Environment["AzureWebJobsStorage"] = azurite.ConnectionString;

        using var process = Process.Start(start)!;
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (ReadyLine().Match(e.Data) is { Success: true } match) ready.TrySetResult(new Uri(match.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The local host exited:\n{output}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
            using var client = new HttpClient { BaseAddress = url };

            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/host/status")).StatusCode);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            Directory.Delete(directory, recursive: true);
        }
    }

    [GeneratedRegex(@"ready at (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ReadyLine();
}
