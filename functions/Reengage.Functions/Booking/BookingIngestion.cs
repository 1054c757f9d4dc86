using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Patients;

namespace Reengage.Functions.Booking;

// Authenticates a generic booking webhook, then applies its event to the patient and its appointments (SPEC §8).
//
// Idempotency by event id, with few storage requests. The patient and all its appointments are read first (two
// requests), then the event id is recorded by one insert whose conflict means "seen", then the merge's writes follow.
// BookingMerge is commutative and idempotent, which is what makes this safe and cheap:
//
//   - The record is written before any effect. A crash after it leaves an id recorded whose effects may be missing.
//   - When the patient existed, the id is recorded `applied` at once, and a redelivery is merged again: the merge of an
//     event whose effects are all in place changes nothing (compared with the stored patient, its visits brought up to
//     date), which is exactly a duplicate: answered 200 and nothing written. An event whose effects are partly missing
//     (a crash between the appointment and the patient write) writes what is missing and is answered 202.
//   - When the patient did not exist (a new patient), the id is recorded `received` and marked `applied` once the
//     patient is saved (one more request, off the common path). A redelivery that finds no patient reads the record:
//     `applied` means the patient was created and deleted since (a `patient.deleted`), so the event is a duplicate and
//     must not bring the patient back; `received` means the first delivery died before the patient existed: apply.
//   - `patient.deleted` is a reset, not a merge: recorded `received`, marked `applied` when done; a redelivery applies
//     again only while `received` (so an old deletion redelivered never erases a patient created after it).
//   - Rebooking attribution goes before the appointment write: the merge only asks for it while the appointment has
//     not recorded the booking, so a crash after the appointment write would lose it; attributing twice is a no-op.
//
// Concurrent writers (two deliveries of one event, or two events of one patient) meet the ETag guards: the whole
// read-merge-write runs again on PreconditionFailed/Conflict (PatientSaver.WithOptimisticRetryAsync), the record
// being inserted once across the attempts.
//
// The common path (a booking for a known patient whose due day does not move) costs five requests with the practice
// cached: read patient, list appointments, record the id, create the appointment, replace the patient. The ledger is
// listed only when the patient's touch log shows a touch near the booking.
/// <summary>The generic booking webhook's use case: signature, parse, idempotent apply.</summary>
public sealed partial class BookingIngestion(
    IPracticeStore practices,
    IPatientStore patients,
    IAppointmentStore appointments,
    IInboundEventStore inboundEvents,
    IOutreachLedger ledger,
    IDueIndex dueIndex,
    ISuppressionStore suppressions,
    PatientSaver saver,
    TimeProvider time,
    ILogger<BookingIngestion> logger)
{
    // Verifying against a throwaway secret when the practice is unknown makes both cases cost and answer alike.
    private const string UnknownPracticeSecret = "reengage-unknown-practice";

    // A touch is the email's notBefore; it may have gone out later, so the ledger is listed for touches a little older
    // than the window too (Rebooking.ChooseRow then applies the exact rule to the send time).
    private static readonly TimeSpan TouchLookback = Rebooking.AttributionWindow * 2;

    /// <summary>
    /// Authenticates <paramref name="rawBody"/> with <paramref name="signatureHeader"/> against the practice's generic
    /// secrets (current, and previous within its grace), then parses, validates and applies it.
    /// </summary>
    public async Task<WebhookOutcome> ReceiveGenericAsync(string practiceId, string? signatureHeader, ReadOnlyMemory<byte> rawBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practiceId);
        var (practice, secrets) = await PracticeAndSecretsAsync(practiceId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var candidates = secrets?.Webhooks.TryGetValue(WebhookSource.Generic, out var secret) == true
            ? WebhookSecrets.AcceptedSecrets(secret, now)
            : [];
        var check = WebhookSignature.Verify(signatureHeader, rawBody.Span, candidates.Count > 0 ? candidates : [UnknownPracticeSecret], now);
        if (check != SignatureCheck.Valid || practice is null || candidates.Count == 0)
        {
            var reason = check == SignatureCheck.Valid ? SignatureCheck.Mismatch : check;
            LogRejected(Ids.HashForLog(practiceId), reason);
            return new WebhookOutcome.Unauthorized(WebhookSignature.HeaderName, reason);
        }

        switch (GenericBookingEventParser.Parse(rawBody.Span))
        {
            case BookingEventParse.NotJson:
                return new WebhookOutcome.InvalidJson();
            case BookingEventParse.TooLarge:
                return new WebhookOutcome.TooLarge();
            case BookingEventParse.Invalid invalid:
                return new WebhookOutcome.Invalid("booking event", invalid.Problems);
            case BookingEventParse.Valid valid:
                try
                {
                    return await ApplyAsync(practice, valid.Event, Convert.ToHexStringLower(SHA256.HashData(rawBody.Span)), cancellationToken).ConfigureAwait(false);
                }
                catch (ReengageException e) when (e.Code == ErrorCode.InvalidInput)
                {
                    // A value storage refuses (a key too long once encoded) is refused before anything is written: keys
                    // are checked when a write is prepared, and the event record is the first write.
                    return new WebhookOutcome.Invalid("booking event", [new FieldProblem("(body)", e.Message)]);
                }
            default:
                throw new InvalidOperationException("Unknown parse result.");
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

    /// <summary>Applies a validated event of the generic source; see the header comment for how redeliveries and crashes are handled.</summary>
    public Task<WebhookOutcome> ApplyAsync(Practice practice, GenericBookingEvent bookingEvent, string bodyHash, CancellationToken cancellationToken) =>
        ApplyAsync(practice, WebhookSource.Generic, bookingEvent, bodyHash, cancellationToken);

    /// <summary>Applies a validated event (a vendor's, once made canonical), its id recorded under <paramref name="source"/>.</summary>
    public async Task<WebhookOutcome> ApplyAsync(Practice practice, WebhookSource source, GenericBookingEvent bookingEvent, string bodyHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(bookingEvent);
        var patientRef = Ids.HashForLog($"{practice.Id}/{bookingEvent.Patient.Id}");
        if (bookingEvent.Type == BookingEventType.PatientDeleted)
        {
            return await DeletePatientAsync(practice, source, bookingEvent, bodyHash, patientRef, cancellationToken).ConfigureAwait(false);
        }

        var record = NewRecord(practice.Id, source, bookingEvent, bodyHash);
        // Across optimistic attempts: whether the id was recorded by this delivery, and the record's ETag when it has
        // to be marked applied.
        bool? recordedNow = null;
        string? pendingEtag = null;
        var outcome = await PatientSaver.WithOptimisticRetryAsync<WebhookOutcome>(async () =>
        {
            var now = time.GetUtcNow();
            var (stored, list) = await ReadPatientAsync(practice.Id, bookingEvent.Patient.Id, cancellationToken).ConfigureAwait(false);
            if (recordedNow is null)
            {
                var etag = await inboundEvents.RecordIfNewAsync(
                    record with { Status = stored is null ? InboundEventStatus.Received : InboundEventStatus.Applied },
                    cancellationToken).ConfigureAwait(false);
                recordedNow = etag is not null;
                pendingEtag = stored is null ? etag : null;
            }
            if (recordedNow == false && stored is null)
            {
                var earlier = await inboundEvents.GetEventAsync(practice.Id, source, bookingEvent.Id, cancellationToken).ConfigureAwait(false);
                if (earlier is null || earlier.Value.Status == InboundEventStatus.Applied) return new WebhookOutcome.Duplicate(bookingEvent.Id);
                pendingEtag = earlier.ETag;
            }

            if (BookingMerge.Apply(practice.Id, stored?.Value, list, bookingEvent, now) is not BookingOutcome.Applied applied)
            {
                throw new InvalidOperationException("Only patient.deleted resets, and it is handled above.");
            }
            if (recordedNow == false && stored is not null && IsInPlace(applied, stored, list, now))
            {
                // A new patient's first delivery may have died between saving the patient and marking its record:
                // mark it now, so that a redelivery after a later patient.deleted does not bring the patient back.
                var earlier = await inboundEvents.GetEventAsync(practice.Id, source, bookingEvent.Id, cancellationToken).ConfigureAwait(false);
                if (earlier is { Value.Status: InboundEventStatus.Received }) pendingEtag = earlier.ETag;
                return new WebhookOutcome.Duplicate(bookingEvent.Id);
            }
            await WriteAsync(practice, stored, list, applied, now, cancellationToken).ConfigureAwait(false);
            return new WebhookOutcome.Accepted(bookingEvent.Id);
        }).ConfigureAwait(false);

        if (pendingEtag is not null)
        {
            await MarkAppliedAsync(record, pendingEtag, cancellationToken).ConfigureAwait(false);
        }
        if (outcome is WebhookOutcome.Accepted) LogApplied(practice.Id, Wire.Name(bookingEvent.Type), patientRef);
        else LogDuplicate(practice.Id, Wire.Name(bookingEvent.Type), patientRef);
        return outcome;
    }

    /// <summary>Whether the event's effects are all stored: merging it changes nothing but what time alone changes (visits).</summary>
    private static bool IsInPlace(BookingOutcome.Applied applied, Versioned<Patient> stored, IReadOnlyList<Appointment> list, DateTimeOffset now) =>
        !applied.Changes.AppointmentChanged
        && applied.Changes.RebookedAt is null
        && applied.Patient == PatientRecords.RefreshVisits(stored.Value, list, now);

    private async Task WriteAsync(Practice practice, Versioned<Patient>? stored, IReadOnlyList<Appointment> listed, BookingOutcome.Applied applied, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var patient = applied.Patient;
        if (applied.Changes.AddressToCheck is { } address
            && await suppressions.GetSuppressionAsync(practice.Id, Ids.AddressHashOf(practice.Id, address), cancellationToken).ConfigureAwait(false) is not null)
        {
            // An address that unsubscribed or bounced stays suppressed, even for a patient erased and imported again.
            patient = patient with { Suppressed = true };
        }
        if (applied.Changes.RebookedAt is { } rebookedAt && HasTouchNear(patient, rebookedAt))
        {
            await AttributeRebookingAsync(practice.Id, patient.Id, rebookedAt, cancellationToken).ConfigureAwait(false);
        }
        if (applied.Appointment is { } appointment && applied.Changes.AppointmentChanged)
        {
            if (applied.Changes.AppointmentCreated)
            {
                await appointments.CreateAppointmentAsync(appointment, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // The listing carries no ETags: the row is read again for its own, and a change since the listing
                // fails the guard and sends the whole merge round again.
                var current = await appointments.GetAppointmentAsync(practice.Id, patient.Id, appointment.Id, cancellationToken).ConfigureAwait(false)
                    ?? throw new ReengageException(ErrorCode.PreconditionFailed, "The appointment went away since it was listed.");
                if (current.Value != listed.FirstOrDefault(a => a.Id == appointment.Id))
                {
                    throw new ReengageException(ErrorCode.PreconditionFailed, "The appointment moved on since it was listed.");
                }
                await appointments.UpdateAppointmentAsync(appointment, current.ETag, cancellationToken).ConfigureAwait(false);
            }
        }
        // Also when only an appointment changed: the patient's ETag is what fences a concurrent event that listed the
        // appointments before this change (its patient write then fails and it merges again).
        if (stored is null || patient != stored.Value || applied.Changes.AppointmentChanged)
        {
            await saver.SaveAsync(practice, patient, stored?.ETag, now, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool HasTouchNear(Patient patient, DateTimeOffset bookedAt) =>
        patient.TouchLog.Any(t => t.At <= bookedAt && bookedAt - t.At <= TouchLookback);

    /// <summary>A booking within 30 days after an email (or a held-out step) is recorded on the latest such ledger row (SPEC §8).</summary>
    private async Task AttributeRebookingAsync(string practiceId, string patientId, DateTimeOffset bookedAt, CancellationToken cancellationToken)
    {
        var rows = new List<OutreachRow>();
        await foreach (var row in ledger.ListOutreachForPatientAsync(practiceId, patientId, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }
        if (Rebooking.ChooseRow(rows, bookedAt) is not { } chosen) return;
        await PatientSaver.WithOptimisticRetryAsync(async () =>
        {
            var current = await ledger.GetOutreachAsync(practiceId, chosen.Id, cancellationToken).ConfigureAwait(false);
            if (current is null || Rebooking.Attribute(current.Value, bookedAt) is not { } credited) return false;
            await ledger.UpdateOutreachAsync(credited, current.ETag, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    private async Task<(Versioned<Patient>? Patient, IReadOnlyList<Appointment> Appointments)> ReadPatientAsync(string practiceId, string patientId, CancellationToken cancellationToken)
    {
        // The patient first, then its appointments: every appointment write is followed by a (conditional) patient
        // write, so a listing made after this read sees every appointment change of the patient version read, and a
        // change made since fails this attempt's patient write. Read together, a listing could predate a change whose
        // patient write this read already saw, and the patient would be saved from a stale listing (found by the
        // webhook load benchmark: lastVisitAt left on a cancelled booking).
        var patient = await patients.GetPatientAsync(practiceId, patientId, cancellationToken).ConfigureAwait(false);
        var list = await ListAsync(appointments.ListAppointmentsAsync(practiceId, patientId, cancellationToken)).ConfigureAwait(false);
        return (patient, list);
    }

    private static async Task<IReadOnlyList<T>> ListAsync<T>(IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        await foreach (var item in items.ConfigureAwait(false)) all.Add(item);
        return all;
    }

    /// <summary>
    /// The booking tool deleted the patient: its planned emails are skipped, its appointments, DueIndex row and profile
    /// deleted. (Full GDPR erasure, which also clears feedback and ledger fields, is the admin API's.)
    /// </summary>
    private async Task<WebhookOutcome> DeletePatientAsync(Practice practice, WebhookSource source, GenericBookingEvent bookingEvent, string bodyHash, string patientRef, CancellationToken cancellationToken)
    {
        var record = NewRecord(practice.Id, source, bookingEvent, bodyHash);
        var etag = await inboundEvents.RecordIfNewAsync(record, cancellationToken).ConfigureAwait(false);
        if (etag is null)
        {
            var earlier = await inboundEvents.GetEventAsync(practice.Id, source, bookingEvent.Id, cancellationToken).ConfigureAwait(false);
            if (earlier is null || earlier.Value.Status == InboundEventStatus.Applied)
            {
                LogDuplicate(practice.Id, Wire.Name(bookingEvent.Type), patientRef);
                return new WebhookOutcome.Duplicate(bookingEvent.Id);
            }
            etag = earlier.ETag;
        }

        var patientId = bookingEvent.Patient.Id;
        var rows = await ListAsync(ledger.ListOutreachForPatientAsync(practice.Id, patientId, cancellationToken)).ConfigureAwait(false);
        foreach (var row in rows.Where(r => r.Status == OutreachStatus.Planned))
        {
            await PatientSaver.WithOptimisticRetryAsync(async () =>
            {
                var current = await ledger.GetOutreachAsync(practice.Id, row.Id, cancellationToken).ConfigureAwait(false);
                if (current is null || PatientDeletion.Skip(current.Value) is not { } skipped) return false;
                await ledger.UpdateOutreachAsync(skipped, current.ETag, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        await foreach (var appointment in appointments.ListAppointmentsAsync(practice.Id, patientId, cancellationToken).ConfigureAwait(false))
        {
            await appointments.DeleteAppointmentAsync(practice.Id, patientId, appointment.Id, cancellationToken).ConfigureAwait(false);
        }
        var stored = await patients.GetPatientAsync(practice.Id, patientId, cancellationToken).ConfigureAwait(false);
        if (stored?.Value.DueDay is { } day)
        {
            await dueIndex.DeleteDueAsync(new DueEntry(day, practice.Id, patientId), cancellationToken).ConfigureAwait(false);
        }
        await patients.DeletePatientAsync(practice.Id, patientId, cancellationToken).ConfigureAwait(false);
        await MarkAppliedAsync(record, etag, cancellationToken).ConfigureAwait(false);
        LogApplied(practice.Id, Wire.Name(bookingEvent.Type), patientRef);
        return new WebhookOutcome.Accepted(bookingEvent.Id);
    }

    private InboundEventRecord NewRecord(string practiceId, WebhookSource source, GenericBookingEvent bookingEvent, string bodyHash) => new()
    {
        PracticeId = practiceId,
        Source = source,
        EventId = bookingEvent.Id,
        Type = Wire.Name(bookingEvent.Type),
        Status = InboundEventStatus.Received,
        ReceivedAt = time.GetUtcNow(),
        BodyHash = bodyHash,
    };

    private async Task MarkAppliedAsync(InboundEventRecord record, string etag, CancellationToken cancellationToken)
    {
        try
        {
            await inboundEvents.UpdateEventAsync(record with { Status = InboundEventStatus.Applied }, etag, cancellationToken).ConfigureAwait(false);
        }
        catch (ReengageException e) when (e.Code is ErrorCode.PreconditionFailed or ErrorCode.NotFound)
        {
            // A concurrent delivery of the same event marked it (or retention removed it): either way it is applied.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Booking webhook signature rejected: practiceRef={PracticeRef} reason={Reason}")]
    private partial void LogRejected(string practiceRef, SignatureCheck reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Booking event applied: practiceId={PracticeId} type={Type} patientRef={PatientRef}")]
    private partial void LogApplied(string practiceId, string type, string patientRef);

    [LoggerMessage(Level = LogLevel.Information, Message = "Booking event already applied: practiceId={PracticeId} type={Type} patientRef={PatientRef}")]
    private partial void LogDuplicate(string practiceId, string type, string patientRef);
}
