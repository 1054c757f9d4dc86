using Reengage.Core;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;

namespace Reengage.Functions.Patients;

/// <summary>
/// Saving a patient together with its DueIndex row. The rule: a patient's index row may be early, never late, and never
/// missing while something is due. <see cref="Patient.DueDay"/> names the row that exists.
/// <list type="bullet">
/// <item>A row is written only when there is none, or when the one there is later than the new due day; it is written
/// before the patient and the old one deleted after, so a crash leaves at worst a stale row, never none.</item>
/// <item>A row earlier than the due day (a booking pushed the next step back) or one no longer needed is left where it
/// is: the planner reads that day anyway, finds nothing due, and moves or removes the row then
/// (<see cref="IndexMove.Exact"/>). So a webhook that pushes the due day back costs no index request, and the planner pays
/// for the move once, on a day it reads that partition anyway.</item>
/// </list>
/// </summary>
public sealed class PatientSaver(IPatientStore patients, IDueIndex dueIndex, IAppointmentStore appointments)
{
    /// <summary>
    /// Creates the patient (when <paramref name="etag"/> is null) or replaces it conditionally, with its due day and touch
    /// log brought up to date at <paramref name="now"/>. Throws <see cref="ErrorCode.PreconditionFailed"/> or
    /// <see cref="ErrorCode.Conflict"/> when the patient changed meanwhile (see <see cref="WithOptimisticRetryAsync{T}"/>).
    /// </summary>
    public async Task<Versioned<Patient>> SaveAsync(Practice practice, Patient patient, string? etag, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await SaveAsync(practice, patient, etag, now, IndexMove.EarlyAllowed, cancellationToken).ConfigureAwait(false);

    /// <param name="move"><see cref="IndexMove.Exact"/> when the caller is the planner tidying the row it just read.</param>
    public async Task<Versioned<Patient>> SaveAsync(Practice practice, Patient patient, string? etag, DateTimeOffset now, IndexMove move, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(patient);
        var previousDay = patient.DueDay;
        var pruned = Planning.PruneTouches(patient, now);
        var trueDue = Cadence.DueDayFor(practice, pruned, now);
        // yyyyMMdd compares as text.
        var keepEarlier = move == IndexMove.EarlyAllowed && previousDay is not null
            && (trueDue is null || string.CompareOrdinal(previousDay, trueDue) <= 0);
        var dueDay = keepEarlier ? previousDay : trueDue;
        var next = pruned with { DueDay = dueDay, UpdatedAt = now };
        if (dueDay is not null && dueDay != previousDay)
        {
            await dueIndex.UpsertDueAsync(new DueEntry(dueDay, practice.Id, patient.Id), cancellationToken).ConfigureAwait(false);
        }
        var newEtag = etag is null
            ? await patients.CreatePatientAsync(next, cancellationToken).ConfigureAwait(false)
            : await patients.UpdatePatientAsync(next, etag, cancellationToken).ConfigureAwait(false);
        if (previousDay is not null && previousDay != dueDay)
        {
            await dueIndex.DeleteDueAsync(new DueEntry(previousDay, practice.Id, patient.Id), cancellationToken).ConfigureAwait(false);
        }
        return new Versioned<Patient>(next, newEtag);
    }

    /// <summary>Re-derives lastVisitAt / nextBookingAt when a booking has since become a visit (one listing, only then).</summary>
    public async Task<Patient> RefreshVisitsAsync(Patient patient, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        if (!PatientRecords.NeedsVisitRefresh(patient, now)) return patient;
        var list = new List<Appointment>();
        await foreach (var appointment in appointments.ListAppointmentsAsync(patient.PracticeId, patient.Id, cancellationToken).ConfigureAwait(false))
        {
            list.Add(appointment);
        }
        return PatientRecords.RefreshVisits(patient, list, now);
    }

    /// <summary>Runs an optimistic read-modify-write until it goes through without a concurrent change.</summary>
    public static async Task<T> WithOptimisticRetryAsync<T>(Func<Task<T>> attempt, int maxAttempts = 8)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (ReengageException e) when (e.Code is ErrorCode.PreconditionFailed or ErrorCode.Conflict && tries < maxAttempts)
            {
                // Someone else wrote the row since it was read: read again and redo the decision.
            }
        }
    }
}

/// <summary>How <see cref="PatientSaver.SaveAsync(Practice, Patient, string?, DateTimeOffset, IndexMove, CancellationToken)"/> treats the patient's index row.</summary>
public enum IndexMove
{
    /// <summary>Leave a row that is earlier than the due day (or no longer needed) for the planner to move.</summary>
    EarlyAllowed,
    /// <summary>Put the row exactly on the due day, or remove it: the planner, after reading the row.</summary>
    Exact,
}
