using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Booking;
using Reengage.Core.Booking.Vendors;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Patients;

namespace Reengage.Functions.Booking;

// The booking tools' webhooks (docs/integrations.md): each vendor's signature over the raw body, its payload made into
// vendor-neutral appointment changes (Reengage.Core.Booking.Vendors), then into canonical booking events (patients matched by
// address, therapists through the practice's mapping) applied one by one by BookingIngestion, each idempotent by its
// vendor-derived id. Everything is resolved and validated before anything is written, so that a payload refused with a
// 400 changes nothing.
/// <summary>The vendor sources of <c>bookingWebhook</c>: Cal.com, Calendly and Acuity.</summary>
public sealed partial class VendorIngestion(
    IPracticeStore practices,
    IPatientStore patients,
    IAppointmentStore appointments,
    IAcuityApi acuity,
    BookingIngestion ingestion,
    TimeProvider time,
    ILogger<VendorIngestion> logger)
{
    // Verifying against a throwaway secret when the practice is unknown makes both cases cost and answer alike.
    private const string UnknownPracticeSecret = "reengage-unknown-practice";

    /// <summary>The header each vendor signs with.</summary>
    public static string SignatureHeaderOf(WebhookSource source) => source switch
    {
        WebhookSource.Calcom => Calcom.SignatureHeader,
        WebhookSource.Calendly => Calendly.SignatureHeader,
        WebhookSource.Acuity => Acuity.SignatureHeader,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Not a vendor source."),
    };

    /// <summary>Authenticates a Cal.com or Calendly delivery with the practice's secret for it, then parses, validates and applies it.</summary>
    public async Task<WebhookOutcome> ReceiveJsonAsync(WebhookSource source, string practiceId, string? signatureHeader, ReadOnlyMemory<byte> rawBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practiceId);
        var (practice, secrets) = await PracticeAndSecretsAsync(practiceId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var candidates = secrets?.Webhooks.TryGetValue(source, out var secret) == true
            ? WebhookSecrets.AcceptedSecrets(secret, now)
            : [];
        IReadOnlyList<string> tried = candidates.Count > 0 ? candidates : [UnknownPracticeSecret];
        var check = source switch
        {
            WebhookSource.Calcom => Calcom.Verify(signatureHeader, rawBody.Span, tried),
            WebhookSource.Calendly => Calendly.Verify(signatureHeader, rawBody.Span, tried, now),
            _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Not a JSON vendor source."),
        };
        if (check != SignatureCheck.Valid || practice is null || candidates.Count == 0)
        {
            var reason = check == SignatureCheck.Valid ? SignatureCheck.Mismatch : check;
            LogRejected(Wire.Name(source), Ids.HashForLog(practiceId), reason);
            return new WebhookOutcome.Unauthorized(SignatureHeaderOf(source), reason);
        }
        if (ParseJson(rawBody.Span) is not { } json) return new WebhookOutcome.InvalidJson();
        var (parsed, what) = source == WebhookSource.Calcom ? (Calcom.Parse(json), "Cal.com payload") : (Calendly.Parse(json), "Calendly payload");
        if (parsed.Message is null) return new WebhookOutcome.Invalid(what, parsed.Problems);
        return await ApplyAsync(practice, source, parsed.Message, rawBody, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Authenticates an Acuity notification with the account's API key (or, during a rotation, the previous one kept as the
    /// acuity webhook secret), then fetches the appointment it names and applies the state Acuity's API reports.
    /// </summary>
    public async Task<WebhookOutcome> ReceiveAcuityAsync(string practiceId, string? signatureHeader, ReadOnlyMemory<byte> rawBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practiceId);
        var (practice, secrets) = await PracticeAndSecretsAsync(practiceId, cancellationToken).ConfigureAwait(false);
        var candidates = new List<string>();
        if (secrets?.Acuity is { } credentials) candidates.Add(credentials.ApiKey);
        if (secrets?.Webhooks.TryGetValue(WebhookSource.Acuity, out var secret) == true)
        {
            candidates.AddRange(WebhookSecrets.AcceptedSecrets(secret, time.GetUtcNow()).Where(s => !candidates.Contains(s)));
        }
        var check = Acuity.Verify(signatureHeader, rawBody.Span, candidates.Count > 0 ? candidates : [UnknownPracticeSecret]);
        if (check != SignatureCheck.Valid || practice is null || secrets is null || candidates.Count == 0)
        {
            var reason = check == SignatureCheck.Valid ? SignatureCheck.Mismatch : check;
            LogRejected("acuity", Ids.HashForLog(practiceId), reason);
            return new WebhookOutcome.Unauthorized(Acuity.SignatureHeader, reason);
        }
        var note = Acuity.ParseNotification(rawBody.Span);
        if (note.Ignored is { } ignored) return new WebhookOutcome.Ignored(null, ignored);
        if (note.Notification is not { } notification) return new WebhookOutcome.Invalid("Acuity notification", note.Problems);
        if (secrets.Acuity is not { } account) return new WebhookOutcome.UpstreamFailed("No Acuity API credentials are set up for this practice.");

        var lookup = await acuity.GetAppointmentAsync(account, notification.AppointmentId, cancellationToken).ConfigureAwait(false);
        var reference = $"acuity:{notification.Action}:{notification.AppointmentId}";
        switch (lookup)
        {
            case AcuityLookup.Unavailable:
                LogAcuityUnavailable(practice.Id);
                return new WebhookOutcome.UpstreamUnavailable("The Acuity API could not be reached; deliver again later.");
            case AcuityLookup.NotFound:
                // Authentic and well-formed, but the appointment is gone: nothing the sender can fix by retrying.
                LogAcuityNotFound(practice.Id);
                return new WebhookOutcome.Ignored(reference, "the appointment no longer exists in Acuity");
            case AcuityLookup.Refused refused:
                LogAcuityRefused(practice.Id, refused.Status);
                return new WebhookOutcome.UpstreamFailed($"The Acuity API refused the request (HTTP {refused.Status}).");
            case AcuityLookup.Found found:
                var mapped = Acuity.MapAppointment(notification, found.Body, time.GetUtcNow());
                if (mapped.Message is null)
                {
                    LogAcuityUnreadable(practice.Id, string.Join(',', mapped.Problems.Select(p => p.Field)));
                    return new WebhookOutcome.UpstreamFailed("The Acuity API answered with an appointment that cannot be read.");
                }
                return await ApplyAsync(practice, WebhookSource.Acuity, mapped.Message, rawBody, cancellationToken).ConfigureAwait(false);
            default:
                throw new InvalidOperationException("Unknown Acuity lookup.");
        }
    }

    private async Task<(Practice? Practice, PracticeSecrets? Secrets)> PracticeAndSecretsAsync(string practiceId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(practiceId)) return (null, null);
        var practice = practices.GetPracticeAsync(practiceId, cancellationToken);
        var secrets = practices.GetSecretsAsync(practiceId, cancellationToken);
        await Task.WhenAll(practice, secrets).ConfigureAwait(false);
        return ((await practice.ConfigureAwait(false))?.Value, (await secrets.ConfigureAwait(false))?.Value);
    }

    private static JsonElement? ParseJson(ReadOnlySpan<byte> body)
    {
        // JSON.parse refuses a byte-order mark; so does this.
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return null;
        try
        {
            var reader = new Utf8JsonReader(body);
            return JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<WebhookOutcome> ApplyAsync(Practice practice, WebhookSource source, VendorMessage message, ReadOnlyMemory<byte> rawBody, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case VendorMessage.Ping:
                return new WebhookOutcome.Ping();
            case VendorMessage.Ignored ignored:
                return new WebhookOutcome.Ignored(null, ignored.Reason);
            case VendorMessage.Changes changes:
                try
                {
                    return await ApplyChangesAsync(practice, source, changes, Convert.ToHexStringLower(SHA256.HashData(rawBody.Span)), cancellationToken).ConfigureAwait(false);
                }
                catch (ReengageException e) when (e.Code == ErrorCode.InvalidInput)
                {
                    // A value storage refuses (a key too long once encoded) is refused before anything is written.
                    return new WebhookOutcome.Invalid("booking", [new FieldProblem("(body)", e.Message)]);
                }
            default:
                throw new InvalidOperationException("Unknown vendor message.");
        }
    }

    private sealed record TherapistChoice(bool Named, string? TherapistId, bool Mapped);

    private sealed record PatientMatch(string PatientId, bool Known);

    private async Task<WebhookOutcome> ApplyChangesAsync(Practice practice, WebhookSource source, VendorMessage.Changes message, string bodyHash, CancellationToken cancellationToken)
    {
        var mapping = message.TherapistKeys.Count > 0
            ? await practices.GetTherapistMappingAsync(practice.Id, cancellationToken).ConfigureAwait(false)
            : null;
        var therapist = ChooseTherapist(practice, mapping?.Value, message.TherapistKeys);

        var matches = new Dictionary<string, PatientMatch>(StringComparer.Ordinal);
        var planned = new List<(GenericBookingEvent Event, bool DuplicateWhenStateHeld)>();
        foreach (var change in message.Items)
        {
            var address = change.Person.Email.Trim().ToLowerInvariant();
            if (!matches.TryGetValue(address, out var match))
            {
                var found = await patients.FindPatientIdByEmailAsync(practice.Id, change.Person.Email, cancellationToken).ConfigureAwait(false);
                match = found is not null ? new PatientMatch(found, true) : new PatientMatch(VendorText.PatientIdForEmail(practice.Id, change.Person.Email), false);
                matches[address] = match;
            }
            if (change.KnownPatientOnly && !match.Known) continue;
            switch (GenericBookingEventParser.Parse(ToBookingEvent(change, match, therapist)))
            {
                case BookingEventParse.Valid valid:
                    planned.Add((valid.Event, change.DuplicateWhenStateHeld));
                    break;
                case BookingEventParse.Invalid invalid:
                    return new WebhookOutcome.Invalid("booking", invalid.Problems);
                default:
                    throw new InvalidOperationException("A canonical event built here is always JSON.");
            }
        }
        if (planned.Count == 0) return new WebhookOutcome.Ignored(message.Reference, "no patient of the practice has this address");

        if (therapist.Named && !therapist.Mapped)
        {
            LogUnmapped(practice.Id, Wire.Name(source), string.Join(',', message.TherapistKeys.Select(Ids.HashForLog)), therapist.TherapistId);
            await RecordUnmappedAsync(practice.Id, mapping, message.TherapistKeys, cancellationToken).ConfigureAwait(false);
        }

        var applied = false;
        foreach (var (bookingEvent, duplicateWhenStateHeld) in planned)
        {
            if (duplicateWhenStateHeld && await HoldsStateAsync(practice.Id, bookingEvent, cancellationToken).ConfigureAwait(false)) continue;
            var outcome = await ingestion.ApplyAsync(practice, source, bookingEvent, bodyHash, cancellationToken).ConfigureAwait(false);
            applied |= outcome is WebhookOutcome.Accepted;
        }
        return applied ? new WebhookOutcome.Accepted(message.Reference) : new WebhookOutcome.Duplicate(message.Reference);
    }

    /// <summary>Whether the appointment already has the status, time and therapist the event brings.</summary>
    private async Task<bool> HoldsStateAsync(string practiceId, GenericBookingEvent bookingEvent, CancellationToken cancellationToken)
    {
        if (bookingEvent.Appointment is not { } input) return false;
        var current = await appointments.GetAppointmentAsync(practiceId, bookingEvent.Patient.Id, input.Id, cancellationToken).ConfigureAwait(false);
        if (current is null) return false;
        var held = current.Value;
        var status = bookingEvent.Type switch
        {
            BookingEventType.AppointmentCancelled => AppointmentStatus.Cancelled,
            BookingEventType.AppointmentCompleted => AppointmentStatus.Completed,
            BookingEventType.AppointmentNoShow => AppointmentStatus.NoShow,
            _ => AppointmentStatus.Booked,
        };
        return held.Status == status
            && (input.StartsAt is not { } startsAt || held.StartsAt == startsAt)
            && (input.TherapistId is null || held.TherapistId == input.TherapistId);
    }

    private static TherapistChoice ChooseTherapist(Practice practice, TherapistMapping? mapping, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0) return new TherapistChoice(false, null, false);
        return TherapistKeys.Resolve(mapping, keys) is { } mapped
            ? new TherapistChoice(true, mapped, true)
            : new TherapistChoice(true, practice.DefaultTherapistId, false);
    }

    /// <summary>
    /// A known patient keeps the profile the practice gave them: a booking form's name is not more authoritative. A new one
    /// starts with what the tool knows, and no email consent: booking tools collect an address to confirm appointments, not
    /// consent to other emails.
    /// </summary>
    private static JsonObject ToBookingEvent(VendorAppointmentChange change, PatientMatch match, TherapistChoice therapist)
    {
        var assignTherapist = therapist.Mapped || (therapist.Named && !match.Known);
        var patient = new JsonObject { ["id"] = match.PatientId };
        if (!match.Known)
        {
            patient["firstName"] = change.Person.FirstName;
            patient["email"] = change.Person.Email;
            patient["locale"] = change.Person.Locale is { } locale ? Wire.Name(locale) : null;
        }
        if (assignTherapist) patient["therapistId"] = therapist.TherapistId;
        var appointment = new JsonObject { ["id"] = change.AppointmentId };
        if (change.StartsAt is { } startsAt) appointment["startsAt"] = VendorText.Iso(startsAt);
        if (therapist.Named) appointment["therapistId"] = therapist.TherapistId;
        return new JsonObject
        {
            ["id"] = change.EventId,
            ["type"] = Wire.Name(change.Type),
            ["occurredAt"] = VendorText.Iso(change.OccurredAt),
            ["patient"] = patient,
            ["appointment"] = appointment,
        };
    }

    /// <summary>Reported on the mapping row for the admin API; written only when a key is new there.</summary>
    private async Task RecordUnmappedAsync(string practiceId, Versioned<TherapistMapping>? first, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var seenAt = time.GetUtcNow();
        var read = first;
        var fresh = true;
        await PatientSaver.WithOptimisticRetryAsync(async () =>
        {
            var current = fresh ? read : await practices.GetTherapistMappingAsync(practiceId, cancellationToken).ConfigureAwait(false);
            fresh = false;
            var next = TherapistKeys.WithUnmapped(current?.Value ?? new TherapistMapping { PracticeId = practiceId }, keys, seenAt);
            if (next is null) return false;
            if (current is not null) await practices.UpdateTherapistMappingAsync(next, current.ETag, cancellationToken).ConfigureAwait(false);
            else await practices.CreateTherapistMappingAsync(next, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vendor webhook signature rejected: source={Source} practiceRef={PracticeRef} reason={Reason}")]
    private partial void LogRejected(string source, string practiceRef, SignatureCheck reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acuity API unavailable: practiceId={PracticeId}")]
    private partial void LogAcuityUnavailable(string practiceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acuity appointment not found: practiceId={PracticeId}")]
    private partial void LogAcuityNotFound(string practiceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Acuity API refused the credentials: practiceId={PracticeId} status={Status}")]
    private partial void LogAcuityRefused(string practiceId, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Acuity appointment unreadable: practiceId={PracticeId} fields={Fields}")]
    private partial void LogAcuityUnreadable(string practiceId, string fields);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Booking therapist not mapped: practiceId={PracticeId} source={Source} keyRefs={KeyRefs} fallbackTherapistId={FallbackTherapistId}")]
    private partial void LogUnmapped(string practiceId, string source, string keyRefs, string? fallbackTherapistId);
}
