// Builds the signed links, the render context and the headers of one outreach email (SPEC §6).
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Reengage.Core.Security;

namespace Reengage.Functions.Outreach;

public static class EmailComposer
{
    public const string ListUnsubscribeHeader = "List-Unsubscribe";
    public const string ListUnsubscribePostHeader = "List-Unsubscribe-Post";
    public const string OneClick = "List-Unsubscribe=One-Click";
    public const string TemplateHeader = "X-Reengage-Template";
    public const string OutreachHeader = "X-Reengage-Outreach";

    /// <summary>
    /// The links of one row's email, each a token bound to the practice, the row's operation id (never its key, which
    /// starts with the patient id) and one action, signed with <paramref name="key"/> (the first configured key).
    /// Unsubscribe links go to <c>/api/unsubscribe/{token}</c>, the others to <c>/api/r/{token}</c>; the feedback
    /// link exists for template 8 only.
    /// </summary>
    public static EmailLinks BuildLinks(Uri publicBaseUrl, SigningKey key, OutreachRow row, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(publicBaseUrl);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(row);
        // A root URL reads back with a slash ("https://x.example/"); a base with a path does not.
        var baseUrl = publicBaseUrl.AbsoluteUri.TrimEnd('/');
        string Url(LinkAction action)
        {
            var token = LinkTokens.Issue(row.PracticeId, row.OperationId, action, key, now);
            return action == LinkAction.Unsubscribe ? $"{baseUrl}/api/unsubscribe/{token}" : $"{baseUrl}/api/r/{token}";
        }
        return new EmailLinks(
            Url(LinkAction.Book),
            Url(LinkAction.Later),
            Url(LinkAction.Unsubscribe),
            row.TemplateId == TemplateId.Feedback ? Url(LinkAction.Feedback) : null);
    }

    /// <summary>What the templates of <paramref name="row"/> may read; health data only as the practice allows it.</summary>
    public static RenderContext BuildRenderContext(Practice practice, Therapist? therapist, Patient patient, OutreachRow row, EmailLinks links, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(patient);
        var resource = Cadence.ResourceFor(practice, patient) is { } found ? new RenderResource(found.Title, found.Url) : null;
        return RenderContext.ForOutreach(practice, therapist, patient, row, links, resource, now);
    }

    /// <summary>
    /// The email as a transport takes it: from the practice's sender (shown as "therapist · practice"), to the patient,
    /// replies to the therapist, with the one-click unsubscribe and the tracing headers.
    /// </summary>
    public static OutgoingEmail BuildEmail(Practice practice, Therapist? therapist, Patient patient, OutreachRow row, RenderedEmail rendered, EmailLinks links)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(rendered);
        ArgumentNullException.ThrowIfNull(links);
        var fromName = therapist is null ? practice.SenderDisplayName : $"{therapist.DisplayName} · {practice.SenderDisplayName}";
        return new OutgoingEmail
        {
            From = new EmailAddress(practice.SenderAddress, fromName),
            To = new EmailAddress(patient.Email ?? "", patient.FirstName),
            ReplyTo = string.IsNullOrEmpty(therapist?.Email) ? null : new EmailAddress(therapist.Email, therapist.DisplayName),
            Subject = rendered.Subject,
            Html = rendered.Html,
            Text = rendered.Text,
            Headers = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ListUnsubscribeHeader] = $"<{links.Unsubscribe}>",
                [ListUnsubscribePostHeader] = OneClick,
                [TemplateHeader] = Wire.Name(row.TemplateId),
                [OutreachHeader] = row.OperationId,
            },
        };
    }
}
