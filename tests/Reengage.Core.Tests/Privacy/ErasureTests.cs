using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;

namespace Reengage.Core.Tests.Privacy;

public sealed class ErasureTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 10, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The bytes 0x00 to 0x1f.</summary>
    private const string KeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static readonly PseudonymKey Key = PseudonymKey.FromBase64(KeyBase64);

    private static OutreachRow Row(string status) => new()
    {
        PracticeId = "prac_gdpr",
        PatientId = "pat_1",
        Campaign = Campaign.Lapse,
        EpisodeKey = "2026-12-01",
        Step = 1,
        TemplateId = TemplateId.CheckIn,
        Locale = Locale.Fr,
        TherapistId = "th_1",
        Status = status,
        PlannedAt = new DateTimeOffset(2026, 12, 31, 5, 0, 0, TimeSpan.Zero),
        NotBefore = new DateTimeOffset(2026, 12, 31, 8, 30, 0, TimeSpan.Zero),
        OperationId = "3f1c9a52-1b2c-5d3e-8f40-0123456789ab",
        Response = OutreachResponse.Book,
        RebookedAt = new DateTimeOffset(2027, 1, 3, 10, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void The_pseudonym_is_the_HMAC_of_the_labelled_patient_id_under_the_practice_key()
    {
        // Recorded with OpenSSL, independently of this code:
        // printf '%s' 'reengage:erased-patient-id:v1|pat_1' | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1e1f
        Assert.Equal("erased-12d5c0d1c5e3352abbb73bebadce0d14", Erasure.ErasedPatientIdOf(Key, "pat_1"));
        // The same for 'reengage:erased-patient-id:v1|pat_42'.
        Assert.Equal("erased-a0e339ca32845acd88aa517b91ca166c", Erasure.ErasedPatientIdOf(Key, "pat_42"));
    }

    [Fact]
    public void The_pseudonym_is_not_the_unkeyed_hash_the_TypeScript_implementation_gives()
    {
        // Node's crypto and sha256sum: "erased-" + sha256("prac_gdpr|pat_1") in hex, first 16 characters.
        const string unkeyed = "erased-71dc43c3988b9005";

        foreach (var key in new[] { Key, PseudonymKey.New() })
        {
            var pseudonym = Erasure.ErasedPatientIdOf(key, "pat_1");
            Assert.NotEqual(unkeyed, pseudonym);
            Assert.DoesNotContain("71dc43c3988b9005", pseudonym, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_pseudonym_differs_by_patient_and_by_practice_key_and_is_stable_under_one_key()
    {
        var pseudonym = Erasure.ErasedPatientIdOf(Key, "pat_1");
        Assert.Matches("^erased-[0-9a-f]{32}$", pseudonym);
        Assert.Equal(pseudonym, Erasure.ErasedPatientIdOf(PseudonymKey.FromBase64(KeyBase64), "pat_1"));
        Assert.NotEqual(pseudonym, Erasure.ErasedPatientIdOf(Key, "pat_10"));
        Assert.NotEqual(pseudonym, Erasure.ErasedPatientIdOf(PseudonymKey.New(), "pat_1"));
        Assert.True(Erasure.IsPseudonym(pseudonym));
        Assert.False(Erasure.IsPseudonym("pat_1"));
    }

    [Fact]
    public void A_key_is_32_random_bytes_kept_as_base64_and_never_printed()
    {
        var key = PseudonymKey.New();
        Assert.Equal(32, Convert.FromBase64String(key.ToBase64()).Length);
        Assert.NotEqual(key, PseudonymKey.New());
        Assert.Equal(key, PseudonymKey.FromBase64(key.ToBase64()));
        Assert.DoesNotContain(key.ToBase64(), key.ToString(), StringComparison.Ordinal);
        var secrets = new PracticeSecrets { PracticeId = "prac_gdpr", PseudonymKey = key };
        Assert.DoesNotContain(key.ToBase64(), secrets.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stored_key_that_is_not_32_bytes_of_base64_is_refused()
    {
        foreach (var stored in new[] { "", "not base64!", Convert.ToBase64String(new byte[16]), Convert.ToBase64String(new byte[33]) })
        {
            var error = Assert.Throws<ReengageException>(() => PseudonymKey.FromBase64(stored));
            Assert.Equal(ErrorCode.InvalidConfiguration, error.Code);
        }
    }

    [Fact]
    public void An_erased_row_keeps_its_statistics_and_its_operation_id_under_the_pseudonym()
    {
        var row = Row(OutreachStatus.Delivered);

        var erased = Erasure.ErasedRowOf(row, Key, Now);

        Assert.Equal(row with { PatientId = "erased-12d5c0d1c5e3352abbb73bebadce0d14", TherapistId = null, ErasedAt = Now }, erased);
        Assert.Equal("erased-12d5c0d1c5e3352abbb73bebadce0d14|lapse|2026-12-01|1", erased.Id);
    }

    [Fact]
    public void A_planned_row_is_skipped_every_other_status_stays()
    {
        Assert.Equal("skipped:patient_erased", Erasure.ErasedRowOf(Row(OutreachStatus.Planned), Key, Now).Status);
        foreach (var status in new[] { OutreachStatus.Sent, OutreachStatus.Bounced, OutreachStatus.HeldOut, "skipped:booked", OutreachStatus.Sending })
        {
            Assert.Equal(status, Erasure.ErasedRowOf(Row(status), Key, Now).Status);
        }
    }

    [Fact]
    public void A_kept_rating_loses_its_comment_and_the_patient_id()
    {
        var erased = Erasure.ErasedRowOf(Row(OutreachStatus.Delivered), Key, Now);
        var entry = new FeedbackEntry("prac_gdpr", "pat_1|lapse|2026-12-01|1", "pat_1", 5, "Merci pour tout", Now, Now);

        Assert.Equal(entry with { OutreachId = erased.Id, PatientId = erased.PatientId, Comment = null }, Erasure.RatingOnlyOf(entry, erased));
    }

    [Fact]
    public void Retention_cut_offs_and_which_rows_it_erases()
    {
        Assert.Equal(Now.AddDays(-30), Retention.InboundEventsBefore(Now));
        Assert.Equal(Now.AddDays(-730), Retention.OutreachBefore(Now, 730));
        Assert.True(Retention.ShouldErase(Row(OutreachStatus.Delivered)));
        Assert.True(Retention.ShouldErase(Row("skipped:booked")));
        Assert.False(Retention.ShouldErase(Row(OutreachStatus.Planned)));
        Assert.False(Retention.ShouldErase(Row(OutreachStatus.Sending)));
        Assert.False(Retention.ShouldErase(Row(OutreachStatus.Delivered) with { ErasedAt = Now }));
    }
}
