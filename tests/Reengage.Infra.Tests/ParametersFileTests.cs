using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reengage.Infra.Tests;

/// <summary>infra/main.parameters.json (azd's <c>${VARIABLE=default}</c> form) against the compiled main.json's parameters.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed partial class ParametersFileTests(CompiledInfra infra)
{
    private static JsonObject FileParameters() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledInfra.Root, "infra", "main.parameters.json")))!.AsObject().Obj("parameters");

    private JsonObject Declared => infra.Main.Obj("parameters");

    [Fact]
    public void Sets_only_parameters_main_bicep_declares_and_every_required_one_azd_does_not_generate()
    {
        var file = FileParameters();
        Assert.Equal([], file.Select(p => p.Key).Where(name => Declared[name] is null).ToArray());
        var required = Declared.Where(p => p.Value!["defaultValue"] is null).ToArray();
        var unfilled = required.Where(p => file[p.Key] is null && p.Value!.AsObject().At("metadata.azd.type") != "generate");
        Assert.Equal([], unfilled.Select(p => p.Key).ToArray());
        Assert.Contains(required, p => p.Key == "linkSigningKeySeed");
    }

    [Fact]
    public void Takes_the_azd_environment_name_location_and_principal()
    {
        var file = FileParameters();
        Assert.Equal("${AZURE_ENV_NAME}", file.At("environmentName.value"));
        Assert.Equal("${AZURE_LOCATION}", file.At("location.value"));
        Assert.Equal("${AZURE_PRINCIPAL_ID}", file.At("principalId.value"));
    }

    [Fact]
    public void Its_defaults_agree_with_main_bicep_and_fit_each_parameter_type()
    {
        var problems = new List<string>();
        foreach (var (name, entry) in FileParameters())
        {
            var match = Substitution().Match(entry!.AsObject().At("value") ?? "");
            if (!match.Success)
            {
                problems.Add($"{name}: not an azd ${{VARIABLE}} or ${{VARIABLE=default}} substitution");
                continue;
            }
            if (!match.Groups["default"].Success) continue;
            var fallback = match.Groups["default"].Value;
            var parameter = Declared.Obj(name);
            var type = parameter.Str("type");
            var fits = type switch
            {
                "int" => int.TryParse(fallback, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                "bool" => fallback is "true" or "false",
                "string" or "securestring" => true,
                _ => false,
            };
            if (!fits) problems.Add($"{name}: default \"{fallback}\" is not a {type}");
            var declaredDefault = parameter["defaultValue"]?.ToJsonString().Trim('"');
            if (declaredDefault is not null && !string.Equals(declaredDefault, fallback, StringComparison.Ordinal))
            {
                problems.Add($"{name}: main.parameters.json defaults to {fallback}, main.bicep to {declaredDefault}");
            }
        }
        Assert.Equal([], problems);
    }

    [GeneratedRegex(@"^\$\{(?<variable>[A-Z][A-Z0-9_]*)(?:=(?<default>[^}]*))?\}$")]
    private static partial Regex Substitution();
}
