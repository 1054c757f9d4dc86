// infra/ compiled and linted once per test run by the real Bicep CLI, in a copy (the compiled JSON never lands in the
// repository); the tests read the ARM JSON it produced, not the Bicep text.
using System.Text.Json.Nodes;
using Reengage.Testing;

namespace Reengage.Infra.Tests;

public sealed class CompiledInfra : IAsyncLifetime
{
    private string? _workDirectory;
    private JsonObject? _main;

    public static string Root { get; } = RepositoryRoot.Find();

    internal BicepRun Build { get; private set; } = null!;
    internal BicepRun Lint { get; private set; } = null!;

    /// <summary>Every .bicep file under infra/, relative to the repository root with forward slashes.</summary>
    public IReadOnlyList<string> BicepFiles { get; private set; } = [];

    public string WorkDirectory => _workDirectory ?? throw new InvalidOperationException("not compiled yet");

    /// <summary>infra/main.json, with every module inlined as a nested deployment.</summary>
    public JsonObject Main => _main ?? throw new InvalidOperationException("not compiled yet");

    public async Task InitializeAsync()
    {
        var infra = Path.Combine(Root, "infra");
        _workDirectory = Directory.CreateTempSubdirectory("reengage-infra-").FullName;
        foreach (var file in Directory.EnumerateFiles(infra, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_workDirectory, Path.GetRelativePath(infra, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        BicepFiles = Directory.EnumerateFiles(infra, "*.bicep", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Build = await BicepCli.RunAsync(_workDirectory, "build", "--pattern", "**/*.bicep");
        Lint = await BicepCli.RunAsync(_workDirectory, "lint", "--pattern", "**/*.bicep");
        var mainJson = Path.Combine(_workDirectory, "main.json");
        if (File.Exists(mainJson)) _main = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(mainJson))!;
    }

    public Task DisposeAsync()
    {
        if (_workDirectory is not null && Directory.Exists(_workDirectory)) Directory.Delete(_workDirectory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Where the compiler wrote the ARM JSON of <paramref name="bicepFile"/> (a path like infra/modules/x.bicep).</summary>
    public string CompiledPathOf(string bicepFile) =>
        Path.Combine(WorkDirectory, Path.ChangeExtension(Path.GetRelativePath("infra", bicepFile), ".json"));

    /// <summary>A diagnostic's path as it is in the repository rather than in the temporary copy.</summary>
    public string InRepository(string path) =>
        path.StartsWith(WorkDirectory, StringComparison.Ordinal) ? "infra" + path[WorkDirectory.Length..] : path;

    /// <summary>The nested deployment that main.bicep names <paramref name="name"/> (one per module).</summary>
    public ArmDeployment Module(string name)
    {
        var deployment = Main.Resources().SingleOrDefault(r => r.Type() == "Microsoft.Resources/deployments" && r.Str("name") == name)
            ?? throw new InvalidOperationException($"main.json deploys no module named {name}");
        return new ArmDeployment(name, deployment.Obj("properties").Obj("parameters"), deployment.Obj("properties").Obj("template"));
    }

    public IEnumerable<ArmDeployment> Modules() =>
        Main.Resources().Where(r => r.Type() == "Microsoft.Resources/deployments").Select(r => Module(r.Str("name")));
}

[CollectionDefinition(Name)]
public sealed class CompiledInfraCollection : ICollectionFixture<CompiledInfra>
{
    public const string Name = "Compiled infra";
}
