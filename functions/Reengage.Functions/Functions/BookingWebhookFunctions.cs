using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Functions.Booking;
using Reengage.Functions.Http;
using Reengage.Functions.Telemetry;

namespace Reengage.Functions.Functions;

/// <summary><c>POST /api/webhooks/{source}/{practiceId}</c>: booking events in, signature-authenticated (SPEC §8).</summary>
public sealed class BookingWebhookFunctions(BookingIngestion ingestion, VendorIngestion vendors, ReengageTelemetry telemetry)
{
    /// <summary>
    /// The vendor sources' signature headers and media types; VendorIngestion reads their payloads.
    /// </summary>
    private static readonly FrozenDictionary<WebhookSource, (string Header, bool Form)> Vendors = new Dictionary<WebhookSource, (string, bool)>
    {
        [WebhookSource.Calcom] = ("X-Cal-Signature-256", false),
        [WebhookSource.Calendly] = ("Calendly-Webhook-Signature", false),
        [WebhookSource.Acuity] = ("X-Acuity-Signature", true),
    }.ToFrozenDictionary();

    [Function("bookingWebhook")]
    public async Task<IActionResult> BookingWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/{source}/{practiceId}")] HttpRequest request,
        string source,
        string practiceId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The order of the TypeScript handler: source, media type, size, then signature, then the payload.
        if (!Wire.TryParse<WebhookSource>(source, out var known))
        {
            Count("unknown", "unknown_source");
            return Problems.Of(StatusCodes.Status404NotFound, "Unknown source",
                $"Webhook source \"{Truncate(source, 40)}\" is not supported; use one of: {string.Join(", ", Wire.Names<WebhookSource>())}.");
        }
        var form = Vendors.TryGetValue(known, out var vendor) && vendor.Form;
        if (form ? !IsForm(request.ContentType) : !RequestBodies.IsJson(request.ContentType))
        {
            Count(source, "unsupported_media_type");
            return form
                ? Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "The body must be form-encoded (Content-Type: application/x-www-form-urlencoded).")
                : Problems.NotJson();
        }
        var body = await RequestBodies.ReadBytesAsync(request, GenericBookingEvent.MaxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            Count(source, "too_large");
            return Problems.TooLarge(GenericBookingEvent.MaxBytes);
        }

        WebhookOutcome outcome = known switch
        {
            WebhookSource.Generic => await ingestion.ReceiveGenericAsync(practiceId, request.Headers[WebhookSignature.HeaderName], body, cancellationToken).ConfigureAwait(false),
            WebhookSource.Calcom or WebhookSource.Calendly => await vendors.ReceiveJsonAsync(known, practiceId, request.Headers[vendor.Header], body, cancellationToken).ConfigureAwait(false),
            _ => await vendors.ReceiveAcuityAsync(practiceId, request.Headers[vendor.Header], body, cancellationToken).ConfigureAwait(false),
        };
        return Answer(source, outcome);
    }

    private IActionResult Answer(string source, WebhookOutcome outcome)
    {
        switch (outcome)
        {
            case WebhookOutcome.Unauthorized u:
                Count(source, "unauthorized");
                return Problems.Of(StatusCodes.Status401Unauthorized, "Unauthorized", $"Missing, invalid or expired {u.Header} ({ReasonName(u.Reason)}).");
            case WebhookOutcome.InvalidJson:
                Count(source, "invalid_json");
                return Problems.InvalidJson();
            case WebhookOutcome.Invalid i:
                Count(source, "invalid");
                return Problems.Invalid($"Invalid {i.What}", i.Problems);
            case WebhookOutcome.TooLarge:
                Count(source, "too_large");
                return Problems.TooLarge(GenericBookingEvent.MaxBytes);
            case WebhookOutcome.Ping:
                Count(source, "ping");
                return new OkObjectResult(new PingAnswer());
            case WebhookOutcome.Ignored ignored:
                Count(source, "ignored");
                return new ObjectResult(new WebhookAnswer { Accepted = true, Ignored = ignored.Reason, Id = ignored.Id }) { StatusCode = StatusCodes.Status202Accepted };
            case WebhookOutcome.UpstreamUnavailable u:
                Count(source, "upstream_unavailable");
                return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Booking tool unavailable", u.Detail, headers: new Dictionary<string, string> { ["Retry-After"] = "60" });
            case WebhookOutcome.UpstreamFailed u:
                Count(source, "upstream_failed");
                return Problems.Of(StatusCodes.Status502BadGateway, "Booking tool error", u.Detail);
            case WebhookOutcome.Accepted a:
                Count(source, "accepted");
                return new ObjectResult(new WebhookAnswer { Accepted = true, Id = a.Id }) { StatusCode = StatusCodes.Status202Accepted };
            case WebhookOutcome.Duplicate d:
                Count(source, "duplicate");
                return new OkObjectResult(new WebhookAnswer { Duplicate = true, Id = d.Id });
            default:
                throw new InvalidOperationException("Unknown webhook outcome.");
        }
    }

    private void Count(string source, string outcome) =>
        telemetry.Webhooks.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", outcome));

    private static string ReasonName(SignatureCheck reason) => reason switch
    {
        SignatureCheck.Missing => "missing",
        SignatureCheck.Malformed => "malformed",
        SignatureCheck.Expired => "expired",
        SignatureCheck.Mismatch => "mismatch",
        SignatureCheck.Valid => "valid",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    private static bool IsForm(string? contentType) =>
        contentType?.Split(';')[0].Trim().Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
