// The final table: one line per ledger row of the demo week (or per patient with none), read back from the app's
// storage and checked against the outbox files; nothing in it is computed from what the demo expected.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Reengage.Core.Calendar;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Spectre.Console;

namespace Reengage.Demo;

internal sealed class Report(IReadOnlyList<string[]> lines)
{
    private static readonly string[] Header = ["patient", "therapist", "template", "lang", "local send time", "outcome"];
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    public static async Task<Report> BuildAsync(IServiceProvider services, IReadOnlyList<DemoPatient> patients, DateTimeOffset weekStart,
        DateTimeOffset now, string outboxDirectory, CancellationToken cancellationToken)
    {
        var practices = services.GetRequiredService<IPracticeStore>();
        var practice = (await practices.GetPracticeAsync(DemoData.PracticeId, cancellationToken)
            ?? throw new DemoException("the practice is missing from storage")).Value;
        var patientStore = services.GetRequiredService<IPatientStore>();
        var rows = new List<OutreachRow>();
        await foreach (var row in services.GetRequiredService<IOutreachLedger>().ListOutreachAsync(practice.Id, cancellationToken))
        {
            if (row.PlannedAt >= weekStart)
            {
                rows.Add(row);
            }
        }
        var emlFiles = Directory.EnumerateFiles(outboxDirectory, "*.eml").Select(Path.GetFileName).ToList();
        var calendar = PracticeCalendar.For(practice);
        var zone = Cadence.ZoneOf(practice);
        var therapistNames = DemoData.Therapists.ToDictionary(t => t.Id, t => t.DisplayName);
        var lines = new List<string[]>();
        foreach (var demo in patients)
        {
            var stored = (await patientStore.GetPatientAsync(practice.Id, demo.Id, cancellationToken))?.Value;
            var therapistId = stored?.TherapistId ?? demo.TherapistId;
            string[] who = [demo.Label, therapistNames.GetValueOrDefault(therapistId, therapistId)];
            var mine = rows.Where(r => r.PatientId == demo.Id).OrderBy(r => r.NotBefore).ToList();
            if (mine.Count == 0)
            {
                lines.Add([.. who, "—", stored?.Locale is { } locale ? Wire.Name(locale) : "—", "", NotPlannedReason(practice, stored, now, zone)]);
                continue;
            }
            foreach (var row in mine)
            {
                var skipped = OutreachStatus.IsSkipped(row.Status);
                var outcome = skipped ? "skipped: " + row.Status[OutreachStatus.SkippedPrefix.Length..].Replace('_', ' ')
                    : row.Status == OutreachStatus.HeldOut ? "held out (control group)"
                    : row.Status;
                // The app has one reason for both; the patient row says whether the booking came after the planning.
                if (row.Status == Eligibility.SkippedStatusOf(SkipReason.Booked) && stored?.LastBookedAt > row.PlannedAt)
                {
                    outcome += " since it was planned";
                }
                if (row.Status is OutreachStatus.Sent or OutreachStatus.Delivered)
                {
                    var plannedDay = calendar.LocalDateOf(row.PlannedAt);
                    if (Deferral(calendar, practice, plannedDay, calendar.LocalDateOf(row.NotBefore)) is { } deferral)
                    {
                        outcome += ", " + deferral;
                    }
                    if (!emlFiles.Any(f => f!.Contains(row.OperationId, StringComparison.OrdinalIgnoreCase)))
                    {
                        outcome += " (but no .eml file in the outbox)";
                    }
                }
                var campaign = row.Campaign == Campaign.Lapse ? $"step {row.Step}" : Wire.Name(row.Campaign);
                lines.Add([
                    .. who,
                    $"{(int)row.TemplateId} {Wire.Name(row.TemplateId)} ({campaign})",
                    Wire.Name(row.Locale),
                    skipped ? "" : Instant.FromDateTimeOffset(row.NotBefore).InZone(zone).ToString("ddd dd/MM HH:mm", French),
                    outcome,
                ]);
            }
        }
        return new Report(lines);
    }

    private static string? Deferral(PracticeCalendar calendar, Practice practice, DateOnly plannedDay, DateOnly sendDay)
    {
        if (sendDay <= plannedDay)
        {
            return null;
        }
        if (PublicHolidays.HolidayOn(practice.Country, plannedDay) is { } holiday)
        {
            return $"due on a public holiday ({holiday.Name}), moved to the next working day";
        }
        return calendar.IsWorkingDay(plannedDay) ? null : "due on a weekend, moved to Monday";
    }

    private static string NotPlannedReason(Practice practice, Patient? patient, DateTimeOffset now, DateTimeZone zone)
    {
        if (patient is null)
        {
            return "not in Reengage";
        }
        if (patient.CareStatus == CareStatus.Discharged)
        {
            return "not written to: discharged";
        }
        if (patient.NextBookingAt is { } booking && booking > now)
        {
            return $"not written to: booked for {Instant.FromDateTimeOffset(booking).InZone(zone).ToString("dd/MM", French)}";
        }
        return Cadence.NextActionFor(practice, patient, Cadence.LocalDateOf(now, zone), now) switch
        {
            NextAction.Wait wait => $"nothing due yet (next on {wait.DueDate.ToString("dd/MM", French)})",
            _ => "nothing due",
        };
    }

    public void Print(bool interactive)
    {
        if (interactive)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var column in Header)
            {
                table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
            }
            foreach (var line in lines)
            {
                table.AddRow(line.Select((cell, i) => (Spectre.Console.Rendering.IRenderable)new Text(cell, StyleOf(i, cell))).ToArray());
            }
            AnsiConsole.Write(table);
            return;
        }
        // Not a terminal (CI, a pipe, a file): plain columns that any viewer shows as they are.
        var widths = Header.Select((h, i) => Math.Max(h.Length, lines.Select(l => l[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Format(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
        Console.WriteLine(Format(Header));
        Console.WriteLine(string.Join("  ", widths.Select(w => new string('─', w))));
        foreach (var line in lines)
        {
            Console.WriteLine(Format(line));
        }
    }

    private static Style StyleOf(int column, string cell) => column != 5 ? Style.Plain
        : cell.StartsWith("sent", StringComparison.Ordinal) || cell.StartsWith("delivered", StringComparison.Ordinal) ? new Style(Color.Green)
        : cell.StartsWith("held out", StringComparison.Ordinal) ? new Style(Color.Blue)
        : cell.StartsWith("skipped", StringComparison.Ordinal) || cell.StartsWith("not written", StringComparison.Ordinal) ? new Style(Color.Yellow)
        : Style.Plain;
}
