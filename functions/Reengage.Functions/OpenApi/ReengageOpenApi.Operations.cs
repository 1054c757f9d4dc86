// What the document says of each operation (summary, answers per status, bodies), keyed by function name and method.
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Report;
using Reengage.Core.Security;
using Reengage.Functions.Admin;

namespace Reengage.Functions.OpenApi;

public static partial class ReengageOpenApi
{
    private static readonly int GraceDays = (int)ApiKeys.RotationGrace.TotalDays;

    /// <summary>The functions the catalogue describes (a test checks that each exists, but the pending ones).</summary>
    internal static readonly IReadOnlySet<string> Described = new HashSet<string>(StringComparer.Ordinal)
    {
        "bookingWebhook", "respond", "feedback", "unsubscribe", "putPractice", "getPractice", "listTherapists", "putTherapist",
        "rotatePracticeKey", "rotateWebhookSecret", "getTherapistMapping", "putTherapistMapping", "getIntegrations",
        "putAcuityCredentials", "putTemplateOverride", "getTemplate", "deleteTemplateOverride", "previewTemplate",
        "practiceReport", "exportPatient", "erasePatient", "openApiDocument", "upcomingSends", "importPatients",
    };

    private static OperationSpec? Describe(Components c, string function, string method)
    {
        var writeErrors = new[] { "400", "409", "413", "415" };
        return (function, method) switch
        {
            ("bookingWebhook", _) => new("Webhooks", "Booking events in, from a booking tool", Responses(c,
                ("200", JsonAnswer(c, "A Cal.com PING, or an event already applied (`duplicate`): nothing changed.", AnyOf(c, "WebhookAnswer", "WebhookPing"))),
                ("202", JsonAnswer(c, "Accepted and applied, or authentic with nothing to apply (`ignored`).", c.Schema("WebhookAnswer"))),
                ("400", c.Response("BadRequest")),
                ("401", c.ProblemResponse("Bad, missing or expired signature, or unknown practice.")),
                ("404", c.ProblemResponse("Unknown source.")),
                ("413", c.ProblemResponse($"Body over {GenericBookingEvent.MaxBytes} bytes.")),
                ("415", c.ProblemResponse("Not JSON (generic, calcom, calendly) or not a form (acuity).")),
                ("502", c.ProblemResponse("Acuity refused the stored credentials, or answered an unreadable appointment.")),
                ("503", c.ProblemResponse("The Acuity API could not be reached; deliver again later.", ("Retry-After", "Seconds to wait before trying again.")))))
            {
                Description = $"Anonymous: authenticated by the source's signature over the raw body (one header per source, below). A bad, missing or expired signature and an unknown practice answer the same 401. A rejected delivery changes nothing. Body at most {GenericBookingEvent.MaxBytes / 1024} KB; JSON for generic, calcom and calendly, a form for acuity. See docs/integrations.md.",
                Parameters = [.. Enum.GetValues<WebhookSource>().Select(s => c.Parameter(Components.SignatureParameter(s)))],
                Body = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The payload of the source named in the path: the generic event below, or the tool's own (docs/integrations.md).",
                    Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                    {
                        ["application/json"] = new OpenApiMediaType { Schema = c.Schema("BookingEvent") },
                        ["application/x-www-form-urlencoded"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "Acuity's notification: `action`, `id`, `calendarID`, `appointmentTypeID`." } },
                    },
                },
            },
            ("respond", "get") => new("Patient answers", "A patient's book / not now / feedback link", PageAnswers(c, ("200", Components.Page("The not-now confirmation or the feedback form.")), ("302", Redirect("Book: the practice's booking page.")), ("410", c.Response("PageGone"))))
            {
                OperationId = "openAnswerLink",
                Description = "Book: records the click, then 302 to the booking page. Not now and feedback: a page with a confirm button or the form; changes nothing (mail scanners open every link). See docs/answers.md.",
            },
            ("respond", "head") => new("Patient answers", "What a mail scanner's HEAD of a link gets: recorded as a scanner visit, never as a click", PageAnswers(c, ("200", new OpenApiResponse { Description = "The headers of the GET answer." }), ("302", Redirect("Book: the practice's booking page.")), ("410", c.Response("PageGone"))))
            {
                OperationId = "headAnswerLink",
            },
            ("respond", "post") => new("Patient answers", "Confirms a patient's answer (pause 90 days, feedback, or book)", PageAnswers(c, ("200", Components.Page("Done: a confirmation page.")), ("303", Redirect("Book: the practice's booking page.")), ("410", c.Response("PageGone")), ("413", c.Response("PageTooLarge")), ("415", c.Response("PageUnsupported"))))
            {
                OperationId = "confirmAnswerLink",
                Body = Form(c, false, "The form of the page."),
            },
            ("feedback", _) => new("Patient answers", "Stores a rating (1-5) and an optional comment, one per email", PageAnswers(c, ("200", Components.Page("Thank-you page.")), ("410", c.Response("PageGone")), ("413", c.Response("PageTooLarge")), ("415", c.Response("PageUnsupported"))))
            {
                Body = Form(c, true, $"rating 1-5, comment up to {Core.Answers.FeedbackForm.MaxCommentChars} characters."),
            },
            ("unsubscribe", "get") => new("Patient answers", "The unsubscribe confirmation page (changes nothing)", PageAnswers(c, ("200", Components.Page("A confirmation page with a button."))))
            {
                OperationId = "showUnsubscribe",
            },
            ("unsubscribe", "head") => new("Patient answers", "The headers of the confirmation page (changes nothing)", PageAnswers(c, ("200", new OpenApiResponse { Description = "The headers of the GET answer." })))
            {
                OperationId = "headUnsubscribe",
            },
            ("unsubscribe", "post") => new("Patient answers", "Unsubscribes: RFC 8058 one-click, or the page button", PageAnswers(c, ("200", Components.Page("Unsubscribed.")), ("413", c.Response("PageTooLarge")), ("415", c.Response("PageUnsupported"))))
            {
                OperationId = "unsubscribe",
                Description = "Idempotent. An expired but well-signed link still unsubscribes.",
                Body = Form(c, false, "`List-Unsubscribe=One-Click` (any form body will do)."),
            },
            ("putPractice", _) => new("Practice", "Creates the practice (first call), then updates its settings", Responses(c,
                [("200", JsonAnswer(c, "Updated: the settings as GET answers them.", c.Schema("Practice"))),
                 ("201", JsonAnswer(c, "Created.", c.Schema("PracticeCreated"), ("Location", "`/api/practices/{practiceId}`"))),
                 .. Errors(c, writeErrors)]))
            {
                Description = "The first PUT needs the function key only and answers 201 with the API key and the generic webhook secret, shown once. Later PUTs need the practice key and change only the fields given.",
                Body = JsonBody(c, PracticeSettingsInput.Shape.Name, "Settings."),
                Security = [.. c.AdminSecurity(), c.Requirement("functionKey"), c.Requirement("functionKeyQuery")],
            },
            ("getPractice", _) => new("Practice", "The settings, and the state (never the value) of the credentials", Responses(c, ("200", JsonAnswer(c, "The practice.", c.Schema("Practice"))))),
            ("listTherapists", _) => new("Therapists", "The practice's therapists", Responses(c, ("200", JsonAnswer(c, "By id.", c.Schema("TherapistList"))))),
            ("putTherapist", _) => new("Therapists", "Creates (201) or updates (200) a therapist", Responses(c,
                [("200", JsonAnswer(c, "Updated.", c.Schema("Therapist"))), ("201", JsonAnswer(c, "Created.", c.Schema("Therapist"))), .. Errors(c, writeErrors)]))
            {
                Body = JsonBody(c, TherapistInput.Shape.Name, "The therapist."),
            },
            ("rotatePracticeKey", _) => new("Credentials", $"A new practice API key; the previous ones keep working {GraceDays} days", Responses(c,
                [("200", JsonAnswer(c, "The new key, shown this once.", c.Schema("ApiKeyRotation"))), .. Errors(c, "409")])),
            ("rotateWebhookSecret", _) => new("Credentials", $"A new webhook secret for one source; the previous one is accepted {GraceDays} days", Responses(c,
                [("200", JsonAnswer(c, "The new secret, shown this once.", c.Schema("WebhookSecretRotation"))), .. Errors(c, ["404", .. writeErrors])]))
            {
                Body = JsonBody(c, WebhookRotationInput.Shape.Name, "Optional: a secret the tool issued.", required: false),
            },
            ("getTherapistMapping", _) => new("Integrations", "Which therapist each booking tool's organizer, calendar or event type stands for", Responses(c,
                ("200", JsonAnswer(c, "The mapping (empty when never set).", c.Schema("TherapistMapping")))))
            {
                Description = "The entries, and the keys bookings offered that no entry maps (`unmapped`).",
            },
            ("putTherapistMapping", _) => new("Integrations", "Replaces the therapist mapping", Responses(c,
                [("200", JsonAnswer(c, "The mapping as stored.", c.Schema("TherapistMapping"))), .. Errors(c, writeErrors)]))
            {
                Description = $"Every therapist must exist; a key may appear once; at most {TherapistMappingInput.MaxEntries} entries. Mapped keys leave the unmapped list. Bookings offer their keys most specific first (the person before the event type); the first mapped one wins.",
                Body = JsonBody(c, TherapistMappingInput.Shape.Name, "The entries."),
            },
            ("getIntegrations", _) => new("Integrations", "Set-up check: webhook URL, signature header and whether each tool can deliver", Responses(c,
                ("200", JsonAnswer(c, "The integrations.", c.Schema("Integrations")))))
            {
                Description = "Never a secret or a credential: only whether one is set.",
            },
            ("putAcuityCredentials", _) => new("Integrations", "Sets the practice's Acuity API credentials", Responses(c,
                [("200", JsonAnswer(c, "Replaced (or unchanged).", c.Schema("AcuityCredentialsState"))), ("201", JsonAnswer(c, "Set for the first time.", c.Schema("AcuityCredentialsState"))), .. Errors(c, writeErrors)]))
            {
                Description = $"Acuity's webhooks carry ids only: the appointment is read from Acuity's API with these. The API key also verifies X-Acuity-Signature; after a change, the previous key still verifies for {GraceDays} days. Never returned by any GET.",
                Body = JsonBody(c, AcuityCredentialsInput.Shape.Name, "The credentials."),
            },
            ("putTemplateOverride", _) => new("Templates", "Stores an override, once it parses and renders against sample data", Responses(c,
                [("200", JsonAnswer(c, "Replaced.", c.Schema("TemplateStored"))), ("201", JsonAnswer(c, "Created.", c.Schema("TemplateStored"))), .. Errors(c, ["404", .. writeErrors])]))
            {
                Body = JsonBody(c, TemplateSourcesInput.Shape.Name, $"The three Scriban sources (at most {TemplateSourcesInput.MaxBytes / 1024} KB in all)."),
            },
            ("getTemplate", _) => new("Templates", "The sources a send would use: the override, or the library's", Responses(c,
                [("200", JsonAnswer(c, "The template.", c.Schema("Template"))), .. Errors(c, "404")])),
            ("deleteTemplateOverride", _) => new("Templates", "Reverts to the library (204 also when there was no override)", Responses(c,
                [("204", new OpenApiResponse { Description = "Reverted." }), .. Errors(c, "404")])),
            ("previewTemplate", _) => new("Templates", "Renders the template as a patient would receive it (sample links only)", Responses(c,
                [("200", JsonAnswer(c, "The rendered email.", c.Schema("PreviewEmail"))), ("422", c.ProblemResponse("The stored template fails to render with this data.")), .. Errors(c, ["404", .. writeErrors])]))
            {
                Body = JsonBody(c, PreviewInput.Shape.Name, "Optional.", required: false),
            },
            ("practiceReport", _) => new("Reports", "What the emails did over a period, against the held-out control group", Responses(c,
                [("200", new OpenApiResponse
                {
                    Description = "The report.",
                    Headers = Components.Headers(("Cache-Control", "`no-store`.")),
                    Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                    {
                        ["application/json"] = new OpenApiMediaType { Schema = c.Schema("PracticeReport") },
                        ["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    },
                }), .. Errors(c, "400")]))
            {
                Description = "JSON, or CSV when `Accept` names text/csv and does not prefer application/json.",
                Parameters =
                [
                    Query("from", "Inclusive; default 90 days before `to`.", new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" }),
                    Query("to", "Exclusive; default tomorrow.", new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" }),
                    Query("groupBy", "Grouping.", EnumSchema(Wire.Names<ReportGroupBy>(), Wire.Name(ReportGroupBy.Template))),
                    Query("lang", "Labels and verdict.", EnumSchema(Wire.Names<Locale>(), Wire.Name(Locale.En))),
                ],
            },
            ("exportPatient", _) => new("Patients", "Everything held about one patient (GDPR access)", Responses(c,
                [("200", JsonAnswer(c, "As an attachment.", c.Schema("PatientExport"), ("Content-Disposition", "`attachment; filename=\"patient-<id>.json\"`"))), .. Errors(c, "400", "404")])),
            ("erasePatient", _) => new("Patients", "Erases a patient (GDPR erasure); 404 when nothing is left to erase", Responses(c,
                [("204", new OpenApiResponse { Description = "Erased." }), .. Errors(c, "400", "404")])),
            ("openApiDocument", _) => new("Meta", "This document", Responses(c,
                ("200", new OpenApiResponse
                {
                    Description = "The OpenAPI 3.1 document.",
                    Headers = Components.Headers(("Cache-Control", "`public, max-age=300`."), ("ETag", "Changes with the document.")),
                    Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                    {
                        ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
                    },
                }),
                ("304", new OpenApiResponse { Description = "Not modified (If-None-Match)." }))),
            ("upcomingSends", _) => ForecastAndImportOperations.Upcoming(c),
            ("importPatients", _) => ForecastAndImportOperations.Import(c, writeErrors),
            _ => null,
        };
    }

    private static Dictionary<string, IOpenApiResponse> Responses(Components c, params (string Status, IOpenApiResponse Response)[] responses)
    {
        _ = c;
        return responses.ToDictionary(r => r.Status, r => r.Response, StringComparer.Ordinal);
    }

    /// <summary>The answers of the admin errors named by status.</summary>
    internal static IEnumerable<(string Status, IOpenApiResponse Response)> Errors(Components c, params string[] statuses) =>
        statuses.Select(status => (status, (IOpenApiResponse)c.Response(status switch
        {
            "400" => "BadRequest",
            "404" => "NotFound",
            "409" => "Conflict",
            "413" => "PayloadTooLarge",
            "415" => "UnsupportedMediaType",
            _ => throw new ArgumentOutOfRangeException(nameof(statuses), status, "no shared answer"),
        })));

    /// <summary>The answers every page route can give, and those given.</summary>
    private static Dictionary<string, IOpenApiResponse> PageAnswers(Components c, params (string Status, IOpenApiResponse Response)[] own)
    {
        var answers = Responses(c,
            ("400", c.Response("PageBadRequest")),
            ("404", c.Response("PageNotFound")),
            ("405", c.Response("PageMethodNotAllowed")),
            ("503", c.Response("PageUnavailable")));
        foreach (var (status, response) in own) answers[status] = response;
        return answers;
    }

    internal static OpenApiResponse JsonAnswer(Components c, string description, IOpenApiSchema schema, params (string Name, string Description)[] headers)
    {
        _ = c;
        return new OpenApiResponse
        {
            Description = description,
            Headers = Components.Headers(headers),
            Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new OpenApiMediaType { Schema = schema } },
        };
    }

    internal static OpenApiRequestBody JsonBody(Components c, string schema, string description, bool required = true) => new()
    {
        Required = required,
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new OpenApiMediaType { Schema = c.Schema(schema) } },
    };

    private static OpenApiSchema AnyOf(Components c, params string[] schemas) => new() { AnyOf = [.. schemas.Select(s => (IOpenApiSchema)c.Schema(s))] };

    private static OpenApiRequestBody Form(Components c, bool required, string description) => new()
    {
        Required = required,
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
        {
            ["application/x-www-form-urlencoded"] = new OpenApiMediaType { Schema = c.Schema("AnswerForm") },
            ["multipart/form-data"] = new OpenApiMediaType { Schema = c.Schema("AnswerForm") },
        },
    };

    private static OpenApiResponse Redirect(string description) => new()
    {
        Description = description,
        Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
        {
            ["Location"] = new OpenApiHeader { Description = "The booking URL.", Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" } },
        },
    };

    internal static OpenApiParameter Query(string name, string description, OpenApiSchema schema) =>
        new() { Name = name, In = ParameterLocation.Query, Description = description, Schema = schema };

    internal static OpenApiSchema EnumSchema(IEnumerable<string> values, string? defaultValue = null) => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))],
        Default = defaultValue is null ? null : JsonValue.Create(defaultValue),
    };
}
