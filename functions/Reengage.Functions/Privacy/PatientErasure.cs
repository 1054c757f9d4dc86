// GDPR erasure (SPEC §9): a patient's personal data goes; anonymous statistics and the suppressed address hash stay.
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;
using Reengage.Functions.Patients;

namespace Reengage.Functions.Privacy;

/// <summary>What an erasure did. A closed set: match on the two cases.</summary>
public abstract record ErasureResult
{
    private ErasureResult()
    {
    }

    /// <param name="SuppressionAdded">Whether this erasure put the address on the suppression list (false: it already was, or none).</param>
    public sealed record Erased(int OutreachRows, int Appointments, int Feedback, bool SuppressionAdded) : ErasureResult;

    /// <summary>Nothing is held about the patient in this practice (never known, or already erased).</summary>
    public sealed record NotFound : ErasureResult;
}

public sealed partial class PatientErasure(
    IPatientStore patients,
    IAppointmentStore appointments,
    IOutreachLedger ledger,
    IFeedbackStore feedback,
    ISuppressionStore suppressions,
    IDueIndex dueIndex,
    LedgerRowEraser eraser,
    PseudonymKeys pseudonymKeys,
    TimeProvider time,
    ILogger<PatientErasure> logger)
{
    /// <summary>
    /// Erases a patient: the patient row (with its address index entries), its DueIndex row, appointments and feedback
    /// are deleted; ledger rows lose their personal content but stay, under a pseudonym keyed by the practice's secret pseudonym key, for the practice's statistics;
    /// planned emails become <c>skipped:patient_erased</c>. The address stays on the suppression list as a salted hash,
    /// so a patient imported again is never written to.
    /// <para>
    /// The order makes a crash harmless: first the address is suppressed and the patient flagged so that nothing is sent
    /// or planned meanwhile; the patient row, through which the address and the DueIndex row are found, goes last; every
    /// other piece is found again by the patient id until it is gone. Calling it again finishes an interrupted erasure.
    /// </para>
    /// </summary>
    public async Task<ErasureResult> EraseAsync(Practice practice, string patientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practice);
        var now = time.GetUtcNow();
        var patient = await patients.GetPatientAsync(practice.Id, patientId, cancellationToken).ConfigureAwait(false);
        var visits = await CollectAsync(appointments.ListAppointmentsAsync(practice.Id, patientId, cancellationToken)).ConfigureAwait(false);
        var rows = await CollectAsync(ledger.ListOutreachForPatientAsync(practice.Id, patientId, cancellationToken)).ConfigureAwait(false);
        var answers = await CollectAsync(feedback.ListFeedbackForPatientAsync(practice.Id, patientId, cancellationToken)).ConfigureAwait(false);
        if (patient is null && visits.Count + rows.Count + answers.Count == 0) return new ErasureResult.NotFound();

        var suppressionAdded = false;
        if (patient?.Value.Email is { Length: > 0 } email)
        {
            var addressHash = Ids.AddressHashOf(practice.Id, email);
            // An existing entry keeps its reason (unsubscribed, bounced): it says more than the erasure does.
            if (await suppressions.GetSuppressionAsync(practice.Id, addressHash, cancellationToken).ConfigureAwait(false) is null)
            {
                await suppressions.UpsertSuppressionAsync(new SuppressionEntry(practice.Id, addressHash, SuppressionReason.Suppressed, now), cancellationToken).ConfigureAwait(false);
                suppressionAdded = true;
            }
            await FlagSuppressedAsync(practice.Id, patientId, cancellationToken).ConfigureAwait(false);
        }
        foreach (var answer in answers)
        {
            await feedback.DeleteFeedbackAsync(practice.Id, answer.OutreachId, cancellationToken).ConfigureAwait(false);
        }
        if (rows.Count > 0)
        {
            var key = await pseudonymKeys.GetOrCreateAsync(practice.Id, cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                await eraser.EraseAsync(row, key, now, FeedbackOnErasure.Delete, cancellationToken).ConfigureAwait(false);
            }
        }
        foreach (var visit in visits)
        {
            await appointments.DeleteAppointmentAsync(practice.Id, patientId, visit.Id, cancellationToken).ConfigureAwait(false);
        }
        // Read again: a planner may have moved the index row since the first read.
        var latest = await patients.GetPatientAsync(practice.Id, patientId, cancellationToken).ConfigureAwait(false);
        foreach (var day in new[] { patient?.Value.DueDay, latest?.Value.DueDay }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            await dueIndex.DeleteDueAsync(new DueEntry(day, practice.Id, patientId), cancellationToken).ConfigureAwait(false);
        }
        // Also when the row is already gone: the store removes any address index entry still naming the patient.
        await patients.DeletePatientAsync(practice.Id, patientId, cancellationToken).ConfigureAwait(false);
        LogErased(logger, practice.Id, Ids.HashForLog($"{practice.Id}/{patientId}"), rows.Count, visits.Count, answers.Count);
        return new ErasureResult.Erased(rows.Count, visits.Count, answers.Count, suppressionAdded);
    }

    /// <summary>From the first step on, the planners and the sender leave the patient alone (eligibility: suppressed).</summary>
    private Task FlagSuppressedAsync(string practiceId, string patientId, CancellationToken cancellationToken) =>
        PatientSaver.WithOptimisticRetryAsync(async () =>
        {
            var current = await patients.GetPatientAsync(practiceId, patientId, cancellationToken).ConfigureAwait(false);
            if (current is null || current.Value.Suppressed) return false;
            await patients.UpdatePatientAsync(current.Value with { Suppressed = true }, current.ETag, cancellationToken).ConfigureAwait(false);
            return true;
        });

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        await foreach (var item in items.ConfigureAwait(false)) all.Add(item);
        return all;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "patient erased {PracticeId} {PatientRef} outreachRows={OutreachRows} appointments={Appointments} feedback={Feedback}")]
    private static partial void LogErased(ILogger logger, string practiceId, string patientRef, int outreachRows, int appointments, int feedback);
}
