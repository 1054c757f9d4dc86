// `reengage <command>`: parses the command line, runs `import`, maps outcomes to exit codes.
using System.Text.Json;
using Reengage.Core;
using Reengage.Core.Import;

namespace Reengage.Cli;

/// <summary>What the CLI talks to: its output streams, its environment variables, whether stderr is a terminal, and (tests) the HTTP handler.</summary>
public sealed record CliEnvironment(TextWriter Out, TextWriter Error, Func<string, string?> Variable, bool Interactive, HttpMessageHandler? Handler = null);

/// <summary>A mistake in the command line or its inputs: exit code 2, with the usage hint.</summary>
public sealed class UsageException(string message) : Exception(message);

public static class ReengageCli
{
    public const int ExitOk = 0;
    public const int ExitInvalid = 1;
    public const int ExitUsage = 2;
    public const int ExitFailure = 3;

    public const string Usage = """
        Usage: reengage import <file.csv> --practice <id> (--url <api base> | --local) [options]

        Imports patients from a CSV file (UTF-8 or Windows-1252, "," or ";" separated, French or English headers).
        The whole file is checked first: if any line is invalid, nothing is written.

        Where to import (one of):
          --url <api base>          the app's API, e.g. https://<app>.azurewebsites.net/api,
                                    or a local host at http://localhost:7071/api
            --function-key <key>    the function key (better: set REENGAGE_FUNCTION_KEY)
            --practice-key <key>    the practice API key (better: set REENGAGE_PRACTICE_KEY)
          --local                   run the app's import here, straight against a storage account
            --connection <string>   its connection string (default: UseDevelopmentStorage=true, Azurite)
            --table-prefix <prefix> tables named <prefix>Patients, ... (isolated test environments)

        Options:
          --practice <id>           the practice to import into (required)
          --dry-run                 report what would change, write nothing
          --separator <, or ;>      the field separator (default: detected from the header line)
          --mapping <map.json>      {"firstName": "Given name", ...}: the file's column for each field
          --json                    print the full report as JSON instead of a summary
          -h, --help                this help

        Exit codes: 0 imported (or dry run clean), 1 invalid lines (nothing written), 2 usage error,
        3 failure (network, server or storage error; running the same file again completes an interrupted import).
        """;

    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                await environment.Out.WriteLineAsync(Usage).ConfigureAwait(false);
                return args.Length == 0 ? ExitUsage : ExitOk;
            }
            if (args[0] != "import") throw new UsageException($"unknown command \"{args[0]}\"");
            if (args.Contains("-h") || args.Contains("--help"))
            {
                await environment.Out.WriteLineAsync(Usage).ConfigureAwait(false);
                return ExitOk;
            }
            var options = ImportOptions.Parse(args[1..], environment.Variable);
            return await new ImportCommand(environment).RunAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await environment.Error.WriteLineAsync($"reengage: {e.Message}\nRun \"reengage --help\" for usage.").ConfigureAwait(false);
            return ExitUsage;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or ImportFailedException)
        {
            await environment.Error.WriteLineAsync($"reengage: {e.Message}").ConfigureAwait(false);
            return ExitFailure;
        }
    }
}

/// <summary>The server failed (5xx, or an answer that is not a report), or the storage did (<c>--local</c>): exit code 3.</summary>
public sealed class ImportFailedException(string message) : Exception(message);

/// <summary>Where <c>reengage import</c> writes: through the app's API, or in this process straight to storage.</summary>
public abstract record ImportTarget;

/// <summary><c>--url</c>: the app's import endpoint, with its keys.</summary>
public sealed record RemoteTarget(Uri Url, string? FunctionKey, string PracticeKey) : ImportTarget
{
    // The keys must never reach a log or an error message.
    public override string ToString() => $"RemoteTarget {{ Url = {Url} }}";
}

/// <summary><c>--local</c>: the app's import use case in this process, on the storage account of <see cref="Connection"/>.</summary>
public sealed record LocalTarget(string Connection, string? TablePrefix) : ImportTarget
{
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    // A connection string carries the account key.
    public override string ToString() => $"LocalTarget {{ TablePrefix = {TablePrefix} }}";
}

/// <summary>The options of <c>reengage import</c>, checked.</summary>
public sealed record ImportOptions(
    string File,
    string PracticeId,
    bool DryRun,
    char? Separator,
    IReadOnlyDictionary<string, string>? Mapping,
    bool Json,
    ImportTarget Target)
{
    private static readonly HashSet<string> Flags = ["--dry-run", "--json", "--local"];
    private static readonly HashSet<string> Valued =
        ["--practice", "--separator", "--mapping", "--url", "--function-key", "--practice-key", "--connection", "--table-prefix"];

    public static ImportOptions Parse(IReadOnlyList<string> args, Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(variable);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var positionals = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
            var name = eq > 0 ? arg[..eq] : arg;
            if (Flags.Contains(name) && eq < 0) flags.Add(name);
            else if (Valued.Contains(name))
            {
                if (eq > 0) values[name] = arg[(eq + 1)..];
                else if (i + 1 < args.Count) values[name] = args[++i];
                else throw new UsageException($"{name} needs a value");
            }
            else if (arg.StartsWith('-') && arg != "-") throw new UsageException($"unknown option \"{arg}\"");
            else positionals.Add(arg);
        }
        if (positionals.Count != 1) throw new UsageException("name exactly one CSV file to import");
        if (!values.TryGetValue("--practice", out var practiceId)) throw new UsageException("--practice <id> is required");
        if (!Ids.IsValid(practiceId)) throw new UsageException($"\"{practiceId}\" is not a practice id");
        char? separator = null;
        if (values.TryGetValue("--separator", out var s))
        {
            separator = s switch
            {
                "," or "comma" => ',',
                ";" or "semicolon" => ';',
                _ => throw new UsageException("--separator must be \",\" or \";\""),
            };
        }
        var mapping = values.TryGetValue("--mapping", out var mappingFile) ? ReadMapping(mappingFile) : null;
        var local = flags.Contains("--local");
        var remote = values.ContainsKey("--url");
        if (local && remote) throw new UsageException("--local and --url exclude each other: give one of them");
        if (!local && !remote) throw new UsageException("give either --url <api base> or --local");
        ImportTarget target = local ? LocalTargetOf(values) : RemoteTargetOf(values, variable);
        return new ImportOptions(positionals[0], practiceId, flags.Contains("--dry-run"), separator, mapping, flags.Contains("--json"), target);
    }

    private static LocalTarget LocalTargetOf(Dictionary<string, string> values)
    {
        if (values.ContainsKey("--function-key") || values.ContainsKey("--practice-key"))
        {
            throw new UsageException("--function-key and --practice-key go with --url, not --local");
        }
        var connection = values.GetValueOrDefault("--connection") ?? LocalTarget.DevelopmentStorage;
        if (string.IsNullOrWhiteSpace(connection)) throw new UsageException("--connection needs a storage connection string");
        var prefix = values.GetValueOrDefault("--table-prefix");
        // What StorageNames.WithAffix accepts, kept short enough for every table name (at most 63 characters).
        if (prefix is not null && !(prefix.Length is >= 1 and <= 31 && char.IsAsciiLetter(prefix[0]) && prefix.All(char.IsAsciiLetterOrDigit)))
        {
            throw new UsageException("--table-prefix must be a letter followed by at most 30 letters or digits");
        }
        return new LocalTarget(connection.Trim(), prefix);
    }

    private static RemoteTarget RemoteTargetOf(Dictionary<string, string> values, Func<string, string?> variable)
    {
        if (values.ContainsKey("--connection") || values.ContainsKey("--table-prefix"))
        {
            throw new UsageException("--connection and --table-prefix go with --local, not --url");
        }
        var urlText = values["--url"];
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url)) throw new UsageException($"--url \"{urlText}\" is not a URL");
        if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
        {
            throw new UsageException("--url must be https (plain http only for localhost): the keys travel with it");
        }
        // Keys from the environment keep them out of shell history and process lists.
        var practiceKey = values.GetValueOrDefault("--practice-key") ?? NonEmpty(variable("REENGAGE_PRACTICE_KEY"))
            ?? throw new UsageException("--practice-key (or REENGAGE_PRACTICE_KEY) is required with --url");
        var functionKey = values.GetValueOrDefault("--function-key") ?? NonEmpty(variable("REENGAGE_FUNCTION_KEY"));
        return new RemoteTarget(url, functionKey, practiceKey);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static Dictionary<string, string> ReadMapping(string file)
    {
        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllText(file));
            json = document.RootElement.Clone();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new UsageException($"--mapping {file} is not readable JSON: {e.Message}");
        }
        if (json.ValueKind != JsonValueKind.Object) throw new UsageException("--mapping must hold a JSON object such as {\"firstName\": \"Given name\"}");
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            if (!ImportFields.TryParse(property.Name, out _))
            {
                throw new UsageException($"--mapping: unknown field \"{property.Name}\" (fields: {string.Join(", ", ImportFields.All.Select(ImportFields.Name))})");
            }
            if (property.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(property.Value.GetString()))
            {
                throw new UsageException($"--mapping: the column for {property.Name} must be a header name");
            }
            mapping[property.Name] = property.Value.GetString()!;
        }
        return mapping;
    }
}
