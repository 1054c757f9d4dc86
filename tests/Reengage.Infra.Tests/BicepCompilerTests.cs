namespace Reengage.Infra.Tests;

/// <summary>SPEC §11: the Bicep compiles and lints clean with the CLI that NuGet serves, inside the test command.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class BicepCompilerTests(CompiledInfra infra)
{
    [Fact]
    public async Task The_compiler_is_the_pinned_Bicep_CLI_from_NuGet()
    {
        var version = await BicepCli.RunAsync(CompiledInfra.Root, "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Contains("Bicep CLI version 0.49.2", version.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("azure.bicep.commandline.linux-x64", BicepCli.ExecutablePath, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_file_of_infra_builds_without_an_error_or_a_warning()
    {
        Assert.True(infra.BicepFiles.Count >= 9, $"only {infra.BicepFiles.Count} Bicep files found under infra/");
        Assert.Equal(0, infra.Build.ExitCode);
        AssertNoDiagnostic("bicep build", infra.Build);
        Assert.Equal("", infra.Build.StandardError.Trim());
        Assert.Equal([], infra.BicepFiles.Where(f => !File.Exists(infra.CompiledPathOf(f))).ToArray());
    }

    [Fact]
    public void Every_file_of_infra_lints_without_an_error_or_a_warning()
    {
        Assert.Equal(0, infra.Lint.ExitCode);
        AssertNoDiagnostic("bicep lint", infra.Lint);
        Assert.Equal("", infra.Lint.StandardError.Trim());
    }

    private void AssertNoDiagnostic(string command, BicepRun run)
    {
        var diagnostics = run.Diagnostics.Select(d => infra.InRepository(d.ToString())).Distinct().ToArray();
        Assert.True(diagnostics.Length == 0, $"{command} printed {diagnostics.Length} diagnostics:\n{string.Join("\n", diagnostics)}");
    }

    [Fact]
    public async Task A_warning_is_noticed_although_the_compiler_exits_zero()
    {
        // What today's infra/ looked like before the fixes: a value that may be 0 given to a parameter of minimum 1, and
        // an unused parameter (a linter rule).
        var directory = Directory.CreateTempSubdirectory("reengage-bicep-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "target.bicep"), "@minValue(1)\nparam perMinute int\noutput perMinute int = perMinute\n");
            await File.WriteAllTextAsync(Path.Combine(directory, "main.bicep"), """
                @minValue(0)
                param requested int = 0
                param unused string = ''
                module target 'target.bicep' = {
                  name: 'target'
                  params: {
                    perMinute: requested > 0 ? requested : 5
                  }
                }
                """);
            var build = await BicepCli.RunAsync(directory, "build", "main.bicep", "--stdout");
            var lint = await BicepCli.RunAsync(directory, "lint", "main.bicep");

            Assert.Equal(0, build.ExitCode);
            Assert.Contains(build.Diagnostics, d => d is { Level: "Warning", Code: "BCP329", Line: 7 });
            Assert.Contains(lint.Diagnostics, d => d is { Level: "Warning", Code: "no-unused-params", Line: 3 });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
