// GDPR export (SPEC §9): everything held about one patient of one practice, and nothing about anyone else.
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Admin;

public sealed partial class PatientExport(
    IPatientStore patients,
    IAppointmentStore appointments,
    IOutreachLedger ledger,
    IFeedbackStore feedback,
    ISuppressionStore suppressions,
    TimeProvider time,
    ILogger<PatientExport> logger)
{
    public const string Format = "reengage.patient-export.v1";

    /// <summary>What else the app keeps, and why it is not personal data about this patient.</summary>
    public static IReadOnlyList<string> Notes { get; } =
    [
        "Booking-tool events are kept 30 days for de-duplication, keyed by the booking tool's event id, with a hash of the body: they hold no personal data.",
        "The suppression list holds salted hashes of addresses only, never the addresses themselves.",
        "The message index maps each email's ACS message id (the operationId of the outreach rows above) to its outreach row, and holds nothing else.",
        "Outreach rows whose content was erased (after the retention period) carry a pseudonym instead of the patient id and are not part of this export.",
    ];

    /// <summary>Null when nothing is held about the patient in this practice.</summary>
    public async Task<PatientExportJson?> ExportAsync(Practice practice, string patientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practice);
        var patient = await patients.GetPatientAsync(practice.Id, patientId, cancellationToken).ConfigureAwait(false);
        var visits = await CollectAsync(appointments.ListAppointmentsAsync(practice.Id, patientId, cancellationToken)).ConfigureAwait(false);
        var rows = await CollectAsync(ledger.ListOutreachForPatientAsync(practice.Id, patientId, cancellationToken)).ConfigureAwait(false);
        var answers = await CollectAsync(feedback.ListFeedbackForPatientAsync(practice.Id, patientId, cancellationToken)).ConfigureAwait(false);
        if (patient is null && visits.Count + rows.Count + answers.Count == 0) return null;
        var email = patient?.Value.Email;
        var entry = string.IsNullOrEmpty(email)
            ? null
            : await suppressions.GetSuppressionAsync(practice.Id, Ids.AddressHashOf(practice.Id, email), cancellationToken).ConfigureAwait(false);
        LogExported(logger, practice.Id, Ids.HashForLog($"{practice.Id}/{patientId}"));
        return new PatientExportJson(
            Format,
            practice.Id,
            patientId,
            time.GetUtcNow(),
            patient is null ? null : AdminViews.Patient(patient.Value),
            [.. visits.Select(AdminViews.Appointment)],
            [.. rows.Select(AdminViews.Outreach)],
            [.. answers.Select(AdminViews.Feedback)],
            new SuppressionStatusJson(
                string.IsNullOrEmpty(email) ? null : entry is not null,
                entry is null ? null : Wire.Name(entry.Reason),
                entry?.At),
            Notes);
    }

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        await foreach (var item in items.ConfigureAwait(false)) all.Add(item);
        return all;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "patient exported {PracticeId} {PatientRef}")]
    private static partial void LogExported(ILogger logger, string practiceId, string patientRef);
}
