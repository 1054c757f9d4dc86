// What an integrator and a booking tool do over HTTP: create the practice and its therapists through the admin API,
// then post signed generic webhooks.
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Reengage.Core.Booking;

namespace Reengage.Demo;

internal sealed class IntegratorClient(HttpClient http, SimulatedClock clock, string routePrefix) : IDisposable
{
    /// <summary>The admin API's practice key header (SPEC §9).</summary>
    public const string PracticeKeyHeader = "x-reengage-key";

    // The local host does not check function keys (as with `func start`); sent anyway, as an integrator would.
    private const string FunctionKey = "local-demo-function-key";

    private string? _apiKey;
    private string? _webhookSecret;

    private string Route(string path) => $"{routePrefix.Trim('/')}/{path}";

    /// <summary>PUT practices/{id} with the function key only: creates the practice, answers its API key and webhook secret once.</summary>
    public async Task CreatePracticeAsync(string practiceId, JsonObject settings, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, Route($"practices/{practiceId}"), settings, withPracticeKey: false, cancellationToken).ConfigureAwait(false);
        var body = await ExpectAsync(response, "creating the practice (PUT practices/{id})", cancellationToken).ConfigureAwait(false);
        _apiKey = body?["apiKey"]?.GetValue<string>();
        _webhookSecret = body?["webhookSecrets"]?["generic"]?.GetValue<string>();
        if (_apiKey is null || _webhookSecret is null)
        {
            throw new DemoException("PUT practices/{id} created the practice but its answer has no apiKey and webhookSecrets.generic.");
        }
    }

    public async Task UpdatePracticeAsync(string practiceId, JsonObject settings, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, Route($"practices/{practiceId}"), settings, withPracticeKey: true, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(response, "updating the practice (PUT practices/{id})", cancellationToken).ConfigureAwait(false);
    }

    public async Task PutTherapistAsync(string practiceId, DemoTherapist therapist, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["displayName"] = therapist.DisplayName,
            ["email"] = therapist.Email,
            ["signature"] = therapist.Signature,
            ["locale"] = therapist.Locale,
            ["active"] = true,
        };
        using var response = await SendAsync(HttpMethod.Put, Route($"practices/{practiceId}/therapists/{therapist.Id}"), body, withPracticeKey: true, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(response, "adding a therapist (PUT practices/{id}/therapists/{therapistId})", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs the exact bytes sent with the practice's generic secret, timestamped by the simulated clock.</summary>
    public async Task PostEventAsync(string practiceId, DemoEvent demoEvent, CancellationToken cancellationToken)
    {
        var secret = _webhookSecret ?? throw new InvalidOperationException("The practice is not created yet.");
        var raw = Encoding.UTF8.GetBytes(demoEvent.Body.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, Route($"webhooks/generic/{practiceId}"))
        {
            Content = new ByteArrayContent(raw),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.HeaderValue(secret, clock.Now.ToUnixTimeSeconds(), raw));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new DemoException($"bookingWebhook refused event {demoEvent.Id}: {(int)response.StatusCode} {await ProblemOf(response, cancellationToken).ConfigureAwait(false)}");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonObject body, bool withPracticeKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-functions-key", FunctionKey);
        if (withPracticeKey)
        {
            request.Headers.Add(PracticeKeyHeader, _apiKey ?? throw new InvalidOperationException("The practice is not created yet."));
        }
        return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonNode?> ExpectAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new DemoException($"The admin API refused {what}: {(int)response.StatusCode} {await ProblemOf(response, cancellationToken).ConfigureAwait(false)}");
        }
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>A problem+json answer's title, detail and field errors (never the request: it may hold patient data).</summary>
    private static async Task<string> ProblemOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var problem = JsonNode.Parse(text);
            return string.Join(" ", new[] { problem?["title"]?.ToString(), problem?["detail"]?.ToString(), problem?["errors"]?.ToJsonString() }.Where(s => !string.IsNullOrEmpty(s)));
        }
        catch (System.Text.Json.JsonException)
        {
            return text.Length > 300 ? text[..300] : text;
        }
    }

    public void Dispose() => http.Dispose();
}
