using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Templates;
using static Reengage.Functions.Tests.Templates.TemplateCases;

namespace Reengage.Functions.Tests.Templates;

/// <summary>Practices' overrides: what validation accepts and refuses, and how renders of overrides and of the library fail.</summary>
public sealed class TemplateOverrideTests
{
    private static readonly RenderContext Context = Full(Locale.Fr, TemplateId.CheckIn) with
    {
        Therapist = new RenderTherapist(TherapistName, null),
        ProgressNote = null,
        Resource = null,
        Season = null,
    };

    /// <summary>A standalone override, written the way a practice manager might: no shared layout.</summary>
    private static readonly TemplateSources Valid = new(
        Subject: "{{ if patient.firstName }}{{ patient.firstName }}, {{ end }}des nouvelles du cabinet",
        Html: string.Join('\n',
            "<!DOCTYPE html><html lang=\"fr\"><body>",
            "<p>Bonjour{{ if patient.firstName }} {{ patient.firstName }}{{ end }}, toute l’équipe de {{ practice.name }} pense à vous.</p>",
            "<p><a href=\"{{ links.book }}\">Prendre rendez-vous</a> · <a href=\"{{ links.later }}\">Pas pour le moment</a></p>",
            "<p>{{ therapist.displayName }} · <a href=\"{{ links.unsubscribe }}\">Se désinscrire</a></p>",
            "</body></html>"),
        Text: string.Join('\n',
            "Bonjour{{ if patient.firstName }} {{ patient.firstName }}{{ end }}, toute l’équipe de {{ practice.name }} pense à vous.",
            "Prendre rendez-vous : {{ links.book }}",
            "Pas pour le moment : {{ links.later }}",
            "{{ therapist.displayName }}",
            "Se désinscrire : {{ links.unsubscribe }}"));

    private static ReengageException Refused(TemplateSources sources, TemplateId templateId = TemplateId.CheckIn, ScribanTemplateRenderer? renderer = null)
    {
        var error = Assert.Throws<ReengageException>(() => (renderer ?? Renderer).ValidateOverride(templateId, Locale.Fr, sources));
        Assert.Equal(ErrorCode.InvalidInput, error.Code);
        return error;
    }

    [Fact]
    public void Accepts_a_valid_override_which_render_override_then_uses()
    {
        Renderer.ValidateOverride(TemplateId.CheckIn, Locale.Fr, Valid);
        var email = Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, Valid, Context);
        Assert.Equal("Camille, des nouvelles du cabinet", email.Subject);
        Assert.Contains("<p>Bonjour Camille, toute l’équipe de Cabinet Horizon pense à vous.</p>", email.Html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{Book}\">", email.Html, StringComparison.Ordinal);
        Assert.Equal(
            "Bonjour Camille, toute l’équipe de Cabinet Horizon pense à vous.\n"
            + $"Prendre rendez-vous : {Book}\n"
            + $"Pas pour le moment : {Later}\n"
            + "Léa Moreau\n"
            + $"Se désinscrire : {Unsubscribe}\n",
            email.Text);
    }

    [Fact]
    public void Escapes_every_value_of_an_override_html_part_whatever_it_writes()
    {
        var sources = Valid with { Html = Valid.Html.Replace("</body>", "{{ practice.name + \"<script>\" }}{{ \"<b>\" }}</body>", StringComparison.Ordinal) };
        var context = Context with { Practice = new RenderPractice("A & B", "https://booking.test") };
        var html = Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, sources, context).Html;
        Assert.Contains("A &amp; B&lt;script&gt;&lt;b&gt;</body>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_an_override_built_on_the_library_partials()
    {
        var sources = new TemplateSources(
            Subject: "Un petit mot de {{ practice.name }}",
            Html: "{{ include \"_partials/html/top\" preheader: \"Un petit mot.\" }}\n<p>Bonjour,</p>\n"
                + "{{ include \"_partials/html/button\" url: links.book label: \"Réserver\" }}\n{{ include \"_partials/html/bottom\" }}",
            Text: "Bonjour,\n\nRéserver : {{ links.book }}\n\n{{ include \"_partials/text/bottom\" }}");
        Renderer.ValidateOverride(TemplateId.NoPressure, Locale.Fr, sources);
        var email = Renderer.RenderOverride(TemplateId.NoPressure, Locale.Fr, sources, Context);
        Assert.Equal("Un petit mot de Cabinet Horizon", email.Subject);
        Assert.Contains(">Réserver</a>", email.Html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Unsubscribe}\"", email.Html, StringComparison.Ordinal);
        Assert.Contains($"Ne plus recevoir ces messages{Nbsp}: {Unsubscribe}", email.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TemplatesAndLocales), MemberType = typeof(TemplateCases))]
    public void Accepts_the_library_own_sources_as_an_override(TemplateId templateId, Locale locale)
    {
        var sources = Renderer.GetLibrarySources(templateId, locale);
        Renderer.ValidateOverride(templateId, locale, sources);
        var context = Full(locale, templateId);
        Assert.Equal(Renderer.Render(templateId, locale, context), Renderer.RenderOverride(templateId, locale, sources, context));
    }

    [Fact]
    public void Refuses_a_syntax_error_naming_the_part()
    {
        var html = Refused(Valid with { Html = Valid.Html + "{{ if patient.firstName }}" });
        Assert.StartsWith("html: syntax error: ", html.Message, StringComparison.Ordinal);
        Assert.Contains("The <end> statement was not found", html.Message, StringComparison.Ordinal);
        var text = Refused(Valid with { Text = "{{ patient.firstName " + Valid.Text });
        Assert.StartsWith("text: syntax error: ", text.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_unknown_variable_even_in_a_branch_the_sample_data_never_takes()
    {
        var error = Refused(Valid with { Text = Valid.Text + "\n{{ patient.lastName }}" });
        Assert.StartsWith("text: uses an unknown variable: \"patient.lastName\" (line 6, column 4).", error.Message, StringComparison.Ordinal);
        Assert.Contains("Available variables: locale, patient.firstName, therapist.displayName", error.Message, StringComparison.Ordinal);
        var costume = Refused(Valid with { Html = Valid.Html + "{{ if season == \"halloween\" }}{{ costume }}{{ end }}" });
        Assert.StartsWith("html: uses an unknown variable: \"costume\"", costume.Message, StringComparison.Ordinal);
        var member = Refused(Valid with { Subject = "{{ if links.feedback }}{{ links.feedback.token }}{{ end }}Bonjour" });
        Assert.StartsWith("subject: uses an unknown variable: \"links.feedback.token\"", member.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_unknown_function_and_the_builtins_left_out()
    {
        Assert.StartsWith("subject: uses an unknown variable: \"shout\"", Refused(Valid with { Subject = "{{ patient.firstName | shout }}, des nouvelles" }).Message, StringComparison.Ordinal);
        Assert.StartsWith("text: uses an unknown variable: \"date.now\"", Refused(Valid with { Text = Valid.Text + "{{ date.now }}" }).Message, StringComparison.Ordinal);
        Assert.StartsWith("html: uses an unknown variable: \"html.escape\"", Refused(Valid with { Html = Valid.Html + "{{ practice.name | html.escape }}" }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_variables_the_override_declares_itself()
    {
        var sources = Valid with { Text = "{{ greeting = \"Bonjour\"; for word in [\"a\", \"b\"]; end }}{{ greeting }}\n" + Valid.Text };
        Renderer.ValidateOverride(TemplateId.CheckIn, Locale.Fr, sources);
        Assert.StartsWith("Bonjour\nBonjour Camille", Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, sources, Context).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_loops_captures_functions_and_local_variables()
    {
        var sources = Valid with
        {
            Text = "{{ for word in [\"a\", \"b\"] }}{{ for.index }}{{ word }}{{ end }}\n"
                + "{{ capture signed }}{{ therapist.displayName }}{{ end }}{{ signed }}\n"
                + "{{ func shout(text) }}{{ ret text | string.upcase }}{{ end }}{{ shout practice.name }}\n"
                + "{{ $count = 2 }}{{ $count }}\n"
                + Valid.Text,
        };
        Renderer.ValidateOverride(TemplateId.CheckIn, Locale.Fr, sources);
        Assert.StartsWith("0a1b\nLéa Moreau\nCABINET HORIZON\n2\nBonjour Camille", Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, sources, Context).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_subject_that_uses_health_data_however_it_is_disguised()
    {
        Assert.StartsWith("subject: uses \"planSummary\" (line 1, column 17): health data never goes in a subject",
            Refused(Valid with { Subject = "Votre plan : {{ planSummary }}" }).Message, StringComparison.Ordinal);
        Assert.StartsWith("subject: uses \"progressNote\"",
            Refused(Valid with { Subject = "{{ p = progressNote | string.truncate 12 }}Bonjour {{ p }}" }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Never_gives_a_subject_health_data_even_when_validation_was_skipped()
    {
        var sources = Valid with { Subject = "Des nouvelles{{ progressNote }}{{ planSummary }}" };
        var context = Context with { ProgressNote = ProgressNote(Locale.Fr), PlanSummary = PlanSummary(Locale.Fr) };
        Assert.Equal("Des nouvelles", Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, sources, context).Subject);
    }

    [Fact]
    public void Stops_an_infinite_loop()
    {
        var error = Refused(Valid with { Html = "{{ while true }}x{{ end }}" + Valid.Html });
        Assert.StartsWith("html: cannot be rendered with the full sample data: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("loop", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Stops_nested_loops_on_one_shared_budget()
    {
        var error = Refused(Valid with { Text = "{{ for i in 1..900; for j in 1..900; x = i * j; end; end }}" + Valid.Text });
        Assert.StartsWith("text: cannot be rendered with the full sample data: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("loop", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Stops_deep_recursion()
    {
        var error = Refused(Valid with { Text = "{{ func deeper(n); deeper(n + 1); end; deeper(0) }}" + Valid.Text });
        Assert.StartsWith("text: cannot be rendered with the full sample data: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("recursi", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Stops_a_huge_output()
    {
        var error = Refused(Valid with { Html = "{{ for i in 1..999 }}" + new string('x', 200) + "{{ end }}" + Valid.Html });
        Assert.StartsWith("html: cannot be rendered with the full sample data: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("150000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stops_a_huge_string()
    {
        var error = Refused(Valid with { Text = "{{ \"x\" | string.pad_left 100000000 }}" + Valid.Text });
        Assert.StartsWith("text: cannot be rendered with the full sample data: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stops_a_render_that_outruns_its_time_budget()
    {
        // Without a loop limit, only the time budget can end this loop.
        var renderer = new ScribanTemplateRenderer(new TemplateRenderLimits { LoopLimit = 0, RenderTimePerPart = TimeSpan.FromMilliseconds(50) });
        var error = Refused(Valid with { Text = "{{ while true; x = 1; end }}" + Valid.Text }, renderer: renderer);
        Assert.Equal("text: cannot be rendered with the full sample data: the template takes too long to render (more than 50 ms)", error.Message);
        // The renderer goes on rendering once the runaway part has been stopped.
        Assert.Equal("Camille, des nouvelles du cabinet", renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, Valid, Context).Subject);
    }

    [Fact]
    public void Refuses_bracket_placeholders_and_missing_values_in_the_output()
    {
        Assert.StartsWith("text: contains the placeholder \"[Prénom]\"", Refused(Valid with { Text = "Bonjour [Prénom],\n" + Valid.Text }).Message, StringComparison.Ordinal);
        Assert.StartsWith("html: shows the word \"undefined\"", Refused(Valid with { Html = Valid.Html.Replace("<body>", "<body><p>Bonjour undefined</p>", StringComparison.Ordinal) }).Message, StringComparison.Ordinal);
        Assert.StartsWith("subject: contains a literal \"{{\"", Refused(Valid with { Subject = "Bonjour {{ \"{{\" }}Prénom}}" }).Message, StringComparison.Ordinal);
        Assert.StartsWith("text: contains a literal \"{%\"", Refused(Valid with { Text = "{% if patient.firstName %}Liquid{% endif %}\n" + Valid.Text }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_email_without_its_unsubscribe_or_booking_link()
    {
        Assert.StartsWith("html: does not contain the unsubscribe link (links.unsubscribe) (with the full sample data)",
            Refused(Valid with { Html = Valid.Html.Replace("<a href=\"{{ links.unsubscribe }}\">Se désinscrire</a>", "", StringComparison.Ordinal) }).Message, StringComparison.Ordinal);
        Assert.StartsWith("text: does not contain the booking link (links.book)",
            Refused(Valid with { Text = Valid.Text.Replace("{{ links.book }}", "https://elsewhere.test", StringComparison.Ordinal) }).Message, StringComparison.Ordinal);
        Assert.StartsWith("text: does not contain the \"not now\" link (links.later)",
            Refused(Valid with { Text = Valid.Text.Replace("{{ links.later }}", "", StringComparison.Ordinal) }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Requires_the_feedback_link_in_an_override_of_template_8()
    {
        Assert.StartsWith("html: does not contain the feedback link (links.feedback)", Refused(Valid, TemplateId.Feedback).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_empty_part_and_an_oversized_one()
    {
        Assert.Equal("text: is missing or empty", Refused(Valid with { Text = "  " }).Message);
        Assert.Equal("html: is too long (60001 characters; at most 60000)", Refused(Valid with { Html = new string('x', 60_001) }).Message);
    }

    [Fact]
    public void Cannot_include_anything_but_the_library_partials()
    {
        var error = Refused(Valid with { Html = "{{ include \"../../package.json\" }}" + Valid.Html });
        Assert.StartsWith("html: includes \"../../package.json\", which is not one of the library's partials (line 1, column 4). Partials: _partials/en/footer.html,", error.Message, StringComparison.Ordinal);
        var dynamic = Refused(Valid with { Html = "{{ include (\"/etc/\" + \"passwd\") }}" + Valid.Html });
        Assert.StartsWith("html: cannot be rendered with the full sample data: includes \"/etc/passwd\", which is not one of the library's partials", dynamic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_override_that_changes_what_it_is_given()
    {
        Assert.StartsWith("html: cannot be rendered with the full sample data: ",
            Refused(Valid with { Html = "{{ patient.firstName = \"Mallory\" }}" + Valid.Html }).Message, StringComparison.Ordinal);
        Assert.StartsWith("text: cannot be rendered with the full sample data: ",
            Refused(Valid with { Text = "{{ string.upcase = 1 }}" + Valid.Text }).Message, StringComparison.Ordinal);
        // Nothing of those attempts reached the contexts that later renders reuse.
        Assert.Equal("CAMILLE", Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, Valid with { Subject = "{{ patient.firstName | string.upcase }}" }, Context).Subject);
    }

    [Fact]
    public void Starts_every_part_with_no_variable_left_by_an_earlier_render()
    {
        var assigns = Valid with { Subject = "{{ leftover = \"from before\" }}Des nouvelles" };
        Assert.Equal("Des nouvelles", Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, assigns, Context).Subject);
        var reads = Valid with { Text = "{{ leftover }}" + Valid.Text };
        var error = Assert.Throws<ReengageException>(() => Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, reads, Context));
        Assert.Equal(ErrorCode.RenderFailed, error.Code);
        Assert.Contains("leftover", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keeps_an_override_subject_on_one_line()
    {
        var sources = Valid with { Subject = "Des nouvelles\r\nBcc: someone@example.org" };
        Assert.Equal("Des nouvelles Bcc: someone@example.org", Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, sources, Context).Subject);
    }

    [Fact]
    public void Renders_each_override_by_its_content()
    {
        var first = Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, Valid with { Subject = "Première version" }, Context);
        var second = Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, Valid with { Subject = "Seconde version" }, Context);
        Assert.Equal("Première version", first.Subject);
        Assert.Equal("Seconde version", second.Subject);
    }

    [Fact]
    public void Maps_an_override_that_no_longer_parses_to_render_failed()
    {
        var error = Assert.Throws<ReengageException>(() => Renderer.RenderOverride(TemplateId.CheckIn, Locale.Fr, Valid with { Html = "{{ if }}" }, Context));
        Assert.Equal(ErrorCode.RenderFailed, error.Code);
        Assert.StartsWith("override check-in/fr html: syntax error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Maps_a_library_template_that_reads_an_unknown_variable_or_is_missing_to_render_failed()
    {
        var renderer = new ScribanTemplateRenderer(
            new Dictionary<string, string>
            {
                ["_partials/html/nothing"] = "",
                ["check-in/fr/subject"] = "Bonjour",
                ["check-in/fr/html"] = "<p>{{ patient.lastName }}</p>",
                ["check-in/fr/text"] = "Bonjour",
            },
            TemplateRenderLimits.Default);
        var unknown = Assert.Throws<ReengageException>(() => renderer.Render(TemplateId.CheckIn, Locale.Fr, Context));
        Assert.Equal(ErrorCode.RenderFailed, unknown.Code);
        Assert.StartsWith("check-in/fr html: ", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("lastName", unknown.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ReengageException>(() => renderer.Render(TemplateId.Progress, Locale.Fr, Context));
        Assert.Equal(ErrorCode.RenderFailed, missing.Code);
        Assert.Equal("template progress/fr is missing from the library", missing.Message);
    }

    [Fact]
    public void Refuses_to_start_with_a_library_file_that_does_not_parse()
    {
        var error = Assert.Throws<ReengageException>(() => new ScribanTemplateRenderer(
            new Dictionary<string, string> { ["_partials/html/broken"] = "{{ if }}" },
            TemplateRenderLimits.Default));
        Assert.Equal(ErrorCode.InvalidConfiguration, error.Code);
        Assert.StartsWith("template _partials/html/broken does not parse: ", error.Message, StringComparison.Ordinal);
    }
}
