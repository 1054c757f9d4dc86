// The Bicep compiler restored from NuGet (Azure.Bicep.CommandLine.linux-x64): its tools/bicep, run as a process.
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Reengage.Infra.Tests;

internal static partial class BicepCli
{
    private static readonly Lazy<string> Executable = new(Locate);

    /// <summary>tools/bicep of the restored package, made executable (NuGet extracts files without their execute bit).</summary>
    public static string ExecutablePath => Executable.Value;

    public static async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{ExecutablePath} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new BicepRun(process.ExitCode, await output, await error);
    }

    private static string Locate()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("This project restores the linux-x64 build of the Bicep CLI (the build machines' platform).");
        }
        var root = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepCliPackageRoot").Value;
        if (string.IsNullOrEmpty(root))
        {
            throw new InvalidOperationException("The build did not record where Azure.Bicep.CommandLine.linux-x64 was restored (GeneratePathProperty).");
        }
        var path = Path.Combine(root, "tools", "bicep");
        if (!File.Exists(path)) throw new FileNotFoundException("The restored Bicep package has no tools/bicep.", path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & execute) != execute) File.SetUnixFileMode(path, mode | execute);
        return path;
    }

    /// <summary>A diagnostic as the CLI prints it: <c>path(line,column) : Warning BCP318: message [link]</c>.</summary>
    [GeneratedRegex(@"^(?<file>.+)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[\w-]+): (?<message>.*)$", RegexOptions.Multiline)]
    internal static partial Regex DiagnosticLine();
}

internal sealed record BicepDiagnostic(string File, int Line, int Column, string Level, string Code, string Message)
{
    public override string ToString() => $"{File}({Line},{Column}) : {Level} {Code}: {Message}";
}

internal sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Every error, warning and informational diagnostic the run printed (the CLI exits 0 despite warnings).</summary>
    public IReadOnlyList<BicepDiagnostic> Diagnostics { get; } =
        BicepCli.DiagnosticLine().Matches(StandardError + "\n" + StandardOutput)
            .Select(m => new BicepDiagnostic(
                m.Groups["file"].Value, int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(m.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture),
                m.Groups["level"].Value, m.Groups["code"].Value, m.Groups["message"].Value.TrimEnd('\r')))
            .ToArray();
}
