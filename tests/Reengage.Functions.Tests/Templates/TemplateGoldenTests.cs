using System.Runtime.CompilerServices;
using Reengage.Core.Model;
using static Reengage.Functions.Tests.Templates.TemplateCases;

namespace Reengage.Functions.Tests.Templates;

/// <summary>
/// Each template in each locale, rendered with every optional value present, against its expected email in
/// golden/ (read and checked by hand). A wording change shows up here as a diff to read, not as a silent drift.
/// </summary>
public sealed class TemplateGoldenTests
{
    [Theory]
    [MemberData(nameof(TemplatesAndLocales), MemberType = typeof(TemplateCases))]
    public void Renders_the_golden_email(TemplateId templateId, Locale locale)
    {
        var email = Renderer.Render(templateId, locale, Full(locale, templateId));
        var name = $"{Wire.Name(templateId)}.{Wire.Name(locale)}";
        var differences = new[]
        {
            Difference($"{name}.txt", $"Subject: {email.Subject}\n\n{email.Text}"),
            Difference($"{name}.html", email.Html),
        };
        Assert.All(differences, Assert.Null);
    }

    private static string? Difference(string fileName, string actual)
    {
        var expectedPath = Path.Combine(GoldenFolder(), fileName);
        var expected = File.Exists(expectedPath) ? File.ReadAllText(expectedPath) : null;
        if (expected != actual)
        {
            // The render is left next to the build for a reader to compare: never copied over the golden file.
            var actualPath = Path.Combine(AppContext.BaseDirectory, "golden-actual", fileName);
            Directory.CreateDirectory(Path.GetDirectoryName(actualPath)!);
            File.WriteAllText(actualPath, actual);
            return $"{fileName} differs from {expectedPath}; this render is in {actualPath}";
        }
        return null;
    }

    private static string GoldenFolder([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "golden");
}
