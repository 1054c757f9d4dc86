using System.Text.RegularExpressions;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using static Reengage.Functions.Tests.Templates.TemplateCases;

namespace Reengage.Functions.Tests.Templates;

/// <summary>Every template of the library, in both locales, with every optional value present and with none.</summary>
public sealed partial class TemplateLibraryTests
{
    private static RenderedEmail RenderCase(TemplateId templateId, Locale locale, bool full) =>
        Renderer.Render(templateId, locale, Context(templateId, locale, full));

    [Theory]
    [MemberData(nameof(TemplatesLocalesAndFullness), MemberType = typeof(TemplateCases))]
    public void Leaves_no_placeholder_template_syntax_or_missing_value(TemplateId templateId, Locale locale, bool full)
    {
        var email = RenderCase(templateId, locale, full);
        foreach (var (part, value) in new[] { ("subject", email.Subject), ("text", email.Text), ("html", VisibleText(email.Html)) })
        {
            Assert.DoesNotMatch(TemplateSyntax(), value);
            Assert.DoesNotMatch(MissingWord(), value);
            Assert.False(value.Contains('[', StringComparison.Ordinal) || value.Contains(']', StringComparison.Ordinal), $"{part} has a bracket");
        }
        // An empty value shows as a space before punctuation or a doubled space ("Bonjour ,").
        Assert.DoesNotMatch(EmptyValueGap(), email.Subject);
        Assert.DoesNotMatch(EmptyValueGap(), email.Text);
        Assert.DoesNotMatch(EmptyValueGap(), email.Html);
        Assert.DoesNotMatch(TemplateSyntax(), email.Html);
        Assert.DoesNotContain('\n', email.Subject);
        Assert.DoesNotContain('\r', email.Subject);
        Assert.True(email.Subject.Length > 5);
    }

    [Theory]
    [MemberData(nameof(TemplatesLocalesAndFullness), MemberType = typeof(TemplateCases))]
    public void Is_well_formed_html_in_the_right_language_with_every_link(TemplateId templateId, Locale locale, bool full)
    {
        var html = RenderCase(templateId, locale, full).Html;
        HtmlShape.AssertWellFormed(html);
        Assert.StartsWith($"<!DOCTYPE html>\n<html lang=\"{Wire.Name(locale)}\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Book}\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Later}\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Unsubscribe}\"", html, StringComparison.Ordinal);
        Assert.Equal(templateId == TemplateId.Feedback, html.Contains($"href=\"{FeedbackLink}\"", StringComparison.Ordinal));
        Assert.Contains(PracticeName, html, StringComparison.Ordinal);
        // Layout: presentation tables only, nothing fetched from outside, a hidden preheader with words in it.
        Assert.All(HtmlTableTag().Matches(html), table => Assert.Contains("role=\"presentation\"", table.Value, StringComparison.Ordinal));
        Assert.Contains("max-width:600px", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalResource(), html);
        Assert.Matches(Preheader(), html);
    }

    [Theory]
    [MemberData(nameof(TemplatesLocalesAndFullness), MemberType = typeof(TemplateCases))]
    public void Has_a_plain_text_twin_with_every_url_written_out(TemplateId templateId, Locale locale, bool full)
    {
        var context = Context(templateId, locale, full);
        var text = Renderer.Render(templateId, locale, context).Text;
        Assert.Contains(Book, text, StringComparison.Ordinal);
        Assert.Contains(Later, text, StringComparison.Ordinal);
        Assert.Contains(Unsubscribe, text, StringComparison.Ordinal);
        Assert.Equal(templateId == TemplateId.Feedback, text.Contains(FeedbackLink, StringComparison.Ordinal));
        Assert.Contains(PracticeName, text, StringComparison.Ordinal);
        Assert.DoesNotMatch("<[a-z/]", text);
        Assert.StartsWith(locale == Locale.Fr ? "Bonjour" : "Hello", text, StringComparison.Ordinal);
        if (full)
        {
            Assert.Contains(context.Therapist.Signature!, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TemplatesLocalesAndFullness), MemberType = typeof(TemplateCases))]
    public void Names_the_therapist_exactly_once_at_the_foot(TemplateId templateId, Locale locale, bool full)
    {
        // The therapist also typed their name and the practice's into the signature, as many do.
        var context = Context(templateId, locale, full) with
        {
            Therapist = new RenderTherapist(TherapistName, full ? $"{TherapistName}\nKinésithérapeute\n{PracticeName}" : null),
        };
        var email = Renderer.Render(templateId, locale, context);
        Assert.Equal(1, Occurrences(email.Text, TherapistName));
        Assert.Equal(1, Occurrences(VisibleText(email.Html), TherapistName));
        var signOff = locale == Locale.Fr ? "Bien à vous,\nLéa Moreau\n" : "Warm regards,\nLéa Moreau\n";
        Assert.Contains(signOff, email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Signs_with_the_practice_name_once_when_there_is_no_therapist()
    {
        var context = Full(Locale.Fr, TemplateId.CheckIn) with { Therapist = new RenderTherapist(PracticeName, null) };
        var text = Renderer.Render(TemplateId.CheckIn, Locale.Fr, context).Text;
        Assert.Contains("Bien à vous,\nCabinet Horizon\n\n---\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TemplatesLocalesAndFullness), MemberType = typeof(TemplateCases))]
    public void Keeps_health_data_out_of_the_subject_and_out_of_every_body_but_its_own(TemplateId templateId, Locale locale, bool full)
    {
        var email = RenderCase(templateId, locale, full);
        Assert.DoesNotContain(ProgressNote(locale), email.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(PlanSummary(locale), email.Subject, StringComparison.Ordinal);
        foreach (var body in new[] { email.Html, email.Text })
        {
            Assert.Equal(templateId == TemplateId.Progress && full, body.Contains(ProgressNote(locale), StringComparison.Ordinal));
            Assert.Equal(templateId == TemplateId.PlanFollowUp && full, body.Contains(PlanSummary(locale), StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(TemplateId.Progress, Locale.Fr, "Les efforts que vous avez fournis au fil de nos séances comptent")]
    [InlineData(TemplateId.Progress, Locale.En, "The effort you put into our sessions matters")]
    [InlineData(TemplateId.PlanFollowUp, Locale.Fr, "Nous avions prévu ensemble la suite de votre accompagnement. Le moment")]
    [InlineData(TemplateId.PlanFollowUp, Locale.En, "We had planned the next steps of your care together. We have now")]
    public void Uses_the_generic_wording_when_the_practice_does_not_allow_clinical_details(TemplateId templateId, Locale locale, string generic)
    {
        // What the context builder passes when allowClinicalDetails is off: everything else as usual.
        var context = Full(locale, templateId) with { ProgressNote = null, PlanSummary = null };
        var email = Renderer.Render(templateId, locale, context);
        Assert.Contains(generic, email.Text, StringComparison.Ordinal);
        Assert.Contains(generic, email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("«", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("“", email.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TemplatesLocalesAndFullness), MemberType = typeof(TemplateCases))]
    public void Greets_by_first_name_only_when_there_is_one(TemplateId templateId, Locale locale, bool full)
    {
        var email = RenderCase(templateId, locale, full);
        var hello = locale == Locale.Fr ? "Bonjour" : "Hello";
        var greeting = full ? $"{hello} Camille," : $"{hello},";
        Assert.Equal(greeting, email.Text.Split('\n')[0]);
        Assert.Contains($">{greeting}</p>", email.Html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TemplatesLocalesAndFullness), MemberType = typeof(TemplateCases))]
    public void Follows_french_typography(TemplateId templateId, Locale locale, bool full)
    {
        if (locale != Locale.Fr)
        {
            return;
        }
        var email = RenderCase(templateId, locale, full);
        foreach (var value in new[] { email.Subject, email.Text, VisibleText(email.Html) })
        {
            Assert.DoesNotContain("'", value, StringComparison.Ordinal);
            // A plain space, or nothing, before ? ! ; : is wrong in French (URLs aside).
            Assert.DoesNotMatch("[^\u00a0\u202f][?!;:]", UrlScheme().Replace(value, ""));
            Assert.DoesNotMatch("« | »", value);
        }
    }

    [Fact]
    public void Escapes_names_and_signature_in_html_and_leaves_them_intact_in_text()
    {
        var context = Full(Locale.En, TemplateId.CheckIn) with
        {
            Patient = new RenderPatient("<script>alert(1)</script> \"Zoé\" O'Brien"),
            Therapist = new RenderTherapist("Dr <b>Evil</b> & \"Co\"", "<img src=x onerror=alert(2)>\nl'atelier \"Zoé\""),
            Practice = new RenderPractice("Smith & \"Jones\"", "https://booking.test"),
        };
        foreach (var templateId in Enum.GetValues<TemplateId>())
        {
            var email = Renderer.Render(templateId, Locale.En, context with { Links = Links(templateId) });
            Assert.DoesNotContain("<script", email.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", email.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>Evil", email.Html, StringComparison.Ordinal);
            Assert.Contains("Hello &lt;script&gt;alert(1)&lt;/script&gt; &quot;Zoé&quot; O&#39;Brien,", email.Html, StringComparison.Ordinal);
            Assert.Contains("<strong>Dr &lt;b&gt;Evil&lt;/b&gt; &amp; &quot;Co&quot;</strong>", email.Html, StringComparison.Ordinal);
            Assert.Contains(">&lt;img src=x onerror=alert(2)&gt;</span>", email.Html, StringComparison.Ordinal);
            Assert.Contains(">l&#39;atelier &quot;Zoé&quot;</span>", email.Html, StringComparison.Ordinal);
            Assert.Contains("Smith &amp; &quot;Jones&quot;", email.Html, StringComparison.Ordinal);
            HtmlShape.AssertWellFormed(email.Html);

            Assert.StartsWith("Hello <script>alert(1)</script> \"Zoé\" O'Brien,\n", email.Text, StringComparison.Ordinal);
            Assert.Contains("Dr <b>Evil</b> & \"Co\"\n<img src=x onerror=alert(2)>\nl'atelier \"Zoé\"\nSmith & \"Jones\"\n", email.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("&lt;", email.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("&amp;", email.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("&lt;", email.Subject, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Leaves_accented_letters_as_they_are()
    {
        var context = Full(Locale.Fr, TemplateId.Progress) with { Patient = new RenderPatient("Zoé-Hélène Ærøskøbing") };
        var email = Renderer.Render(TemplateId.Progress, Locale.Fr, context);
        Assert.Contains("Bonjour Zoé-Hélène Ærøskøbing,</p>", email.Html, StringComparison.Ordinal);
        Assert.Contains("Kinésithérapeute", email.Html, StringComparison.Ordinal);
        Assert.Contains("séance", email.Html, StringComparison.Ordinal);
        Assert.DoesNotMatch("&#[0-9]{3};|&eacute;", VisibleText(email.Html).Replace("&#847;", "", StringComparison.Ordinal));
        Assert.StartsWith("Zoé-Hélène Ærøskøbing, un mot", email.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void Keeps_the_subject_on_one_line_whatever_the_first_name_holds()
    {
        var context = Full(Locale.En, TemplateId.CheckIn) with { Patient = new RenderPatient("Camille\r\nBcc: someone@example.org") };
        var email = Renderer.Render(TemplateId.CheckIn, Locale.En, context);
        Assert.Equal("Camille Bcc: someone@example.org, how are you doing?", email.Subject);
    }

    [Fact]
    public void Treats_blank_optional_values_as_missing()
    {
        var context = Full(Locale.Fr, TemplateId.Progress) with
        {
            Patient = new RenderPatient("   "),
            Therapist = new RenderTherapist(TherapistName, " \n "),
            SinceLastVisit = "",
            ProgressNote = "  ",
        };
        var email = Renderer.Render(TemplateId.Progress, Locale.Fr, context);
        Assert.Equal("Un mot sur le chemin parcouru", email.Subject);
        Assert.StartsWith("Bonjour,\n\nEn repensant à notre travail ensemble", email.Text, StringComparison.Ordinal);
        Assert.Contains("Les efforts que vous avez fournis", email.Text, StringComparison.Ordinal);
        Assert.Contains("Bien à vous,\nLéa Moreau\nCabinet Horizon\n", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Drops_a_resource_whose_link_is_not_a_web_address()
    {
        var context = Full(Locale.En, TemplateId.Resource) with { Resource = new RenderResource("Click me", "javascript:alert(1)") };
        var email = Renderer.Render(TemplateId.Resource, Locale.En, context);
        Assert.Equal("Camille, a short note for you", email.Subject);
        Assert.DoesNotContain("javascript:", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Click me", email.Text, StringComparison.Ordinal);
        Assert.Contains("the tools we explored together are still yours", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Links_the_shared_resource_by_its_title()
    {
        var email = Renderer.Render(TemplateId.Resource, Locale.Fr, Full(Locale.Fr, TemplateId.Resource));
        Assert.Matches("<a href=\"https://resources\\.test/etirements\"[^>]*>Trois étirements pour le matin</a>", email.Html);
        Assert.Contains("Trois étirements pour le matin\nhttps://resources.test/etirements\n", email.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Locale.Fr, SeasonalWindowId.NewYear, "Camille, mes meilleurs vœux pour cette nouvelle année", "En ce début d’année, je vous adresse mes meilleurs vœux.")]
    [InlineData(Locale.Fr, SeasonalWindowId.Rentree, "Camille, une belle rentrée à vous", "La rentrée est souvent synonyme de reprise")]
    [InlineData(Locale.Fr, SeasonalWindowId.Spring, "Camille, le printemps est là", "Avec l’arrivée du printemps")]
    [InlineData(Locale.En, SeasonalWindowId.NewYear, "Camille, warm wishes for the new year", "As the new year begins, I send you my warmest wishes.")]
    [InlineData(Locale.En, SeasonalWindowId.Rentree, "Camille, a fresh start after the summer", "The end of the summer often brings")]
    [InlineData(Locale.En, SeasonalWindowId.Spring, "Camille, spring is here", "With spring arriving")]
    public void Speaks_of_the_season(Locale locale, SeasonalWindowId season, string subject, string sentence)
    {
        var email = Renderer.Render(TemplateId.Seasonal, locale, Full(locale, TemplateId.Seasonal) with { Season = season });
        Assert.Equal(subject, email.Subject);
        Assert.Contains(sentence, email.Text, StringComparison.Ordinal);
        Assert.Contains(sentence, email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Offers_feedback_as_the_button_of_template_8_and_booking_as_a_plain_link()
    {
        var html = Renderer.Render(TemplateId.Feedback, Locale.En, Full(Locale.En, TemplateId.Feedback)).Html;
        Assert.Matches("<a href=\"https://reengage\\.test/api/r/tok-feedback-5be8\"[^>]*>Share my feedback</a>", html);
        Assert.Matches("<a href=\"https://reengage\\.test/api/r/tok-book-7f3a\"[^>]*>book a session</a>", html);
    }

    [Fact]
    public void Falls_back_to_just_reply_and_a_booking_button_when_template_8_has_no_feedback_link()
    {
        var context = Full(Locale.Fr, TemplateId.Feedback) with { Links = Links(TemplateId.CheckIn) };
        var email = Renderer.Render(TemplateId.Feedback, Locale.Fr, context);
        Assert.Contains("Il vous suffit de répondre à cet e-mail, en quelques mots.", email.Text, StringComparison.Ordinal);
        Assert.Matches("<a href=\"https://reengage\\.test/api/r/tok-book-7f3a\"[^>]*>Prendre rendez-vous</a>", email.Html);
    }

    [Fact]
    public void Shows_the_signature_line_by_line_in_html()
    {
        var html = Renderer.Render(TemplateId.CheckIn, Locale.Fr, Full(Locale.Fr, TemplateId.CheckIn)).Html;
        Assert.Contains("<strong>Léa Moreau</strong>\n<br>\n<span style=\"color:#4a4a4a;\">Kinésithérapeute</span>\n<br>\n<span style=\"color:#4a4a4a;\">06 12 34 56 78</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_unknown_template_id_or_locale_as_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Renderer.Render((TemplateId)42, Locale.Fr, Full(Locale.Fr, TemplateId.CheckIn)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Renderer.Render(TemplateId.CheckIn, (Locale)7, Full(Locale.Fr, TemplateId.CheckIn)));
    }

    internal static string VisibleText(string html) =>
        HtmlTag().Replace(HtmlComment().Replace(html, " "), " ")
            .Replace("&nbsp;", " ", StringComparison.Ordinal)
            .Replace("&zwnj;", " ", StringComparison.Ordinal)
            .Replace("&#847;", " ", StringComparison.Ordinal);

    private static int Occurrences(string text, string value) =>
        Regex.Matches(text, Regex.Escape(value)).Count;

    [GeneratedRegex(@"\{\{|\}\}|\{%|%\}")]
    private static partial Regex TemplateSyntax();

    [GeneratedRegex(@"\b(undefined|null|NaN|None)\b")]
    private static partial Regex MissingWord();

    [GeneratedRegex(@"[^\S\n] [,.]|\w ,|  ")]
    private static partial Regex EmptyValueGap();

    [GeneratedRegex("<table\\b[^>]*>")]
    private static partial Regex HtmlTableTag();

    [GeneratedRegex(@"<(img|link|script|style)\b|src=|url\(", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalResource();

    [GeneratedRegex("<body[^>]*>\\s*<div style=\"display:none;[^\"]*\">[^<\\s&]")]
    private static partial Regex Preheader();

    [GeneratedRegex("https?://")]
    private static partial Regex UrlScheme();

    [GeneratedRegex("<!--[\\s\\S]*?-->")]
    private static partial Regex HtmlComment();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex HtmlTag();
}
