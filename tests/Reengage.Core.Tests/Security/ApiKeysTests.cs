using System.Globalization;
using Reengage.Core.Security;

namespace Reengage.Core.Tests.Security;

public sealed class ApiKeysTests
{
    private static readonly DateTimeOffset Now = At("2027-01-05T09:30:00Z");

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [Fact]
    public void Keys_are_stored_as_the_sha256_hex_the_TypeScript_implementation_stored() =>
        // Node: createHash('sha256').update('rk_test-key', 'utf8').digest('hex').
        Assert.Equal("5b64461a7616f76f16f1a5ad0506a343d622c8d56a8b036c4399aa395da74391", ApiKeys.Hash("rk_test-key"));

    [Fact]
    public void New_keys_are_prefixed_random_and_never_the_same()
    {
        var (a, b) = (ApiKeys.NewKey(), ApiKeys.NewKey());
        Assert.Matches("^rk_[A-Za-z0-9_-]{43}$", a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void The_current_key_opens_and_no_other()
    {
        var keys = ApiKeys.FirstKey("rk_current");
        Assert.True(ApiKeys.IsAccepted("rk_current", keys, Now));
        Assert.False(ApiKeys.IsAccepted("rk_other", keys, Now));
        Assert.False(ApiKeys.IsAccepted("", keys, Now));
        Assert.False(ApiKeys.IsAccepted(null, keys, Now));
        Assert.False(ApiKeys.IsAccepted("rk_current", ApiKeySet.Empty, Now));
    }

    [Fact]
    public void Legacy_hashes_never_expire()
    {
        var keys = new ApiKeySet([ApiKeys.Hash("rk_legacy")], []);
        Assert.True(ApiKeys.IsAccepted("rk_legacy", keys, At("2099-01-01T00:00:00Z")));
    }

    [Fact]
    public void A_stored_hash_that_is_not_hex_opens_nothing()
    {
        var keys = new ApiKeySet(["not-a-hash", ApiKeys.Hash("rk_ok").ToUpperInvariant()], []);
        Assert.False(ApiKeys.IsAccepted("rk_other", keys, Now));
        Assert.True(ApiKeys.IsAccepted("rk_ok", keys, Now));
    }

    [Fact]
    public void After_a_rotation_the_old_key_works_for_seven_days_then_only_the_new_one_does()
    {
        var rotated = ApiKeys.Rotate(ApiKeys.FirstKey("rk_old"), ApiKeys.Hash("rk_new"), Now);
        Assert.Equal(
            new ApiKeyRecord[] { new(ApiKeys.Hash("rk_new"), null), new(ApiKeys.Hash("rk_old"), At("2027-01-12T09:30:00Z")) },
            rotated.Keys);
        Assert.True(ApiKeys.IsAccepted("rk_old", rotated, At("2027-01-12T09:29:59Z")));
        Assert.False(ApiKeys.IsAccepted("rk_old", rotated, At("2027-01-12T09:30:00Z")));
        Assert.True(ApiKeys.IsAccepted("rk_new", rotated, At("2030-01-01T00:00:00Z")));
        Assert.Equal(At("2027-01-12T09:30:00Z"), ApiKeys.PreviousKeysValidUntil(rotated));
    }

    [Fact]
    public void Legacy_hashes_become_expiring_keys_on_rotation()
    {
        var rotated = ApiKeys.Rotate(new ApiKeySet([ApiKeys.Hash("rk_legacy")], []), ApiKeys.Hash("rk_new"), Now);
        Assert.Empty(rotated.LegacyHashes);
        Assert.Contains(new ApiKeyRecord(ApiKeys.Hash("rk_legacy"), At("2027-01-12T09:30:00Z")), rotated.Keys);
    }

    [Fact]
    public void A_key_already_retiring_keeps_its_own_earlier_end()
    {
        var once = ApiKeys.Rotate(ApiKeys.FirstKey("rk_1"), ApiKeys.Hash("rk_2"), Now);
        var twice = ApiKeys.Rotate(once, ApiKeys.Hash("rk_3"), At("2027-01-08T09:30:00Z"));
        Assert.Equal(
            new ApiKeyRecord[]
            {
                new(ApiKeys.Hash("rk_3"), null),
                new(ApiKeys.Hash("rk_2"), At("2027-01-15T09:30:00Z")),
                new(ApiKeys.Hash("rk_1"), At("2027-01-12T09:30:00Z")),
            },
            twice.Keys);
    }

    [Fact]
    public void Expired_keys_are_dropped_on_rotation()
    {
        var once = ApiKeys.Rotate(ApiKeys.FirstKey("rk_1"), ApiKeys.Hash("rk_2"), Now);
        var later = ApiKeys.Rotate(once, ApiKeys.Hash("rk_3"), At("2027-02-01T00:00:00Z"));
        Assert.DoesNotContain(later.Keys, key => key.Hash == ApiKeys.Hash("rk_1"));
        Assert.Equal(2, later.Keys.Count);
    }

    [Fact]
    public void Rotating_to_a_key_already_held_does_not_list_it_twice()
    {
        var rotated = ApiKeys.Rotate(ApiKeys.FirstKey("rk_same"), ApiKeys.Hash("rk_same"), Now);
        Assert.Equal([new ApiKeyRecord(ApiKeys.Hash("rk_same"), null)], rotated.Keys);
        Assert.Null(ApiKeys.PreviousKeysValidUntil(rotated));
    }

    [Fact]
    public void Rotation_in_a_loop_keeps_at_most_ten_keys_the_oldest_dropped_first()
    {
        var keys = ApiKeys.FirstKey("rk_0");
        for (var i = 1; i <= 14; i++) keys = ApiKeys.Rotate(keys, ApiKeys.Hash($"rk_{i}"), Now.AddMinutes(i));
        Assert.Equal(ApiKeys.MaxApiKeys, keys.Keys.Count);
        Assert.Equal(ApiKeys.Hash("rk_14"), keys.Keys[0].Hash);
        Assert.True(ApiKeys.IsAccepted("rk_5", keys, Now.AddMinutes(15)));
        Assert.False(ApiKeys.IsAccepted("rk_4", keys, Now.AddMinutes(15)));
    }

    [Fact]
    public void Accepted_hashes_are_listed_once()
    {
        var hash = ApiKeys.Hash("rk_1");
        var keys = new ApiKeySet([hash], [new ApiKeyRecord(hash, null), new ApiKeyRecord(ApiKeys.Hash("rk_gone"), Now)]);
        Assert.Equal([hash], ApiKeys.AcceptedHashes(keys, Now));
    }
}
