using Reengage.Core.Model;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Tables;

/// <summary>Ids as booking tools send them become keys the service accepts, and come back unchanged.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AwkwardKeyTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private static readonly string[] Ids =
    [
        "a/b", "a#b", "a?b", "a\\b", "ctl\u0000\u001f\u007f\u009f", "\ud800lone", "lone\udc00", "👋🏽", "Zoé-Ørsted-Łódź",
        "100%", "o'brien", "~41", "pipe|in|id", "plain",
    ];

    [Fact]
    public async Task Patients_with_awkward_ids_in_a_practice_with_an_awkward_id_round_trip_and_list_back()
    {
        var practiceId = "cab/inet#1?é\\" + Guid.NewGuid().ToString("N")[..6] + "\ud83d";
        foreach (var id in Ids)
        {
            await new TablePatientStore(Clients.Patients).CreatePatientAsync(Builders.BarePatient(practiceId, id, $"{Ids.ToList().IndexOf(id)}@example.org") with { FirstName = id });
        }
        var store = new TablePatientStore(Clients.Patients);
        foreach (var id in Ids)
        {
            var read = await store.GetPatientAsync(practiceId, id);
            Assert.Equal(id, read!.Value.Id);
            Assert.Equal(id, read.Value.FirstName);
            Assert.Equal(practiceId, read.Value.PracticeId);
        }
        var listed = await CollectAsync(store.ListPatientsAsync(practiceId));
        Assert.Equal(Ids.Order(StringComparer.Ordinal), listed.Select(p => p.Id).Order(StringComparer.Ordinal));
        Assert.Equal("\ud800lone", await store.FindPatientIdByEmailAsync(practiceId, "5@example.org"));
    }

    [Fact]
    public async Task Ledger_rows_of_awkward_patient_ids_list_back_per_patient()
    {
        var ledger = new TableOutreachLedger(Clients.Outreach);
        var practiceId = FreshPracticeId();
        foreach (var id in Ids) await ledger.CreateOutreachAsync(Builders.ARow(practiceId, id, 1));
        foreach (var id in Ids)
        {
            var rows = await CollectAsync(ledger.ListOutreachForPatientAsync(practiceId, id));
            Assert.Equal([id], rows.Select(r => r.PatientId));
            Assert.NotNull(await ledger.GetOutreachAsync(practiceId, rows[0].Id));
        }
    }

    [Fact]
    public async Task Due_entries_of_awkward_practice_ids_list_back_per_practice()
    {
        var due = new TableDueIndex(Clients.DueIndex);
        foreach (var id in Ids) await due.UpsertDueAsync(new DueEntry("20310106", id, "pat_" + id));
        foreach (var id in Ids)
        {
            Assert.Equal([new DueEntry("20310106", id, "pat_" + id)], await CollectAsync(due.ListDueForPracticeAsync("20310106", id)));
        }
        Assert.Equal(Ids.Length, (await CollectAsync(due.ListDueAsync("20310106"))).Count);
    }
}
