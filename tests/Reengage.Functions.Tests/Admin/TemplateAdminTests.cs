using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Model;
using Reengage.Functions.Admin;
using Reengage.Functions.Functions;
using Reengage.Functions.Templates;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Admin;

/// <summary>PUT/GET/DELETE practices/{id}/templates/{templateId}/{locale} (docs/admin-api.md, "Template overrides").</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TemplateAdminTests(AzuriteFixture fixture) : AdminTestBase(fixture)
{
    private const string Id = "prac_tpl";

    private static readonly ScribanTemplateRenderer Renderer = new();

    private TemplateAdminFunctions Functions
    {
        get
        {
            var admin = ActivatorUtilities.CreateInstance<TemplateAdmin>(Services, Renderer);
            var preview = ActivatorUtilities.CreateInstance<TemplatePreview>(Services, Renderer, admin);
            return ActivatorUtilities.CreateInstance<TemplateAdminFunctions>(Services, admin, preview);
        }
    }

    private Task<Answer> PreviewAsync(string practiceId, string templateId, string locale, string? body, string? key, string contentType = "application/json") =>
        RunAsync(Functions.PreviewTemplate(Request("POST", key, body, contentType), practiceId, templateId, locale, CancellationToken.None));

    /// <summary>The documentation's example override.</summary>
    private static readonly string Valid = JsonSerializer.Serialize(new
    {
        subject = "{{ if patient.firstName }}{{ patient.firstName }}, {{ end }}des nouvelles du cabinet",
        html = "<p>Bonjour{{ if patient.firstName }} {{ patient.firstName }}{{ end }},</p>\n<p><a href=\"{{ links.book }}\">Prendre rendez-vous</a> · <a href=\"{{ links.later }}\">Pas pour le moment</a></p>\n<p>{{ therapist.displayName }} · <a href=\"{{ links.unsubscribe }}\">Se désinscrire</a></p>",
        text = "Bonjour{{ if patient.firstName }} {{ patient.firstName }}{{ end }},\nPrendre rendez-vous : {{ links.book }}\nPas pour le moment : {{ links.later }}\n{{ therapist.displayName }}\nSe désinscrire : {{ links.unsubscribe }}",
    });

    private Task<Answer> PutAsync(string practiceId, string templateId, string locale, string body, string? key, string contentType = "application/json") =>
        RunAsync(Functions.PutTemplateOverride(Request("PUT", key, body, contentType), practiceId, templateId, locale, CancellationToken.None));

    private Task<Answer> GetAsync(string practiceId, string templateId, string locale, string? key) =>
        RunAsync(Functions.GetTemplate(Request("GET", key), practiceId, templateId, locale, CancellationToken.None));

    private Task<Answer> DeleteAsync(string practiceId, string templateId, string locale, string? key) =>
        RunAsync(Functions.DeleteTemplateOverride(Request("DELETE", key), practiceId, templateId, locale, CancellationToken.None));

    private async Task<string?> StoredAsync() =>
        JsonSerializer.Serialize(await Practices.GetTemplateOverrideAsync(Id, TemplateId.CheckIn, Locale.Fr), TestJson.Options);

    [Fact]
    public async Task GET_shows_the_library_then_PUT_stores_an_override_201_then_200_and_DELETE_reverts_204_twice()
    {
        var key = await CreatePracticeAsync(Id);

        var library = await GetAsync(Id, "check-in", "fr", key);
        var created = await PutAsync(Id, "check-in", "fr", Valid, key);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var replaced = await PutAsync(Id, "check-in", "fr", Valid, key);
        var overridden = await GetAsync(Id, "check-in", "fr", key);
        var english = await GetAsync(Id, "check-in", "en", key);
        var deleted = await DeleteAsync(Id, "check-in", "fr", key);
        var again = await DeleteAsync(Id, "check-in", "fr", key);
        var reverted = await GetAsync(Id, "check-in", "fr", key);

        Assert.Equal(200, library.Status);
        var sources = Renderer.GetLibrarySources(TemplateId.CheckIn, Locale.Fr);
        AssertJsonEqual(
            JsonSerializer.Serialize(new { templateId = "check-in", locale = "fr", source = "library", subject = sources.Subject, html = sources.Html, text = sources.Text, updatedAt = (string?)null }),
            library.Body);
        Assert.Equal(201, created.Status);
        Assert.Equal("no-store", created.Header("Cache-Control"));
        AssertJsonEqual("""{ "templateId": "check-in", "locale": "fr", "source": "override", "updatedAt": "2027-02-01T08:00:00.000Z" }""", created.Body);
        Assert.Equal(200, replaced.Status);
        AssertJsonEqual("""{ "templateId": "check-in", "locale": "fr", "source": "override", "updatedAt": "2027-02-01T08:05:00.000Z" }""", replaced.Body);
        var expected = JsonSerializer.Deserialize<JsonElement>(Valid);
        Assert.Equal("override", overridden.Json!["source"]!.GetValue<string>());
        Assert.Equal(expected.GetProperty("html").GetString(), overridden.Json!["html"]!.GetValue<string>());
        Assert.Equal("2027-02-01T08:05:00.000Z", overridden.Json!["updatedAt"]!.GetValue<string>());
        Assert.Equal("library", english.Json!["source"]!.GetValue<string>());
        Assert.Equal(204, deleted.Status);
        Assert.Equal("no-store", deleted.Header("Cache-Control"));
        Assert.Equal("", deleted.Body);
        Assert.Equal(204, again.Status);
        AssertJsonEqual(library.Body, reverted.Body);
    }

    [Fact]
    public async Task A_refused_override_names_its_part_stores_nothing_and_keeps_the_previous_one()
    {
        var key = await CreatePracticeAsync(Id);
        Assert.Equal(201, (await PutAsync(Id, "check-in", "fr", Valid, key)).Status);
        var before = await StoredAsync();
        var valid = JsonSerializer.Deserialize<Dictionary<string, string>>(Valid)!;
        string With(string part, string source) => JsonSerializer.Serialize(new Dictionary<string, string>(valid) { [part] = source });

        var noUnsubscribe = await PutAsync(Id, "check-in", "fr", With("html", "<p><a href=\"{{ links.book }}\">Prendre rendez-vous</a> <a href=\"{{ links.later }}\">Plus tard</a></p>"), key);
        var unknownVariable = await PutAsync(Id, "check-in", "fr", With("text", valid["text"] + "{{ if false }}{{ patient.lastName }}{{ end }}"), key);
        var syntax = await PutAsync(Id, "check-in", "fr", With("subject", "{{ if patient.firstName }}oups"), key);
        var health = await PutAsync(Id, "check-in", "fr", With("subject", "{{ progressNote }}"), key);

        Assert.All([noUnsubscribe, unknownVariable, syntax, health], a => Assert.Equal(400, a.Status));
        Assert.Equal("Template refused", noUnsubscribe.Json!["title"]!.GetValue<string>());
        Assert.Equal(["html"], noUnsubscribe.Fields);
        Assert.Equal("does not contain the unsubscribe link (links.unsubscribe) (with the full sample data)", noUnsubscribe.MessageOf("html"));
        Assert.Equal("html: does not contain the unsubscribe link (links.unsubscribe) (with the full sample data)", noUnsubscribe.Json!["detail"]!.GetValue<string>());
        Assert.Equal(["text"], unknownVariable.Fields);
        Assert.Contains("patient.lastName", unknownVariable.MessageOf("text"), StringComparison.Ordinal);
        Assert.Equal(["subject"], syntax.Fields);
        Assert.Equal(["subject"], health.Fields);
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task Bad_bodies_unknown_templates_and_locales_are_refused_and_change_nothing()
    {
        var key = await CreatePracticeAsync(Id);

        var missing = await PutAsync(Id, "check-in", "fr", """{"subject":"x","html":3,"colour":"red"}""", key);
        var surrogate = await PutAsync(Id, "check-in", "fr", """{"subject":"\ud800","html":"x","text":"y"}""", key);
        var array = await PutAsync(Id, "check-in", "fr", "[]", key);
        var notJson = await PutAsync(Id, "check-in", "fr", Valid, key, "text/plain");
        var large = await PutAsync(Id, "check-in", "fr", JsonSerializer.Serialize(new { subject = "s", html = new string('h', 800_000), text = "t" }), key);
        var template = await PutAsync(Id, "newsletter", "fr", Valid, key);
        var locale = await GetAsync(Id, "check-in", "de", key);
        var deleteUnknown = await DeleteAsync(Id, "CHECK-IN", "fr", key);

        Assert.Equal(["colour", "html", "text"], missing.Fields.Order(StringComparer.Ordinal));
        Assert.Equal("must be a string", missing.MessageOf("text"));
        Assert.Equal(["subject"], surrogate.Fields);
        Assert.Equal("must be valid Unicode text", surrogate.MessageOf("subject"));
        Assert.Equal(["(body)"], array.Fields);
        Assert.Equal(415, notJson.Status);
        Assert.Equal(413, large.Status);
        Assert.All([template, locale, deleteUnknown], a => Assert.Equal(404, a.Status));
        Assert.Equal("Unknown template", template.Json!["title"]!.GetValue<string>());
        Assert.Equal("Templates are check-in, progress, seasonal, resource, direct, plan-follow-up, no-pressure, feedback; locales are fr, en.", template.Json!["detail"]!.GetValue<string>());
        Assert.Equal("null", await StoredAsync());
    }

    [Fact]
    public async Task Every_route_answers_the_same_401_and_an_unknown_template_is_not_revealed_first()
    {
        var key = await CreatePracticeAsync(Id);
        var other = await CreatePracticeAsync("prac_tpl2");
        Assert.Equal(201, (await PutAsync(Id, "check-in", "fr", Valid, key)).Status);
        var before = await StoredAsync();

        var answers = new List<Answer>();
        foreach (var (practiceId, k) in new[] { (Id, (string?)null), (Id, "rk_wrong"), (Id, other), ("prac_nobody", key) })
        {
            answers.Add(await PutAsync(practiceId, "check-in", "fr", Valid, k));
            answers.Add(await GetAsync(practiceId, "check-in", "fr", k));
            answers.Add(await DeleteAsync(practiceId, "check-in", "fr", k));
            answers.Add(await GetAsync(practiceId, "nosuch", "xx", k));
        }

        Assert.All(answers, a => Assert.Equal(401, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        Assert.Equal(before, await StoredAsync());
    }

    private static readonly int[] Documented = [200, 201, 400, 413, 415];

    private static Gen<(string? ContentType, string Body)> Probes =>
        from contentType in Gen.Elements<string?>("application/json", "application/json", "text/plain", null)
        from text in ArbMap.Default.GeneratorFor<string>()
        from part in Gen.Elements("subject", "html", "text")
        from snippet in Gen.Elements("{{", "{{ end }}", "{{ for i in 1..100000 }}x{{ end }}", "{{ include 'x' }}", "{{ patient.firstName | string.upcase }}", "{% if %}", "{{ links.book }}", "{{ math.random }}", "null")
        from kind in Gen.Choose(0, 3)
        select (contentType, kind switch
        {
            0 => text,
            1 => JsonSerializer.Serialize(new Dictionary<string, string> { ["subject"] = text, ["html"] = text, ["text"] = text }),
            2 => Mutated(part, snippet + text),
            _ => Mutated(part, snippet),
        });

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Mutated(string part, string addition)
    {
        var sources = JsonSerializer.Deserialize<Dictionary<string, string>>(Valid)!;
        sources[part] += addition;
        return JsonSerializer.Serialize(sources);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Arbitrary_override_and_preview_bodies_get_a_documented_status_below_500_and_a_refused_one_changes_nothing(int seed)
    {
        var key = await CreatePracticeAsync(Id);
        foreach (var (contentType, body) in Probes.Sample(30, new Rnd((ulong)seed, 0x9e3779b97f4a7c15UL), 30))
        {
            var before = await StoredAsync();

            var answer = await PutAsync(Id, "check-in", "fr", body, key, contentType ?? "");

            Assert.True(Documented.Contains(answer.Status), $"{answer.Status} for [{contentType}] {body[..Math.Min(200, body.Length)]}");
            if (answer.Status >= 400) Assert.Equal(before, await StoredAsync());

            // The same sources as a preview's draft: rendered or refused, never stored.
            var stored = await StoredAsync();
            var preview = await PreviewAsync(Id, "check-in", "fr", IsJson(body) ? $$"""{"sources":{{body}}}""" : body, key, contentType ?? "");
            Assert.True(Documented.Contains(preview.Status), $"preview {preview.Status} for [{contentType}] {body[..Math.Min(200, body.Length)]}");
            Assert.Equal(stored, await StoredAsync());
        }
    }

    [Fact]
    public async Task Preview_without_a_body_renders_the_library_with_the_practice_sample_links_and_no_health_data()
    {
        var key = await CreatePracticeAsync(Id);
        await PutTherapistAsync(Id, "th_1", """{"displayName":"Léa Martin","email":"lea@cabinet.example"}""", key);
        Assert.Equal(200, (await PutPracticeAsync(Id, """{"defaultTherapistId":"th_1"}""", key)).Status);

        var preview = await PreviewAsync(Id, "check-in", "fr", null, key);
        var progress = await PreviewAsync(Id, "progress", "en", "  ", key, "");

        Assert.Equal(200, preview.Status);
        Assert.Equal("no-store", preview.Header("Cache-Control"));
        Assert.Equal("library", preview.Json!["source"]!.GetValue<string>());
        Assert.Equal("sample", preview.Json!["data"]!.GetValue<string>());
        var expected = Renderer.Render(TemplateId.CheckIn, Locale.Fr, SampleContexts.Full(Locale.Fr, TemplateId.CheckIn) with
        {
            Therapist = new Core.Ports.RenderTherapist("Léa Martin", null),
            Practice = new Core.Ports.RenderPractice("Cabinet prac_tpl", "https://cabinet.example/rdv"),
            ProgressNote = null,
            PlanSummary = null,
        });
        Assert.Equal(expected.Subject, preview.Json!["subject"]!.GetValue<string>());
        Assert.Equal(expected.Html, preview.Json!["html"]!.GetValue<string>());
        Assert.Equal(expected.Text, preview.Json!["text"]!.GetValue<string>());
        Assert.Contains("Léa Martin", preview.Json!["html"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(SampleContexts.Links.Book, preview.Json!["html"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(200, progress.Status);
        Assert.DoesNotContain(SampleContexts.ProgressNote, progress.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_with_a_patient_uses_their_data_and_the_stored_override_and_a_draft_is_validated_like_a_PUT()
    {
        var key = await CreatePracticeAsync(Id);
        await Services.GetRequiredService<Core.Ports.IPatientStore>().CreatePatientAsync(Builders.FullPatient(Id, "pat_42") with { TherapistId = null });
        Assert.Equal(201, (await PutAsync(Id, "check-in", "fr", Valid, key)).Status);
        var draft = JsonSerializer.Deserialize<Dictionary<string, string>>(Valid)!;
        draft["subject"] = "Brouillon pour {{ patient.firstName }}";

        var patient = await PreviewAsync(Id, "check-in", "fr", """{"patientId":"pat_42"}""", key);
        var drafted = await PreviewAsync(Id, "check-in", "fr", JsonSerializer.Serialize(new { patientId = "pat_42", sources = draft }), key);
        var refused = await PreviewAsync(Id, "check-in", "fr", JsonSerializer.Serialize(new { sources = new { subject = "x", html = "<p>{{ links.book }}</p>", text = draft["text"] } }), key);
        var unknown = await PreviewAsync(Id, "check-in", "fr", """{"patientId":"pat_nobody"}""", key);
        var bad = await PreviewAsync(Id, "check-in", "fr", """{"patientId":"pat/42","sources":{"subject":1},"x":0}""", key);
        var notJson = await PreviewAsync(Id, "check-in", "fr", """{"patientId":"pat_42"}""", key, "text/plain");

        Assert.Equal(200, patient.Status);
        Assert.Equal("override", patient.Json!["source"]!.GetValue<string>());
        Assert.Equal("patient", patient.Json!["data"]!.GetValue<string>());
        Assert.Equal("Zoé, des nouvelles du cabinet", patient.Json!["subject"]!.GetValue<string>());
        Assert.Contains(SampleContexts.Links.Unsubscribe, patient.Json!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("draft", drafted.Json!["source"]!.GetValue<string>());
        Assert.Equal("Brouillon pour Zoé", drafted.Json!["subject"]!.GetValue<string>());
        Assert.Equal(400, refused.Status);
        Assert.Equal("Template refused", refused.Json!["title"]!.GetValue<string>());
        Assert.Equal(["sources.html"], refused.Fields);
        Assert.Equal(404, unknown.Status);
        Assert.Equal("Unknown patient", unknown.Json!["title"]!.GetValue<string>());
        Assert.Equal(["patientId", "sources.html", "sources.subject", "sources.text", "x"], bad.Fields.Order(StringComparer.Ordinal));
        Assert.Equal(415, notJson.Status);
    }

    [Fact]
    public async Task Preview_of_a_stored_override_that_cannot_be_rendered_answers_422()
    {
        var key = await CreatePracticeAsync(Id);
        var valid = JsonSerializer.Deserialize<Dictionary<string, string>>(Valid)!;
        // Written past the validation, as a template accepted under looser limits would be.
        await Practices.UpsertTemplateOverrideAsync(new Core.Ports.TemplateOverride
        {
            PracticeId = Id,
            TemplateId = TemplateId.CheckIn,
            Locale = Locale.Fr,
            Subject = valid["subject"],
            Html = valid["html"] + "{{ for i in 1..100000 }}x{{ end }}",
            Text = valid["text"],
            UpdatedAt = Clock.GetUtcNow(),
        });

        var answer = await PreviewAsync(Id, "check-in", "fr", null, key);

        Assert.Equal(422, answer.Status);
        Assert.Equal("Template cannot be rendered", answer.Json!["title"]!.GetValue<string>());
    }
}
