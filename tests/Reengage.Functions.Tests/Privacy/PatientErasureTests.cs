using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;

namespace Reengage.Functions.Tests.Privacy;

/// <summary>DELETE practices/{practiceId}/patients/{patientId} on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PatientErasureTests(AzuriteFixture fixture) : PrivacyTestBase(fixture)
{
    private const string PracticeId = "prac_gdpr";

    private async Task<string> SeededAsync()
    {
        var (key, _) = await SeedAsync(PracticeId);
        Clock.SetUtcNow(ErasedAt);
        return key;
    }

    [Fact]
    public async Task Leaves_no_trace_of_the_patient_in_any_table_but_the_suppressed_address_hash()
    {
        var key = await SeededAsync();
        Assert.NotEmpty(await PersonalTracesAsync(PracticeId));

        var answer = await EraseAsync(PracticeId, PatientId, key);

        Assert.Equal(204, answer.Status);
        Assert.Equal("", answer.Body);
        Assert.Equal([], await PersonalTracesAsync(PracticeId));
        Assert.Null(await Patients.GetPatientAsync(PracticeId, PatientId));
        Assert.Null(await Patients.FindPatientIdByEmailAsync(PracticeId, EmailOf(PracticeId, PatientId)));
        Assert.Empty(await CollectAsync(Appointments.ListAppointmentsAsync(PracticeId, PatientId)));
        Assert.DoesNotContain(await CollectAsync(DueIndex.ListDueAsync(DueDay)), e => e.PracticeId == PracticeId && e.PatientId == PatientId);
        Assert.Equal([NeighbourId], (await CollectAsync(Feedback.ListFeedbackAsync(PracticeId))).Select(f => f.PatientId));
        var hash = Ids.AddressHashOf(PracticeId, EmailOf(PracticeId, PatientId));
        Assert.Equal(new SuppressionEntry(PracticeId, hash, SuppressionReason.Suppressed, ErasedAt), await Suppressions.GetSuppressionAsync(PracticeId, hash));
    }

    [Fact]
    public async Task Keeps_each_ledger_row_for_the_statistics_under_one_pseudonym_without_personal_fields()
    {
        var key = await SeededAsync();
        var delivered = DeliveredRowOf(PracticeId, PatientId);
        var planned = PlannedRowOf(PracticeId, PatientId);

        await EraseAsync(PracticeId, PatientId, key);

        var pseudonym = await PseudonymOfAsync(PracticeId, PatientId);
        Assert.Matches("^erased-[0-9a-f]{32}$", pseudonym);
        var rows = await CollectAsync(Ledger.ListOutreachAsync(PracticeId));
        Assert.Equal(
            new[] { $"{NeighbourId}|lapse|2026-12-01|1", $"{NeighbourId}|lapse|2026-12-01|2", $"{pseudonym}|lapse|2026-12-01|1", $"{pseudonym}|lapse|2026-12-01|2" }.Order(StringComparer.Ordinal),
            rows.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(
            delivered with { PatientId = pseudonym, TherapistId = null, ErasedAt = ErasedAt },
            (await Ledger.GetOutreachAsync(PracticeId, $"{pseudonym}|lapse|2026-12-01|1"))!.Value);
        Assert.Equal(
            planned with { PatientId = pseudonym, TherapistId = null, Status = "skipped:patient_erased", ErasedAt = ErasedAt },
            (await Ledger.GetOutreachAsync(PracticeId, $"{pseudonym}|lapse|2026-12-01|2"))!.Value);
    }

    [Fact]
    public async Task Re_points_the_message_index_so_a_late_delivery_report_lands_on_the_kept_row()
    {
        var key = await SeededAsync();
        var delivered = DeliveredRowOf(PracticeId, PatientId);

        await EraseAsync(PracticeId, PatientId, key);

        Assert.Equal(new MessageIndexEntry(delivered.OperationId, PracticeId, await ErasedIdOfAsync(delivered)), await MessageIndex.GetMessageAsync(delivered.OperationId));
        var neighbour = DeliveredRowOf(PracticeId, NeighbourId);
        Assert.Equal(new MessageIndexEntry(neighbour.OperationId, PracticeId, neighbour.Id), await MessageIndex.GetMessageAsync(neighbour.OperationId));
    }

    [Fact]
    public async Task An_address_already_suppressed_keeps_its_earlier_reason()
    {
        var key = await SeededAsync();
        var hash = Ids.AddressHashOf(PracticeId, EmailOf(PracticeId, PatientId));
        var unsubscribed = new SuppressionEntry(PracticeId, hash, SuppressionReason.Unsubscribed, At("2027-01-03T08:00:00Z"));
        await Suppressions.UpsertSuppressionAsync(unsubscribed);

        Assert.Equal(204, (await EraseAsync(PracticeId, PatientId, key)).Status);

        Assert.Equal(unsubscribed, await Suppressions.GetSuppressionAsync(PracticeId, hash));
    }

    [Fact]
    public async Task Touches_no_other_patient_and_no_other_practice()
    {
        var (key, otherKey) = await SeedAsync(PracticeId);
        var neighbourBefore = (await ExportAsync(PracticeId, NeighbourId, key)).Json!;
        var namesakeBefore = (await ExportAsync(OtherId, PatientId, otherKey)).Json!;
        var otherRowsBefore = (await AllRowsAsync()).Where(l => l.Contains(OtherId, StringComparison.Ordinal) || l.Contains(NeighbourId, StringComparison.Ordinal)).ToList();
        Clock.SetUtcNow(ErasedAt);

        await EraseAsync(PracticeId, PatientId, key);

        neighbourBefore["exportedAt"] = null;
        namesakeBefore["exportedAt"] = null;
        var neighbourAfter = (await ExportAsync(PracticeId, NeighbourId, key)).Json!;
        var namesakeAfter = (await ExportAsync(OtherId, PatientId, otherKey)).Json!;
        neighbourAfter["exportedAt"] = null;
        namesakeAfter["exportedAt"] = null;
        AssertJsonEqual(neighbourBefore.ToJsonString(), neighbourAfter.ToJsonString());
        AssertJsonEqual(namesakeBefore.ToJsonString(), namesakeAfter.ToJsonString());
        Assert.Equal(otherRowsBefore, (await AllRowsAsync()).Where(l => l.Contains(OtherId, StringComparison.Ordinal) || l.Contains(NeighbourId, StringComparison.Ordinal)).ToList());
    }

    [Fact]
    public async Task Is_idempotent_a_second_erasure_answers_404_and_writes_nothing()
    {
        var key = await SeededAsync();
        Assert.Equal(204, (await EraseAsync(PracticeId, PatientId, key)).Status);
        var before = await SnapshotAsync();

        var again = await EraseAsync(PracticeId, PatientId, key);
        var export = await ExportAsync(PracticeId, PatientId, key);

        Assert.Equal(404, again.Status);
        Assert.Equal("Unknown patient", again.Json!["title"]!.GetValue<string>());
        Assert.Equal(404, export.Status);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Another_practices_key_a_wrong_key_or_none_is_a_401_a_bad_id_a_400_an_unknown_one_a_404_and_nothing_changes()
    {
        var (key, otherKey) = await SeedAsync(PracticeId);
        var before = await SnapshotAsync();

        Assert.Equal(401, (await EraseAsync(PracticeId, PatientId, otherKey)).Status);
        Assert.Equal(401, (await EraseAsync(PracticeId, PatientId, "wrong-key")).Status);
        Assert.Equal(401, (await EraseAsync(PracticeId, PatientId, null)).Status);
        Assert.Equal(401, (await EraseAsync("prac_nowhere", PatientId, key)).Status);
        var bad = await EraseAsync(PracticeId, "bad id/..", key);
        Assert.Equal(400, bad.Status);
        Assert.Equal(["patientId"], bad.Fields);
        Assert.Equal(404, (await EraseAsync(PracticeId, "pat_404", key)).Status);

        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task What_is_left_after_the_patient_row_went_is_still_erased()
    {
        var key = await SeededAsync();
        // A booking tool's patient.deleted removes the patient row and its DueIndex row, but leaves the ledger and feedback.
        await DueIndex.DeleteDueAsync(new DueEntry(DueDay, PracticeId, PatientId));
        await Patients.DeletePatientAsync(PracticeId, PatientId);

        Assert.Equal(204, (await EraseAsync(PracticeId, PatientId, key)).Status);

        Assert.Equal([], await PersonalTracesAsync(PracticeId));
        Assert.Equal(2, (await CollectAsync(Ledger.ListOutreachAsync(PracticeId))).Count(r => Erasure.IsPseudonym(r.PatientId)));
    }

    [Fact]
    public async Task Export_isolation_a_practice_key_never_exports_another_practices_patient()
    {
        var (key, otherKey) = await SeedAsync(PracticeId);
        await SeedPatientAsync(OtherId, "pat_only_b");

        var theirsThroughOurs = await ExportAsync(PracticeId, "pat_only_b", key);
        var theirsWithOurKey = await ExportAsync(OtherId, "pat_only_b", key);
        var theirsWithTheirKey = await ExportAsync(OtherId, "pat_only_b", otherKey);
        var unknown = await ExportAsync(PracticeId, "pat_404", key);

        Assert.Equal(404, theirsThroughOurs.Status);
        Assert.DoesNotContain("someone.else", theirsThroughOurs.Body, StringComparison.Ordinal);
        Assert.Equal(401, theirsWithOurKey.Status);
        Assert.DoesNotContain("someone.else", theirsWithOurKey.Body, StringComparison.Ordinal);
        Assert.Equal(200, theirsWithTheirKey.Status);
        Assert.Equal(404, unknown.Status);
        Assert.Equal("Unknown patient", unknown.Json!["title"]!.GetValue<string>());
    }
}
