using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Reengage.Functions.Privacy;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Tests.Privacy;

/// <summary>
/// An erasure whose process dies after any number of storage writes leaves nothing a second erasure cannot reach: the
/// second one answers 204 and the end state is that of an erasure never interrupted.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ErasureCrashTests(AzuriteFixture fixture) : PrivacyTestBase(fixture)
{
    private readonly AzuriteFixture _fixture = fixture;

    /// <summary>The process dies once <see cref="Budget"/> writes went out: that request and every later one fail.</summary>
    private sealed class DiesAfterWrites(int budget) : HttpPipelineSynchronousPolicy
    {
        private int _writes;

        public int Budget => budget;

        public bool Died { get; private set; }

        public override void OnSendingRequest(HttpMessage message)
        {
            ArgumentNullException.ThrowIfNull(message);
            if (!Died && message.Request.Method != RequestMethod.Get && ++_writes > budget) Died = true;
            if (Died) throw new IOException($"the process died after {budget} writes");
        }
    }

    /// <summary>The erasure use case on clients of the same tables whose pipeline dies.</summary>
    private PatientErasure DyingErasure(DiesAfterWrites death)
    {
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(death, HttpPipelinePosition.PerCall);
        tableOptions.Retry.MaxRetries = 0;
        var clients = ReengageStorageClients.Create(
            new StorageConnection.ConnectionString(_fixture.ConnectionString), Clients.Names, tableOptions, new QueueClientOptions());
        var ledger = new TableOutreachLedger(clients.Outreach);
        return new PatientErasure(
            new TablePatientStore(clients.Patients),
            new TableAppointmentStore(clients.Appointments),
            ledger,
            new TableFeedbackStore(clients.Feedback),
            new TableSuppressionStore(clients.Suppressions),
            new TableDueIndex(clients.DueIndex),
            new LedgerRowEraser(ledger, new TableMessageIndex(clients.MessageIndex), new TableFeedbackStore(clients.Feedback)),
            new PseudonymKeys(new TablePracticeStore(clients.Practices, clients.Therapists), NullLogger<PseudonymKeys>.Instance),
            Clock,
            NullLogger<PatientErasure>.Instance);
    }

    /// <param name="keyOnFirstNeed">The practice predates pseudonym keys: the erasure creates its key, and may die doing so.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_crash_after_any_write_is_finished_by_erasing_again(bool keyOnFirstNeed)
    {
        var completedUninterrupted = false;
        for (var budget = 0; budget < 60 && !completedUninterrupted; budget++)
        {
            var practiceId = $"prac_crash{(keyOnFirstNeed ? "k" : "")}{budget}";
            var key = await CreatePracticeAsync(practiceId);
            if (keyOnFirstNeed) await RemovePseudonymKeyAsync(practiceId);
            await SeedPatientAsync(practiceId, PatientId);
            await SeedPatientAsync(practiceId, NeighbourId);
            Clock.SetUtcNow(ErasedAt);
            var practice = (await Practices.GetPracticeAsync(practiceId))!.Value;
            var death = new DiesAfterWrites(budget);

            try
            {
                await DyingErasure(death).EraseAsync(practice, PatientId, CancellationToken.None);
                completedUninterrupted = true;
            }
            catch (Exception) when (death.Died)
            {
                // Died half-way: the erasure below must finish the job.
            }

            if (!completedUninterrupted)
            {
                Assert.Equal(204, (await EraseAsync(practiceId, PatientId, key)).Status);
            }
            Assert.Equal(404, (await EraseAsync(practiceId, PatientId, key)).Status);
            Assert.Equal([], await PersonalTracesAsync(practiceId));
            var pseudonym = await PseudonymOfAsync(practiceId, PatientId);
            var kept = (await CollectAsync(Ledger.ListOutreachAsync(practiceId))).Where(r => r.PatientId == pseudonym).OrderBy(r => r.Step).ToList();
            var delivered = DeliveredRowOf(practiceId, PatientId);
            Assert.Equal(
                [delivered with { PatientId = pseudonym, TherapistId = null, ErasedAt = ErasedAt },
                 PlannedRowOf(practiceId, PatientId) with { PatientId = pseudonym, TherapistId = null, Status = "skipped:patient_erased", ErasedAt = ErasedAt }],
                kept);
            Assert.Equal(await ErasedIdOfAsync(delivered), (await MessageIndex.GetMessageAsync(delivered.OperationId))!.OutreachId);
            Assert.Equal(4, (await CollectAsync(Ledger.ListOutreachAsync(practiceId))).Count);
            Assert.Single(await CollectAsync(Feedback.ListFeedbackAsync(practiceId)));
            Assert.NotNull(await Suppressions.GetSuppressionAsync(practiceId, Reengage.Core.Ids.AddressHashOf(practiceId, EmailOf(practiceId, PatientId))));
        }
        // The loop went through every write of a whole erasure, up to one that needed no second call.
        Assert.True(completedUninterrupted, "no budget let the erasure finish: it writes more than 60 times");
    }

    [Fact]
    public async Task While_an_erasure_is_unfinished_the_patient_is_flagged_suppressed_so_nothing_is_planned_or_sent()
    {
        var practiceId = "prac_halfway";
        await CreatePracticeAsync(practiceId);
        await SeedPatientAsync(practiceId, PatientId);
        Clock.SetUtcNow(ErasedAt);
        var practice = (await Practices.GetPracticeAsync(practiceId))!.Value;
        // Two writes: the suppression entry and the flag on the patient row; it dies on the third.
        var death = new DiesAfterWrites(2);

        await Assert.ThrowsAnyAsync<Exception>(() => DyingErasure(death).EraseAsync(practice, PatientId, CancellationToken.None));

        Assert.True(death.Died);
        var patient = (await Patients.GetPatientAsync(practiceId, PatientId))!.Value;
        Assert.True(patient.Suppressed);
        Assert.Equal(
            Reengage.Core.Outreach.SkipReason.Suppressed,
            Reengage.Core.Outreach.Eligibility.WhyIneligibleToSend(practice, patient, PlannedRowOf(practiceId, PatientId), At("2027-01-30T08:30:00Z")));
    }
}
