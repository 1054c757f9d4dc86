// Patient import (CSV): a dry run that says what each line would change, and an all-or-nothing apply that writes
// through the booking-event path (BookingIngestion), so imported patients follow the webhook's rules.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Import;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Booking;
using Reengage.Functions.Patients;

namespace Reengage.Functions.Import;

/// <summary>Where an import stands: <c>checking</c> lines against what is stored, or <c>writing</c> them (apply only).</summary>
public sealed record ImportProgress(string Phase, int Done, int Total);

public sealed record ImportRequest(bool DryRun, ImportFileOptions Options, IProgress<ImportProgress>? Progress = null);

public sealed partial class PatientImport(
    IPracticeStore practices,
    IPatientStore patients,
    IAppointmentStore appointments,
    ISuppressionStore suppressions,
    PatientSaver saver,
    BookingIngestion ingestion,
    TimeProvider time,
    ILogger<PatientImport> logger)
{
    /// <summary>Patients read or written at once: enough to hide storage latency, few enough not to be throttled.</summary>
    public const int Concurrency = 16;

    /// <summary>From this many lines on, the practice's patients and suppressed addresses are read in one scan each.</summary>
    public const int BulkReadLines = 500;

    /// <summary>
    /// Validates the whole file before anything is written: one invalid line (or a file-level problem) and the answer is
    /// <c>invalid</c> with every problem listed, and nothing is written. Otherwise each line is compared with the stored
    /// patient and appointments; lines that change something become booking events with ids derived from their content
    /// and the state they apply to, so the same file imported again changes nothing and writes nothing.
    /// </summary>
    public async Task<ImportReportJson> ImportAsync(Practice practice, string text, CsvEncoding encoding, ImportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var therapists = new List<ImportTherapist>();
        await foreach (var t in practices.ListTherapistsAsync(practice.Id, cancellationToken).ConfigureAwait(false))
        {
            therapists.Add(new ImportTherapist(t.Id, t.DisplayName));
        }
        var validated = CsvImport.Validate(text, new ImportContext(practice.TimeZone, now, therapists), request.Options);

        var plans = new LinePlan?[validated.Lines.Count];
        var suppressedLines = new bool[validated.Lines.Count];
        var valid = Enumerable.Range(0, validated.Lines.Count).Where(i => validated.Lines[i].Patient is not null).ToList();
        var bulk = valid.Count >= BulkReadLines;
        var stored = bulk ? await ReadPatientsAsync(practice.Id, cancellationToken).ConfigureAwait(false) : null;
        var suppressed = bulk ? await ReadSuppressionsAsync(practice.Id, cancellationToken).ConfigureAwait(false) : null;
        var checkedCount = 0;
        await Parallel.ForEachAsync(valid, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (index, ct) =>
        {
            var imported = validated.Lines[index].Patient!;
            var patient = stored is not null
                ? stored.GetValueOrDefault(imported.Id)
                : (await patients.GetPatientAsync(practice.Id, imported.Id, ct).ConfigureAwait(false))?.Value;
            var (plan, isSuppressed) = await PlanLineAsync(practice, imported, patient, suppressed, now, ct).ConfigureAwait(false);
            plans[index] = plan;
            suppressedLines[index] = isSuppressed;
            request.Progress?.Report(new ImportProgress("checking", Interlocked.Increment(ref checkedCount), valid.Count));
        }).ConfigureAwait(false);

        var invalid = validated.FileErrors.Count > 0 || validated.Lines.Any(l => l.Patient is null);
        var outcome = invalid ? "invalid" : request.DryRun ? "dry_run" : "applied";
        if (outcome == "applied")
        {
            var writes = plans.Where(p => p is { Events.Count: > 0 }).Select(p => p!).ToList();
            var written = 0;
            await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (plan, ct) =>
            {
                // One line's events in order (cancellations, the visit, the booking): they touch the same patient.
                foreach (var bookingEvent in plan.Events)
                {
                    var bodyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(bookingEvent.ToString())));
                    await ingestion.ApplyAsync(practice, WebhookSource.Generic, bookingEvent, bodyHash, ct).ConfigureAwait(false);
                }
                request.Progress?.Report(new ImportProgress("writing", Interlocked.Increment(ref written), writes.Count));
            }).ConfigureAwait(false);
        }

        var lines = validated.Lines.Select((line, index) => LineReport(line, plans[index], suppressedLines[index])).ToList();
        int Count(string action) => lines.Count(l => l.Action == action);
        var report = new ImportReportJson
        {
            PracticeId = practice.Id,
            Outcome = outcome,
            DryRun = request.DryRun,
            Encoding = Wire.Name(encoding),
            Separator = validated.Separator.ToString(),
            Columns = validated.Columns.ToDictionary(c => ImportFields.Name(c.Key), c => c.Value),
            IgnoredColumns = validated.IgnoredColumns,
            FileErrors = [.. validated.FileErrors.Select(e => new FileErrorJson(e.Line, e.Message))],
            Totals = new ImportTotalsJson(lines.Count, Count("create"), Count("update"), Count("unchanged"), Count("invalid"), lines.Count(l => l.Suppressed == true)),
            Lines = lines,
        };
        LogImported(practice.Id, outcome, report.Totals.Lines, report.Totals.Create, report.Totals.Update, report.Totals.Unchanged, report.Totals.Invalid,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return report;
    }

    private static LineReportJson LineReport(ImportLine line, LinePlan? plan, bool suppressed)
    {
        if (line.Patient is null || plan is null)
        {
            return new LineReportJson(line.Line, line.PatientId, "invalid",
                Errors: [.. line.Errors.Select(e => new LineErrorJson(e.Field is { } f ? ImportFields.Name(f) : null, e.Column, e.Message))]);
        }
        return new LineReportJson(
            line.Line,
            line.PatientId,
            Wire.Name(plan.Action),
            Fields: plan.Action == LineAction.Update ? [.. plan.Fields.Select(ImportFields.Name)] : null,
            Suppressed: suppressed ? true : null);
    }

    private async Task<(LinePlan Plan, bool Suppressed)> PlanLineAsync(
        Practice practice, ImportedPatient imported, Patient? storedPatient, HashSet<string>? suppressed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The stored summary (last visit, next booking) answers most lines; the appointments are listed only when the
        // file's next appointment is not the booking already known.
        var stored = storedPatient is null ? null : await saver.RefreshVisitsAsync(storedPatient, now, cancellationToken).ConfigureAwait(false);
        var list = new List<Appointment>();
        if (stored is not null && imported.NextBookingAt is { } next
            && !(stored.NextBookingAt is { } known && ImportPlanning.IsSameBooking(practice, next, known)))
        {
            await foreach (var a in appointments.ListAppointmentsAsync(practice.Id, imported.Id, cancellationToken).ConfigureAwait(false)) list.Add(a);
        }
        var plan = ImportPlanning.Plan(practice, imported, stored, list, now);
        // Reported only; the ingestion checks the list again when it writes the address.
        if (plan.Email is not { } email || stored?.Suppressed == true) return (plan, false);
        var hash = Ids.AddressHashOf(practice.Id, email);
        var isSuppressed = suppressed is not null
            ? suppressed.Contains(hash)
            : await suppressions.GetSuppressionAsync(practice.Id, hash, cancellationToken).ConfigureAwait(false) is not null;
        return (plan, isSuppressed);
    }

    private async Task<Dictionary<string, Patient>> ReadPatientsAsync(string practiceId, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Patient>(StringComparer.Ordinal);
        await foreach (var p in patients.ListPatientsAsync(practiceId, cancellationToken).ConfigureAwait(false)) found[p.Id] = p;
        return found;
    }

    private async Task<HashSet<string>> ReadSuppressionsAsync(string practiceId, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in suppressions.ListSuppressionsAsync(practiceId, cancellationToken).ConfigureAwait(false)) found.Add(entry.AddressHash);
        return found;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Patient import: practiceId={PracticeId} outcome={Outcome} lines={Lines} created={Created} updated={Updated} unchanged={Unchanged} invalid={Invalid} durationInMs={DurationInMs}")]
    private partial void LogImported(string practiceId, string outcome, int lines, int created, int updated, int unchanged, int invalid, long durationInMs);
}
