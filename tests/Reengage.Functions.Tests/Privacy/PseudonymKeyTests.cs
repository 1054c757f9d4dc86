using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;
using Reengage.Functions.Privacy;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Tests.Privacy;

/// <summary>
/// The keyed pseudonym of erased patients (issue 12) on Azurite: a per-practice secret key, created with the practice or
/// on first need, agreed on by concurrent erasures, never shown, and never changed once stored.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PseudonymKeyTests(AzuriteFixture fixture) : PrivacyTestBase(fixture)
{
    private const string PracticeId = "prac_pseudo";

    /// <summary>What the pseudonym was before keys (the TypeScript implementation's): guessable ids made it linkable.</summary>
    private static string UnkeyedPseudonymOf(string practiceId, string patientId) =>
        "erased-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{practiceId}|{patientId}")))[..16];

    private async Task<List<string>> PseudonymsInLedgerAsync(string practiceId) =>
        [.. (await CollectAsync(Ledger.ListOutreachAsync(practiceId))).Select(r => r.PatientId).Where(Erasure.IsPseudonym).Distinct()];

    [Fact]
    public async Task A_practice_gets_its_own_random_key_when_it_is_created()
    {
        await CreatePracticeAsync(PracticeId);
        await CreatePracticeAsync(OtherId);

        var key = await StoredPseudonymKeyAsync(PracticeId);
        Assert.Equal(32, Convert.FromBase64String(key!).Length);
        Assert.NotEqual(key, await StoredPseudonymKeyAsync(OtherId));
    }

    [Fact]
    public async Task The_pseudonym_is_keyed_it_differs_from_the_unkeyed_hash_and_between_practices_for_the_same_patient_id()
    {
        var (key, otherKey) = await SeedAsync(PracticeId);
        Clock.SetUtcNow(ErasedAt);

        Assert.Equal(204, (await EraseAsync(PracticeId, PatientId, key)).Status);
        Assert.Equal(204, (await EraseAsync(OtherId, PatientId, otherKey)).Status);

        var pseudonym = await PseudonymOfAsync(PracticeId, PatientId);
        var other = await PseudonymOfAsync(OtherId, PatientId);
        Assert.Equal([pseudonym], await PseudonymsInLedgerAsync(PracticeId));
        Assert.Equal([other], await PseudonymsInLedgerAsync(OtherId));
        Assert.NotEqual(pseudonym, other);
        Assert.NotEqual(UnkeyedPseudonymOf(PracticeId, PatientId), pseudonym);
        var rows = await AllRowsAsync();
        Assert.DoesNotContain(rows, line => line.Contains(UnkeyedPseudonymOf(PracticeId, PatientId)[7..], StringComparison.Ordinal));
        Assert.DoesNotContain(rows, line => line.Contains(UnkeyedPseudonymOf(OtherId, PatientId)[7..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_practice_created_before_keys_gets_one_on_first_need_and_every_later_erasure_uses_it()
    {
        var (key, _) = await SeedAsync(PracticeId);
        await RemovePseudonymKeyAsync(PracticeId);
        var secretsBefore = (await Practices.GetSecretsAsync(PracticeId))!.Value;
        Clock.SetUtcNow(ErasedAt);
        // The retention sweep erases the delivered rows (RETENTION_DAYS 1): the first need.
        var sweep = new RetentionSweep(
            Practices, InboundEvents, Ledger, new LedgerRowEraser(Ledger, MessageIndex, Feedback),
            new PseudonymKeys(Practices, NullLogger<PseudonymKeys>.Instance), new RetentionOptions(1), Clock, NullLogger<RetentionSweep>.Instance);
        await sweep.SweepAsync(CancellationToken.None);
        var created = await StoredPseudonymKeyAsync(PracticeId);
        Assert.NotNull(created);

        // Then the patient is erased: their planned row joins the swept one under the same pseudonym.
        Assert.Equal(204, (await EraseAsync(PracticeId, PatientId, key)).Status);

        Assert.Equal(created, await StoredPseudonymKeyAsync(PracticeId));
        var pseudonym = await PseudonymOfAsync(PracticeId, PatientId);
        var kept = (await CollectAsync(Ledger.ListOutreachAsync(PracticeId))).Where(r => r.ErasedAt is not null).ToList();
        var expected = new[] { (pseudonym, 1), (pseudonym, 2), (await PseudonymOfAsync(PracticeId, NeighbourId), 1) };
        Assert.Equal(expected.Order(), kept.Select(r => (r.PatientId, r.Step)).Order());
        // The other secrets stayed as they were: the key was added to them, nothing replaced.
        var secretsAfter = (await Practices.GetSecretsAsync(PracticeId))!.Value;
        Assert.Equal(secretsBefore.ApiKeyHashes, secretsAfter.ApiKeyHashes);
        Assert.Equal(secretsBefore.ApiKeys, secretsAfter.ApiKeys);
        Assert.Equal(secretsBefore.Webhooks, secretsAfter.Webhooks);
        Assert.Equal(200, (await GetPracticeAsync(PracticeId, key)).Status);
    }

    /// <summary>
    /// Two creations at once, made to both read the secrets before either writes: both see no key and both write one;
    /// the conditional write lets one through, the other re-reads and takes the winner's.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_concurrent_first_needs_agree_on_one_key(bool hasSecretsRow)
    {
        for (var round = 0; round < 5; round++)
        {
            var practiceId = $"prac_race{(hasSecretsRow ? "s" : "n")}{round}";
            if (hasSecretsRow)
            {
                await CreatePracticeAsync(practiceId);
                await RemovePseudonymKeyAsync(practiceId);
            }
            else
            {
                await Practices.CreatePracticeAsync(PracticeDefaults.NewPractice(practiceId, "Cabinet"));
            }
            var meeting = new Meeting(2);
            // Two instances of the app: stores of their own, no shared cache.
            var first = new PseudonymKeys(ReadsMeet.Around(new TablePracticeStore(Clients.Practices, Clients.Therapists), meeting), NullLogger<PseudonymKeys>.Instance);
            var second = new PseudonymKeys(ReadsMeet.Around(new TablePracticeStore(Clients.Practices, Clients.Therapists), meeting), NullLogger<PseudonymKeys>.Instance);

            var keys = await Task.WhenAll(
                Task.Run(() => first.GetOrCreateAsync(practiceId, CancellationToken.None)),
                Task.Run(() => second.GetOrCreateAsync(practiceId, CancellationToken.None)));

            Assert.Equal(keys[0], keys[1]);
            Assert.Equal(keys[0].ToBase64(), await StoredPseudonymKeyAsync(practiceId));
            Assert.True(meeting.Met, "the two creations did not both read before writing");
            Assert.Equal(keys[0], await first.GetOrCreateAsync(practiceId, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Neither_the_practice_settings_nor_the_export_show_the_key()
    {
        var (key, _) = await SeedAsync(PracticeId);
        Clock.SetUtcNow(ErasedAt);
        Assert.Equal(204, (await EraseAsync(PracticeId, PatientId, key)).Status);
        var stored = (await StoredPseudonymKeyAsync(PracticeId))!;
        var storedHex = Convert.ToHexStringLower(Convert.FromBase64String(stored));

        var practice = await GetPracticeAsync(PracticeId, key);
        var export = await ExportAsync(PracticeId, NeighbourId, key);

        Assert.Equal(200, practice.Status);
        Assert.Equal(200, export.Status);
        foreach (var body in new[] { practice.Body, export.Body })
        {
            Assert.DoesNotContain(stored, body, StringComparison.Ordinal);
            Assert.DoesNotContain(storedHex, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("pseudonymKey", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>A rendezvous of <paramref name="parties"/> reads: each waits (a while at most) until all have read.</summary>
    internal sealed class Meeting(int parties)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public bool Met => _all.Task.IsCompletedSuccessfully;

        public async Task ArriveAsync()
        {
            if (Interlocked.Increment(ref _arrived) == parties) _all.TrySetResult();
            await Task.WhenAny(_all.Task, Task.Delay(TimeSpan.FromSeconds(10)));
        }
    }

    /// <summary>A practice store whose first read of the secrets waits at the meeting; later reads go straight through.</summary>
    public class ReadsMeet : DispatchProxy
    {
        private IPracticeStore _inner = null!;
        private Meeting _meeting = null!;
        private int _reads;

        internal static IPracticeStore Around(IPracticeStore inner, Meeting meeting)
        {
            var proxy = Create<IPracticeStore, ReadsMeet>();
            var self = (ReadsMeet)(object)proxy;
            self._inner = inner;
            self._meeting = meeting;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var result = targetMethod.Invoke(_inner, args);
            return targetMethod.Name == nameof(IPracticeStore.GetSecretsAsync) && Interlocked.Increment(ref _reads) == 1
                ? AfterMeetingAsync((Task<Versioned<PracticeSecrets>?>)result!)
                : result;
        }

        private async Task<Versioned<PracticeSecrets>?> AfterMeetingAsync(Task<Versioned<PracticeSecrets>?> read)
        {
            var value = await read.ConfigureAwait(false);
            await _meeting.ArriveAsync().ConfigureAwait(false);
            return value;
        }
    }
}
