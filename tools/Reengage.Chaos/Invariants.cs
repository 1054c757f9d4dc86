// What must hold after a chaos run, read from the tables and from the ACS stand-in's own record (never from the app's
// memory): no step twice, every row visibly settled, nothing eligible silently dropped.
using Microsoft.Extensions.DependencyInjection;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Reengage.Testing;

namespace Reengage.Chaos;

public sealed record CheckResult
{
    public required IReadOnlyList<string> Violations { get; init; }
    public required int Emails { get; init; }
    /// <summary>Extra accepted POSTs of an operation id plus extra emails for one (patient, campaign, episode, step).</summary>
    public required int Duplicates { get; init; }
    public required IReadOnlyDictionary<string, int> RowsByStatus { get; init; }
    /// <summary>Rows still planned or sending after the final drain.</summary>
    public required IReadOnlyList<string> Leftovers { get; init; }
    /// <summary>Final status by practice/row id, to compare a faulty run with the same world without faults.</summary>
    public required IReadOnlyDictionary<string, string> Statuses { get; init; }
}

public static class Invariants
{
    private static readonly HashSet<string> Final = new(StringComparer.Ordinal)
    {
        OutreachStatus.Sent, "delivered", "bounced", OutreachStatus.Failed, OutreachStatus.HeldOut,
    };

    public static async Task<CheckResult> CheckAsync(IServiceProvider services, World world, IReadOnlyList<AcsRequestRecord> requests, IReadOnlyList<AcceptedEmail> sent, int pending, int poisoned)
    {
        var ledger = services.GetRequiredService<IOutreachLedger>();
        var patientStore = services.GetRequiredService<IPatientStore>();
        var rows = new List<OutreachRow>();
        var patients = new List<Patient>();
        foreach (var practice in world.Practices)
        {
            await foreach (var row in ledger.ListOutreachAsync(practice.Id)) rows.Add(row);
            await foreach (var patient in patientStore.ListPatientsAsync(practice.Id)) patients.Add(patient);
        }
        var violations = new List<string>();
        var byOperation = rows.ToDictionary(r => r.OperationId, StringComparer.OrdinalIgnoreCase);

        // 1. No email twice: per operation id (every POST ACS took, answered 202 or taken while its client had given up),
        // and per ledger key.
        var duplicates = 0;
        foreach (var group in requests.Where(r => r.Method == "POST" && r.OperationId is not null && r.Status is 202 or 0).GroupBy(r => r.OperationId!, StringComparer.OrdinalIgnoreCase))
        {
            var posts = group.Count();
            if (posts <= 1) continue;
            duplicates += posts - 1;
            var history = string.Join(", ", requests.Where(r => string.Equals(r.OperationId, group.Key, StringComparison.OrdinalIgnoreCase)).Select(r => $"{r.Method} {(r.Status == 0 ? "no answer" : r.Status)}"));
            violations.Add($"duplicate: ACS took operation {group.Key} {posts} times (row {byOperation.GetValueOrDefault(group.Key)?.Id ?? "?"}; requests: {history})");
        }
        var perKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var email in sent)
        {
            if (!byOperation.TryGetValue(email.OperationId, out var row))
            {
                violations.Add($"orphan email: operation {email.OperationId} matches no ledger row");
                continue;
            }
            var key = $"{row.PracticeId}/{row.Id}";
            perKey[key] = perKey.GetValueOrDefault(key) + 1;
            if (email.Body["headers"]?["X-Reengage-Outreach"]?.GetValue<string>() is not { } header || !header.Equals(row.OperationId, StringComparison.OrdinalIgnoreCase))
            {
                violations.Add($"email of row {row.Id} carries another X-Reengage-Outreach");
            }
            var patient = patients.FirstOrDefault(p => p.PracticeId == row.PracticeId && p.Id == row.PatientId);
            if (email.Body["recipients"]?["to"]?[0]?["address"]?.GetValue<string>() != patient?.Email)
            {
                violations.Add($"email of row {row.Id} went to another address than its patient's");
            }
            if (row.Status is not (OutreachStatus.Sent or "delivered" or "bounced"))
            {
                violations.Add($"email sent for row {row.Id} whose status is {row.Status}");
            }
        }
        foreach (var (key, count) in perKey.Where(p => p.Value > 1))
        {
            duplicates += count - 1;
            violations.Add($"duplicate: {count} emails for step {key}");
        }

        // 2. Every row settled, visibly, with its reason.
        var byStatus = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var leftovers = new List<string>();
        var sentOperations = sent.Select(e => e.OperationId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var row in rows)
        {
            byStatus[row.Status] = byStatus.GetValueOrDefault(row.Status) + 1;
            if (OutreachStatus.IsSkipped(row.Status))
            {
                if (row.Status.Length <= OutreachStatus.SkippedPrefix.Length) violations.Add($"row {row.Id} skipped without a reason");
                // Claimed then skipped: the send-time re-check disagreed with planning, though nothing happened meanwhile.
                if (row.Attempts > 0) violations.Add($"row {row.Id} planned, then {row.Status} at send time with nothing new");
            }
            else if (!Final.Contains(row.Status))
            {
                leftovers.Add($"{row.PracticeId}/{row.Id} ({row.Status}{(row.FailureReason is { } reason ? ", " + reason : "")})");
            }
            else if (row.Status == OutreachStatus.Failed && string.IsNullOrEmpty(row.FailureReason))
            {
                violations.Add($"row {row.Id} failed without a reason");
            }
            if (row.Status == OutreachStatus.Sent && !sentOperations.Contains(row.OperationId))
            {
                violations.Add($"row {row.Id} says sent but ACS never took operation {row.OperationId}");
            }
        }
        violations.AddRange(leftovers.Select(l => $"leftover: {l}"));
        if (pending > 0) violations.Add($"{pending} message(s) still on outreach-send");
        if (poisoned > 0) violations.Add($"{poisoned} message(s) still on the poison queue");

        // 3. Nothing eligible silently dropped, computed with the core functions.
        var rowIds = rows.Select(r => $"{r.PracticeId}/{r.Id}").ToHashSet(StringComparer.Ordinal);
        var now = world.PlanAt;
        foreach (var seeded in world.Patients)
        {
            var practice = world.Practices.Single(p => p.Id == seeded.Patient.PracticeId);
            var today = Cadence.TodayFor(practice, now);
            if (DueStep(seeded.Patient.Id, Cadence.NextActionFor(practice, seeded.Patient, today, now), today) is { } id && !rowIds.Contains($"{practice.Id}/{id}"))
            {
                violations.Add($"dropped: {seeded.Kind} patient {seeded.Patient.Id} was due {id} and has no ledger row");
            }
            var final = patients.FirstOrDefault(p => p.PracticeId == practice.Id && p.Id == seeded.Patient.Id);
            if (final is null)
            {
                violations.Add($"dropped: patient {seeded.Patient.Id} is gone");
                continue;
            }
            if (DueStep(final.Id, Cadence.NextActionFor(practice, final, today, now), today) is { } left)
            {
                violations.Add($"dropped: {seeded.Kind} patient {seeded.Patient.Id} is still due {left}");
            }
            if (seeded.Kind == PatientKind.SeasonalAudience && !rows.Any(r => r.PracticeId == practice.Id && r.PatientId == seeded.Patient.Id && r.Campaign == Campaign.Seasonal))
            {
                violations.Add($"dropped: seasonal audience patient {seeded.Patient.Id} has no seasonal row");
            }
        }

        return new CheckResult
        {
            Violations = violations,
            Emails = sent.Count,
            Duplicates = duplicates,
            RowsByStatus = byStatus,
            Leftovers = leftovers,
            Statuses = rows.ToDictionary(r => $"{r.PracticeId}/{r.Id}", r => r.Status, StringComparer.Ordinal),
        };
    }

    private static string? DueStep(string patientId, NextAction action, NodaTime.LocalDate today) => action switch
    {
        NextAction.Lapse lapse when lapse.DueDate <= today => new OutreachKey(patientId, Campaign.Lapse, lapse.Episode.Key, lapse.Step).Id,
        NextAction.Milestone milestone when milestone.DueDate <= today => new OutreachKey(patientId, Campaign.Milestone, milestone.Episode.Key, 1).Id,
        _ => null,
    };
}
