using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Templates;
using static Reengage.Functions.Tests.Templates.TemplateCases;

namespace Reengage.Functions.Tests.Templates;

/// <summary>The renderer's pooled contexts, shared by many threads at once: every email is whole and is its own.</summary>
public sealed class RendererConcurrencyTests
{
    private const int Renders = 4_000;

    [Fact]
    public void Renders_correct_unmixed_emails_from_many_threads_at_once()
    {
        // A small pool, so that contexts are handed from thread to thread and dropped when it is full.
        var renderer = new ScribanTemplateRenderer(new TemplateRenderLimits { MaxPooledContexts = 2 });
        var cases = TemplateCases.All().ToArray();
        var expected = new RenderedEmail[Renders];
        var contexts = new RenderContext[Renders];
        for (var i = 0; i < Renders; i++)
        {
            var (templateId, locale) = cases[i % cases.Length];
            contexts[i] = Full(locale, templateId) with
            {
                Patient = new RenderPatient($"Patient{i:D4}"),
                Therapist = new RenderTherapist($"Therapist{i:D4} <{i}>", $"Line A{i}\nLine B{i}"),
            };
            // Rendered one at a time first: what each email must be, whatever else runs beside it.
            expected[i] = renderer.Render(templateId, locale, contexts[i]);
        }

        var actual = new RenderedEmail[Renders];
        var failedOverrides = 0;
        Parallel.For(0, Renders, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var (templateId, locale) = cases[i % cases.Length];
            actual[i] = renderer.Render(templateId, locale, contexts[i]);
            if (i % 10 == 0)
            {
                // Renders that fail half-way drop their context; they must not disturb the others.
                try
                {
                    renderer.RenderOverride(templateId, locale, new TemplateSources("{{ while true }}x{{ end }}", "x", "x"), contexts[i]);
                }
                catch (ReengageException error) when (error.Code == ErrorCode.RenderFailed)
                {
                    Interlocked.Increment(ref failedOverrides);
                }
            }
        });

        Assert.Equal(Renders / 10, failedOverrides);
        for (var i = 0; i < Renders; i++)
        {
            Assert.Equal(expected[i], actual[i]);
            Assert.StartsWith(Wire.Name(contexts[i].Locale) == "fr" ? $"Bonjour Patient{i:D4}," : $"Hello Patient{i:D4},", actual[i].Text, StringComparison.Ordinal);
            Assert.Contains($"Therapist{i:D4} &lt;{i}&gt;", actual[i].Html, StringComparison.Ordinal);
            Assert.Contains($"Line B{i}\n", actual[i].Text, StringComparison.Ordinal);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(actual[i].Text, "Patient[0-9]{4}"));
        }
    }
}
