// The OpenAPI 3.1 document of every HTTP function (served at GET /api/openapi.json). Routes, methods and auth levels
// come from the functions' attributes; request bodies from the parsers' field rules; answers from the serializer
// contracts that write them; limits and enums from the constants the code enforces. Only the prose is written here.
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;
using Reengage.Core.Answers;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Functions.Admin;
using Reengage.Functions.Answers;
using Reengage.Functions.Booking;
using Reengage.Functions.Http;
using Reengage.Functions.Report;

namespace Reengage.Functions.OpenApi;

public static partial class ReengageOpenApi
{
    private static readonly Lazy<string> CachedJson = new(() => Serialize(Build(typeof(ReengageOpenApi).Assembly)));

    /// <summary>The document of this app's functions as JSON (OpenAPI 3.1), built once per process.</summary>
    public static string Json => CachedJson.Value;

    /// <summary>The document of the HTTP functions found in <paramref name="functions"/>.</summary>
    public static OpenApiDocument Build(Assembly functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "Reengage API",
                Version = VersionOf(functions),
                Summary = "Booking webhooks in, the practice admin API, and the pages behind the links of the emails.",
                Description = string.Join('\n',
                    "Reengage brings back patients who drifted away from a practice with warm, no-pressure emails.",
                    "",
                    "- **Booking webhooks** (`/webhooks/{source}/{practiceId}`) are anonymous and authenticated by each tool's signature over the raw body.",
                    $"- **The admin API** (`/practices/{{practiceId}}/…`) needs the Function App's function key (`x-functions-key` or `?code=`) and the practice's own API key (`{PracticeKeyAuthorizer.HeaderName}`). JSON in, JSON out; errors are `application/problem+json`; answers carry `Cache-Control: no-store`. No input produces a 5xx.",
                    "- **Patient answers** (`/r/{token}`, `/feedback/{token}`, `/unsubscribe/{token}`) are HTML pages; the signed token is the only key, and a GET never changes anything beyond recording a book click.",
                    "",
                    "Guides: docs/integrations.md (connecting a booking tool), docs/admin-api.md, docs/import.md, docs/report.md, docs/answers.md."),
            },
            Servers = [new OpenApiServer { Url = "/api", Description = "The Function App, e.g. https://<app>.azurewebsites.net/api" }],
            Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description })),
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
                Parameters = new Dictionary<string, IOpenApiParameter>(StringComparer.Ordinal),
                Responses = new Dictionary<string, IOpenApiResponse>(StringComparer.Ordinal),
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal),
            },
        };
        var components = new Components(document);
        document.Security = components.AdminSecurity();
        foreach (var group in HttpFunctions.In(functions).GroupBy(f => "/" + f.Route.Trim('/'), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var item = new OpenApiPathItem { Operations = [] };
            foreach (var function in group)
            {
                foreach (var method in function.Methods)
                {
                    item.Operations[new HttpMethod(method.ToUpperInvariant())] = Operation(components, function, method, group.Key);
                }
            }
            document.Paths[group.Key] = item;
        }
        return document;
    }

    /// <summary>The document as OpenAPI 3.1 JSON.</summary>
    public static string Serialize(OpenApiDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        document.SerializeAs(OpenApiSpecVersion.OpenApi3_1, new OpenApiJsonWriter(text));
        return text.ToString();
    }

    private static OpenApiOperation Operation(Components c, HttpFunction function, string method, string path)
    {
        var spec = Describe(c, function.Name, method) ?? Undescribed(function);
        var operation = new OpenApiOperation
        {
            OperationId = spec.OperationId ?? (function.Methods.Count == 1 ? function.Name : function.Name + char.ToUpperInvariant(method[0]) + method[1..]),
            Summary = spec.Summary,
            Description = spec.Description,
            Tags = new HashSet<OpenApiTagReference> { new(spec.Tag, c.Document) },
            Parameters = [.. PathParameters(c, path), .. spec.Parameters ?? []],
            RequestBody = spec.Body,
            Responses = [],
            Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal)
            {
                // The Azure function that serves the operation (its registration name), as the TypeScript document said.
                ["x-function-name"] = new JsonNodeExtension(JsonValue.Create(function.Name)),
            },
        };
        if (function.AuthLevel == AuthorizationLevel.Anonymous)
        {
            operation.Security = [];
        }
        else
        {
            operation.Security = spec.Security ?? c.AdminSecurity();
            // Every function-level route can answer 401 (the practice key; the host's own 401 has no body).
            operation.Responses["401"] = c.Response("Unauthorized");
        }
        foreach (var (status, response) in spec.Responses) operation.Responses[status] = response;
        if (operation.Responses.Count == 0) operation.Responses["default"] = new OpenApiResponse { Description = "See the guides in docs/." };
        return operation;
    }

    private static IEnumerable<IOpenApiParameter> PathParameters(Components c, string path) =>
        RouteVariable().Matches(path).Select(m => m.Groups[1].Value).Select(name => c.PathParameter(name));

    /// <summary>A function the catalogue below does not describe yet still appears, with its route, methods and auth.</summary>
    private static OperationSpec Undescribed(HttpFunction function) =>
        new("Other", $"The `{function.Name}` function", []) { Description = "Not described yet: see the guides in docs/." };

    [System.Text.RegularExpressions.GeneratedRegex(@"\{([^}:?]+)[^}]*\}")]
    private static partial System.Text.RegularExpressions.Regex RouteVariable();

    private static string VersionOf(Assembly assembly)
    {
        var version = assembly.GetName().Version ?? new Version(0, 1, 0);
        return $"{version.Major}.{version.Minor}.{Math.Max(version.Build, 0)}";
    }

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Webhooks", "Booking events in (SPEC §8)."),
        ("Practice", "Practice settings."),
        ("Therapists", "The practice's therapists."),
        ("Credentials", "API key and webhook secret rotation."),
        ("Integrations", "Booking-tool set-up: therapist mapping, Acuity credentials."),
        ("Templates", "Template overrides per locale."),
        ("Patients", "CSV import, GDPR export and erasure."),
        ("Reports", "Upcoming sends and the practice report."),
        ("Patient answers", "The HTML pages behind the links of the emails."),
        ("Meta", "This document."),
        ("Other", "Functions not described yet."),
    ];

    /// <summary>What the document says of one operation besides its route, methods and auth level.</summary>
    internal sealed record OperationSpec(string Tag, string Summary, Dictionary<string, IOpenApiResponse> Responses)
    {
        public string? OperationId { get; init; }
        public string? Description { get; init; }
        public IReadOnlyList<IOpenApiParameter>? Parameters { get; init; }
        public IOpenApiRequestBody? Body { get; init; }
        public IList<OpenApiSecurityRequirement>? Security { get; init; }
    }

    /// <summary>The shared parts of the document (components) and references to them.</summary>
    internal sealed class Components
    {
        public Components(OpenApiDocument document)
        {
            Document = document;
            var components = document.Components!;
            components.SecuritySchemes!["functionKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "x-functions-key",
                Description = "A function or host key of the Function App (checked by the Functions host, authLevel function).",
            };
            components.SecuritySchemes["functionKeyQuery"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Query,
                Name = "code",
                Description = "The same function key as `?code=`, for clients that cannot set a header.",
            };
            components.SecuritySchemes["practiceKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = PracticeKeyAuthorizer.HeaderName,
                Description = "The practice API key (`rk_…`), issued at creation and by rotation, stored hashed. It opens its own practice only.",
            };
            Schemas(components.Schemas!);
            Parameters(components.Parameters!);
            Responses(components.Responses!);
        }

        public OpenApiDocument Document { get; }

        public OpenApiSchemaReference Schema(string name) => new(name, Document);

        public OpenApiResponseReference Response(string name) => new(name, Document);

        public IOpenApiParameter PathParameter(string name) =>
            Document.Components!.Parameters!.ContainsKey(Capitalized(name))
                ? new OpenApiParameterReference(Capitalized(name), Document)
                : new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };

        public IOpenApiParameter Parameter(string name) => new OpenApiParameterReference(name, Document);

        /// <summary>The function key (header or <c>?code=</c>) and the practice's own key.</summary>
        public List<OpenApiSecurityRequirement> AdminSecurity() =>
        [
            Requirement("functionKey", "practiceKey"),
            Requirement("functionKeyQuery", "practiceKey"),
        ];

        public OpenApiSecurityRequirement Requirement(params string[] schemes)
        {
            var requirement = new OpenApiSecurityRequirement();
            foreach (var scheme in schemes) requirement[new OpenApiSecuritySchemeReference(scheme, Document)] = [];
            return requirement;
        }

        private static string Capitalized(string name) => char.ToUpperInvariant(name[0]) + name[1..];

        private void Schemas(IDictionary<string, IOpenApiSchema> schemas)
        {
            schemas["Problem"] = AnswerSchemas.Of(HttpJsonContext.Default.ProblemBody, "RFC 9457 problem details, as `application/problem+json`; `errors` names each invalid field (400).");
            foreach (var shape in (BodyShape[])
                [
                    PracticeSettingsInput.Shape, TherapistInput.Shape, TherapistMappingInput.Shape, AcuityCredentialsInput.Shape,
                    WebhookRotationInput.Shape, TemplateSourcesInput.Shape, PreviewInput.Shape,
                ])
            {
                schemas[shape.Name] = FieldSchemas.Of(shape);
            }
            schemas["Practice"] = AnswerSchemas.Of(AdminJsonContext.Default.PracticeJson, "The settings, and the state (never the value) of the credentials.");
            schemas["PracticeCreated"] = AnswerSchemas.Of(AdminJsonContext.Default.CreatedPracticeJson, "The practice, its API key and its generic webhook secret: shown this once.");
            schemas["Therapist"] = AnswerSchemas.Of(AdminJsonContext.Default.TherapistJson);
            schemas["TherapistList"] = AnswerSchemas.Of(AdminJsonContext.Default.TherapistListJson);
            schemas["PatientExport"] = AnswerSchemas.Of(AdminJsonContext.Default.PatientExportJson, "Everything held about the patient.");
            schemas["ApiKeyRotation"] = AnswerSchemas.Of(CredentialJsonContext.Default.RotatedApiKeyJson);
            schemas["WebhookSecretRotation"] = AnswerSchemas.Of(CredentialJsonContext.Default.RotatedWebhookSecretJson);
            schemas["TherapistMapping"] = AnswerSchemas.Of(IntegrationJsonContext.Default.TherapistMappingJson);
            schemas["AcuityCredentialsState"] = AnswerSchemas.Of(IntegrationJsonContext.Default.AcuityStateJson);
            schemas["Integrations"] = AnswerSchemas.Of(IntegrationJsonContext.Default.IntegrationsJson);
            schemas["TemplateStored"] = AnswerSchemas.Of(TemplateJsonContext.Default.StoredTemplateJson);
            schemas["Template"] = AnswerSchemas.Of(TemplateJsonContext.Default.TemplateViewJson);
            schemas["PreviewEmail"] = AnswerSchemas.Of(PreviewJsonContext.Default.PreviewJson);
            schemas["PracticeReport"] = AnswerSchemas.Of(ReportJsonContext.Default.PracticeReportJson);
            schemas["WebhookAnswer"] = AnswerSchemas.OfReflected(typeof(WebhookAnswer), "`{\"accepted\":true,\"id\":…}` (202, `ignored` says why nothing changed) or `{\"duplicate\":true,\"id\":…}` (200).");
            schemas["WebhookPing"] = AnswerSchemas.OfReflected(typeof(PingAnswer), "A connection test (Cal.com PING).");
            schemas["BookingEvent"] = BookingEventSchema();
            schemas["AnswerForm"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "What the pages post. A one-click unsubscribe client posts `List-Unsubscribe=One-Click`.",
                Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                {
                    ["rating"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. Enumerable.Range(1, 5).Select(r => (JsonNode)JsonValue.Create(r.ToString(System.Globalization.CultureInfo.InvariantCulture)))], Description = "Feedback form." },
                    ["comment"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = FeedbackForm.MaxCommentChars, Description = "Feedback form, optional." },
                    ["List-Unsubscribe"] = new OpenApiSchema { Const = "One-Click" },
                },
            };
            foreach (var (name, schema) in ForecastAndImportOperations.Schemas()) schemas[name] = schema;
        }

        /// <summary>The generic event (SPEC §8): its types from the enum the webhook parses.</summary>
        private static OpenApiSchema BookingEventSchema() => new()
        {
            Type = JsonSchemaType.Object,
            Description = $"The generic booking event (SPEC §8), at most {GenericBookingEvent.MaxBytes / 1024} KB. Events may arrive out of order and more than once: state only moves forward, and an id already seen answers 200 duplicate. Calendly, Cal.com and Acuity post their own payloads (docs/integrations.md).",
            Required = new HashSet<string>(["id", "type", "occurredAt", "patient"], StringComparer.Ordinal),
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 200, Description = "Unique per event: the de-duplication key." },
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. Wire.Names<BookingEventType>().Select(n => (JsonNode)JsonValue.Create(n))] },
                ["occurredAt"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                ["patient"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string>(["id"], StringComparer.Ordinal),
                    Description = "The patient as the booking tool knows them; fields left out keep their stored value.",
                    Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                    {
                        ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = JsonFields.IdPattern },
                        ["firstName"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, MaxLength = 100 },
                        ["email"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "email", MaxLength = JsonFields.MaxEmailLength },
                        ["locale"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "A BCP 47 tag; languages other than fr and en fall back to the practice locale." },
                        ["therapistId"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Pattern = JsonFields.IdPattern },
                        ["emailConsent"] = new OpenApiSchema { Description = "`true`/`false`, or `{granted, at, source}`." },
                        ["careStatus"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. Wire.Names<CareStatus>().Select(n => (JsonNode)JsonValue.Create(n))] },
                        ["contactPreference"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. Wire.Names<ContactPreference>().Select(n => (JsonNode)JsonValue.Create(n))] },
                        ["focusArea"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, MaxLength = 100 },
                        ["progressNote"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, MaxLength = 2000, Description = "Health data: in emails only when the practice allows clinical details." },
                        ["plan"] = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Null, Description = "`{summary, nextMilestoneAt}`; the summary is health data." },
                    },
                },
                ["appointment"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Required for `appointment.*` events; `startsAt` for booked and rescheduled.",
                    Required = new HashSet<string>(["id"], StringComparer.Ordinal),
                    Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                    {
                        ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = JsonFields.IdPattern },
                        ["startsAt"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                        ["therapistId"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Pattern = JsonFields.IdPattern },
                    },
                },
            },
            Examples =
            [
                JsonNode.Parse("""
                    { "id": "evt_01HZX3", "type": "appointment.booked", "occurredAt": "2026-11-20T10:00:00Z",
                      "patient": { "id": "pat_42", "firstName": "Camille", "email": "camille@example.org", "locale": "fr",
                                   "therapistId": "th_1", "emailConsent": true, "careStatus": "in_care" },
                      "appointment": { "id": "apt_9", "startsAt": "2026-11-27T14:00:00+01:00", "therapistId": "th_1" } }
                    """)!,
            ],
        };

        private static void Parameters(IDictionary<string, IOpenApiParameter> parameters)
        {
            const string IdHint = "1-128 characters: letters, digits and `_ . : @ + = ~ -`, starting with a letter or digit.";
            OpenApiParameter Path(string name, string description, OpenApiSchema schema) =>
                new() { Name = name, In = ParameterLocation.Path, Required = true, Description = description, Schema = schema };
            OpenApiSchema Enum(IEnumerable<string> values) => new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };
            var id = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = JsonFields.IdPattern };
            parameters["PracticeId"] = Path("practiceId", $"The practice: {IdHint}", id);
            parameters["TherapistId"] = Path("therapistId", $"The therapist: {IdHint}", id);
            parameters["PatientId"] = Path("patientId", $"The patient: {IdHint}", id);
            parameters["TemplateId"] = Path("templateId", "One of the eight library templates.", Enum(Wire.Names<TemplateId>()));
            parameters["Locale"] = Path("locale", "The locale.", Enum(Wire.Names<Locale>()));
            parameters["Source"] = Path("source", "The booking tool: `generic` (our own format, SPEC §8), `calcom`, `calendly` or `acuity`.", Enum(Wire.Names<WebhookSource>()));
            parameters["Token"] = Path("token", "The signed, expiring token of an email link (HMAC-SHA256 with a key id): the only key.", new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 2048 });
            var tolerance = WebhookSignature.ToleranceSeconds;
            var signatures = new Dictionary<WebhookSource, string>
            {
                [WebhookSource.Generic] = $"`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>`; several `v1=` may be present (secret rotation); {tolerance} s tolerance; compared in constant time.",
                [WebhookSource.Calcom] = "Hex HMAC-SHA256 of the raw body with the webhook secret (Cal.com's scheme; no timestamp, duplicates are recognized by booking, trigger and time).",
                [WebhookSource.Calendly] = $"`t=<unix seconds>,v1=<hex HMAC-SHA256(signing key, \"<t>.<raw body>\")>` (Calendly's scheme); {tolerance} s tolerance.",
                [WebhookSource.Acuity] = "Base64 HMAC-SHA256 of the raw body with the account's API key (Acuity's scheme).",
            };
            foreach (var (source, description) in signatures)
            {
                parameters[SignatureParameter(source)] = new OpenApiParameter
                {
                    Name = IntegrationAdmin.SignatureHeaders[source],
                    In = ParameterLocation.Header,
                    Description = $"Required when source is `{Wire.Name(source)}`. {description}",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
        }

        public static string SignatureParameter(WebhookSource source) => $"{char.ToUpperInvariant(Wire.Name(source)[0])}{Wire.Name(source)[1..]}Signature";

        private void Responses(IDictionary<string, IOpenApiResponse> responses)
        {
            responses["BadRequest"] = ProblemResponse("Invalid body, path segment or query; `errors` names each bad field. Nothing was changed.");
            responses["Unauthorized"] = ProblemResponse(
                $"Missing or wrong practice key (`{PracticeKeyAuthorizer.HeaderName}`), another practice's key, or an unknown practice: all answer alike. (A missing or wrong function key is answered 401 by the Functions host itself, without a body.)",
                ("WWW-Authenticate", $"`ApiKey header=\"{PracticeKeyAuthorizer.HeaderName}\"`"));
            responses["NotFound"] = ProblemResponse("Unknown template, locale, webhook source or patient.");
            responses["Conflict"] = ProblemResponse("The resource changed while the request ran (send it again), or two creations raced.");
            responses["PayloadTooLarge"] = ProblemResponse("The body is too large.");
            responses["UnsupportedMediaType"] = ProblemResponse("The body is not of the media type the route takes.");
            responses["PageBadRequest"] = Page("A malformed or tampered token, a token of another route, or a form that cannot be read; for feedback, the form again with its errors.");
            responses["PageNotFound"] = Page("A well-signed token whose email is unknown here.");
            responses["PageMethodNotAllowed"] = Page("A method the route does not take.", ("Allow", "The methods the route takes."));
            responses["PageGone"] = Page("An expired link; the page still offers the booking page.");
            responses["PageTooLarge"] = Page($"A form body over {AnswerHttp.MaxFormBytes / 1024} KB.");
            responses["PageUnsupported"] = Page("A POST whose body is not a form.");
            responses["PageUnavailable"] = Page("Storage unavailable or another failure: try again in a few minutes.", ("Retry-After", "Seconds to wait before trying again."));
        }

        public OpenApiResponse ProblemResponse(string description, params (string Name, string Description)[] headers) => new()
        {
            Description = description,
            Headers = Headers(headers),
            Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
            {
                [Problems.ContentType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference("Problem", Document) },
            },
        };

        public static OpenApiResponse Page(string description, params (string Name, string Description)[] headers) => new()
        {
            Description = $"{description} An HTML page in the email's language (CSP `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'`).",
            Headers = Headers(headers),
            Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
            {
                ["text/html"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        };

        public static Dictionary<string, IOpenApiHeader>? Headers(params (string Name, string Description)[] headers) =>
            headers.Length == 0
                ? null
                : headers.ToDictionary(h => h.Name, h => (IOpenApiHeader)new OpenApiHeader { Description = h.Description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } }, StringComparer.Ordinal);
    }
}
