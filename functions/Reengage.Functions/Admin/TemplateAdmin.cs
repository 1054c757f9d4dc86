// The admin API's template overrides (SPEC §6): validated by the renderer before they are stored, shown, reverted.
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Admin;

/// <summary>The answer of a stored override.</summary>
public sealed record StoredTemplateJson(string TemplateId, string Locale, string Source, DateTimeOffset UpdatedAt);

/// <summary>The sources a send would use: the practice's override, or else the library's.</summary>
public sealed record TemplateViewJson(string TemplateId, string Locale, string Source, string Subject, string Html, string Text, DateTimeOffset? UpdatedAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(IsoInstantConverter)])]
[JsonSerializable(typeof(StoredTemplateJson))]
[JsonSerializable(typeof(TemplateViewJson))]
public sealed partial class TemplateJsonContext : JsonSerializerContext;

/// <summary>The three parts of an override, <c>{subject, html, text}</c>; the renderer's validation decides what is acceptable in them.</summary>
public static class TemplateSourcesInput
{
    /// <summary>Three sources of at most 60,000 characters each, in UTF-8, with room for JSON escaping (as the TypeScript app).</summary>
    public const int MaxBytes = 768 * 1024;

    /// <summary>The body's fields, read by <see cref="Parse"/> and described by the OpenAPI document.</summary>
    public static BodyShape Shape { get; } = new("TemplateSources", "must be an object {subject, html, text}",
    [
        new FieldRule("subject", FieldKind.String) { Required = true, Description = "Scriban; one line, no health data." },
        new FieldRule("html", FieldKind.String) { Required = true, Description = "Scriban; every value is HTML-escaped by the renderer." },
        new FieldRule("text", FieldKind.String) { Required = true, Description = "Scriban; the plain-text part." },
    ], "The three parts of a template, rendered against sample data before they are accepted (a 400 names the part that fails).");

    /// <summary>The sources at <paramref name="path"/> ("" for the body), or null with a problem per bad field.</summary>
    public static TemplateSources? Parse(JsonElement value, string path, List<FieldProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var before = problems.Count;
        var fields = JsonFields.Of(value, path, Shape, problems);
        if (fields is null) return null;
        var subject = Part(fields, "subject");
        var html = Part(fields, "html");
        var text = Part(fields, "text");
        return problems.Count == before && subject is not null && html is not null && text is not null ? new TemplateSources(subject, html, text) : null;
    }

    private static string? Part(JsonFields fields, string name)
    {
        if (!fields.TryGet(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            fields.Problem(name, "must be a string");
            return null;
        }
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // A lone UTF-16 half has no UTF-8 form: it could not be stored, nor sent.
            fields.Problem(name, "must be valid Unicode text");
            return null;
        }
    }
}

public abstract record PutTemplateResult
{
    private PutTemplateResult()
    {
    }

    public sealed record Saved(TemplateOverride Override, bool Created) : PutTemplateResult;

    /// <summary>The renderer refused it: the part and what is wrong.</summary>
    public sealed record Refused(FieldProblem Problem) : PutTemplateResult;
}

public sealed partial class TemplateAdmin(IPracticeStore practices, ITemplateRenderer renderer, TimeProvider time, ILogger<TemplateAdmin> logger)
{
    /// <summary>The template and locale a route names, or false for one that does not exist (404).</summary>
    public static bool TryTarget(string? templateId, string? locale, out TemplateId template, out Locale language)
    {
        language = default;
        return Wire.TryParse(templateId, out template) & Wire.TryParse(locale, out language);
    }

    /// <summary>The detail of the 404 for an unknown template or locale.</summary>
    public static string UnknownDetail =>
        $"Templates are {string.Join(", ", Wire.Names<TemplateId>())}; locales are {string.Join(", ", Wire.Names<Locale>())}.";

    /// <summary>Stores an override only once the renderer accepted it; a refused one changes nothing (the previous is kept).</summary>
    public async Task<PutTemplateResult> PutAsync(string practiceId, TemplateId templateId, Locale locale, TemplateSources sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (ValidationProblem(templateId, locale, sources) is { } problem) return new PutTemplateResult.Refused(problem);
        var existing = await practices.GetTemplateOverrideAsync(practiceId, templateId, locale, cancellationToken).ConfigureAwait(false);
        var stored = new TemplateOverride
        {
            PracticeId = practiceId,
            TemplateId = templateId,
            Locale = locale,
            Subject = sources.Subject,
            Html = sources.Html,
            Text = sources.Text,
            UpdatedAt = time.GetUtcNow(),
        };
        await practices.UpsertTemplateOverrideAsync(stored, cancellationToken).ConfigureAwait(false);
        LogStored(logger, practiceId, Wire.Name(templateId), Wire.Name(locale));
        return new PutTemplateResult.Saved(stored, existing is null);
    }

    public async Task<TemplateViewJson> GetAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken)
    {
        var stored = await practices.GetTemplateOverrideAsync(practiceId, templateId, locale, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            return new TemplateViewJson(Wire.Name(templateId), Wire.Name(locale), "override", stored.Subject, stored.Html, stored.Text, stored.UpdatedAt);
        }
        var library = renderer.GetLibrarySources(templateId, locale);
        return new TemplateViewJson(Wire.Name(templateId), Wire.Name(locale), "library", library.Subject, library.Html, library.Text, null);
    }

    /// <summary>Reverts to the library; succeeds when there was no override.</summary>
    public async Task DeleteAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken)
    {
        await practices.DeleteTemplateOverrideAsync(practiceId, templateId, locale, cancellationToken).ConfigureAwait(false);
        LogRemoved(logger, practiceId, Wire.Name(templateId), Wire.Name(locale));
    }

    /// <summary>The renderer's refusal as a field problem (its message starts with the part: <c>html: …</c>), or null.</summary>
    public FieldProblem? ValidationProblem(TemplateId templateId, Locale locale, TemplateSources sources)
    {
        try
        {
            renderer.ValidateOverride(templateId, locale, sources);
            return null;
        }
        catch (ReengageException error) when (error.Code == ErrorCode.InvalidInput)
        {
            foreach (var part in (string[])["subject", "html", "text"])
            {
                if (error.Message.StartsWith(part + ":", StringComparison.Ordinal)) return new FieldProblem(part, error.Message[(part.Length + 1)..].TrimStart());
            }
            return new FieldProblem("(body)", error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "template override stored {PracticeId} {Template} {Locale}")]
    private static partial void LogStored(ILogger logger, string practiceId, string template, string locale);

    [LoggerMessage(Level = LogLevel.Information, Message = "template override removed {PracticeId} {Template} {Locale}")]
    private static partial void LogRemoved(ILogger logger, string practiceId, string template, string locale);
}
