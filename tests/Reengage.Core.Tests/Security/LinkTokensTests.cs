using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using Reengage.Core.Security;

namespace Reengage.Core.Tests.Security;

public sealed class LinkTokensTests
{
    private static readonly SigningKey Key1 = new("k1", Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly SigningKey Key2 = new("k2", Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly DateTimeOffset Now = At("2027-01-05T09:30:00Z");
    private const string OperationId = "a3f1c2d4-5b6e-5f70-8a9b-0c1d2e3f4a5b";

    // Issued by the TypeScript implementation (recorded before its removal) at 2027-01-05T09:30:00Z with the keys
    // above: links of this shape are in patients' mailboxes and must keep working.
    private const string TsBook =
        "eyJrIjoiazEiLCJwIjoicHJhY18xIiwibyI6ImEzZjFjMmQ0LTViNmUtNWY3MC04YTliLTBjMWQyZTNmNGE1YiIsImEiOiJib29rIiwiZSI6MTgwNjkxNzQwMH0.B6gyAO01ibXqiOknHkv5Hzeg4Je3zKT0OJkHtrRypLE";
    private const string TsUnsubscribe =
        "eyJrIjoiazEiLCJwIjoicHJhY18xIiwibyI6ImEzZjFjMmQ0LTViNmUtNWY3MC04YTliLTBjMWQyZTNmNGE1YiIsImEiOiJ1bnN1YnNjcmliZSIsImUiOjE4MzA2Nzc0MDB9.vgM59WWUQi38UEHbNHxPiERmvKVfPJkjTv5257QT-v4";
    private const string TsLaterWithKey2 =
        "eyJrIjoiazIiLCJwIjoicHJhY18yIiwibyI6ImEzZjFjMmQ0LTViNmUtNWY3MC04YTliLTBjMWQyZTNmNGE1YiIsImEiOiJsYXRlciIsImUiOjE4MDY5MTc0MDB9.aeUjCnc2sUoVx7TXKkHoKDOVfiQKw_8mzhh-1Y23PfE";
    // Practice id "prac+1=é\"\\<x>\n": characters JSON.stringify and System.Text.Json escape differently.
    private const string TsFeedbackOddPractice =
        "eyJrIjoiazEiLCJwIjoicHJhYysxPcOpXCJcXDx4PlxuIiwibyI6ImEzZjFjMmQ0LTViNmUtNWY3MC04YTliLTBjMWQyZTNmNGE1YiIsImEiOiJmZWVkYmFjayIsImUiOjE4MDY5MTc0MDB9.pPKpSm9M_oHh5HsjsAddjA44bDByavRvmDRl3_yE2lk";
    private const string OddPractice = "prac+1=é\"\\<x>\n";

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [Fact]
    public void Tokens_issued_by_the_TypeScript_implementation_verify()
    {
        var check = LinkTokens.Verify(TsBook, [Key1], Now);
        Assert.True(check.IsValid);
        Assert.Equal(new LinkToken("prac_1", OperationId, LinkAction.Book, DateTimeOffset.FromUnixTimeSeconds(1_806_917_400)), check.Token);
        Assert.Equal(LinkAction.Unsubscribe, LinkTokens.Verify(TsUnsubscribe, [Key1], Now).Token?.Action);
        Assert.Equal("prac_2", LinkTokens.Verify(TsLaterWithKey2, [Key1, Key2], Now).Token?.PracticeId);
        Assert.Equal(OddPractice, LinkTokens.Verify(TsFeedbackOddPractice, [Key1], Now).Token?.PracticeId);
    }

    [Theory]
    [InlineData(TsBook, "prac_1", LinkAction.Book, "k1")]
    [InlineData(TsUnsubscribe, "prac_1", LinkAction.Unsubscribe, "k1")]
    [InlineData(TsLaterWithKey2, "prac_2", LinkAction.Later, "k2")]
    [InlineData(TsFeedbackOddPractice, OddPractice, LinkAction.Feedback, "k1")]
    public void Tokens_issued_here_are_byte_for_byte_the_TypeScript_ones(string expected, string practiceId, LinkAction action, string keyId) =>
        Assert.Equal(expected, LinkTokens.Issue(practiceId, OperationId, action, keyId == "k1" ? Key1 : Key2, Now));

    [Fact]
    public void Tokens_still_verify_after_rotation_while_the_old_key_is_kept()
    {
        Assert.True(LinkTokens.Verify(TsBook, [Key2, Key1], Now).IsValid);
        Assert.Equal(new TokenCheck(TokenFailure.UnknownKey, null), LinkTokens.Verify(TsBook, [Key2], Now));
    }

    [Fact]
    public void A_payload_moved_to_another_practice_is_refused()
    {
        var (payload, signature) = Split(TsBook);
        var forged = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(payload)).Replace("prac_1", "prac_2", StringComparison.Ordinal);
        var tampered = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged)) + "." + signature;
        Assert.Equal(new TokenCheck(TokenFailure.BadSignature, null), LinkTokens.Verify(tampered, [Key1], Now));
    }

    [Fact]
    public void A_longer_expiry_is_refused()
    {
        var (payload, signature) = Split(TsBook);
        var forged = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(payload)).Replace("1806917400", "1906917400", StringComparison.Ordinal);
        var tampered = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged)) + "." + signature;
        Assert.Equal(TokenFailure.BadSignature, LinkTokens.Verify(tampered, [Key1], Now).Failure);
    }

    [Fact]
    public void A_token_signed_with_another_secret_under_a_known_key_id_is_refused()
    {
        var impostor = new SigningKey("k1", Enumerable.Repeat((byte)7, 32).ToArray());
        var forged = LinkTokens.Issue("prac_1", OperationId, LinkAction.Unsubscribe, impostor, Now);
        Assert.Equal(new TokenCheck(TokenFailure.BadSignature, null), LinkTokens.Verify(forged, [Key1], Now));
    }

    [Theory]
    [InlineData("AA")]
    [InlineData("")]
    [InlineData("B6")]
    public void A_changed_or_truncated_signature_is_refused(string tail)
    {
        var token = TsBook[..^2] + tail;
        var check = LinkTokens.Verify(token, [Key1], Now);
        Assert.False(check.IsValid);
        Assert.Null(check.Token);
    }

    [Fact]
    public void A_signature_with_extra_characters_is_refused() =>
        Assert.Equal(TokenFailure.BadSignature, LinkTokens.Verify(TsBook + "A", [Key1], Now).Failure);

    [Fact]
    public void A_truncated_payload_is_refused()
    {
        var (payload, signature) = Split(TsBook);
        Assert.False(LinkTokens.Verify(payload[..^4] + "." + signature, [Key1], Now).IsValid);
        Assert.False(LinkTokens.Verify(payload[..^1] + "." + signature, [Key1], Now).IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("nonsense")]
    [InlineData("a.b.c")]
    [InlineData("a b.c")]
    [InlineData("eyJrIjoiazEifQ==.abc")]
    [InlineData(".abc")]
    [InlineData(TsBook + "\n")]
    public void Anything_not_shaped_like_a_token_is_malformed(string? raw) =>
        Assert.Equal(new TokenCheck(TokenFailure.Malformed, null), LinkTokens.Verify(raw, [Key1], Now));

    [Fact]
    public void Overlong_input_is_refused_before_decoding() =>
        Assert.Equal(TokenFailure.Malformed, LinkTokens.Verify(new string('a', 1020) + "." + "abcd", [Key1], Now).Failure);

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{\"k\":\"k1\",\"p\":\"prac_1\",\"o\":\"op\",\"a\":\"delete\",\"e\":1806917400}")]
    [InlineData("{\"k\":\"k1\",\"p\":\"prac_1\",\"o\":\"op\",\"a\":\"book\",\"e\":1806917400.5}")]
    [InlineData("{\"k\":\"k1\",\"p\":\"prac_1\",\"o\":\"op\",\"a\":\"book\",\"e\":\"1806917400\"}")]
    [InlineData("{\"k\":\"k1\",\"p\":1,\"o\":\"op\",\"a\":\"book\",\"e\":1806917400}")]
    [InlineData("{\"k\":\"k1\",\"o\":\"op\",\"a\":\"book\",\"e\":1806917400}")]
    [InlineData("{\"k\":\"k1\",\"p\":\"prac_1\",\"o\":\"op\",\"a\":\"book\",\"e\":1806917400")]
    public void A_correctly_signed_payload_that_is_not_a_token_is_malformed(string json)
    {
        var payload = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        var signature = System.Buffers.Text.Base64Url.EncodeToString(HMACSHA256.HashData(Key1.Secret, Encoding.ASCII.GetBytes(payload)));
        Assert.Equal(new TokenCheck(TokenFailure.Malformed, null), LinkTokens.Verify(payload + "." + signature, [Key1], Now));
    }

    [Fact]
    public void An_integral_expiry_written_as_a_float_is_read_as_JSON_parse_reads_it()
    {
        var payload = System.Buffers.Text.Base64Url.EncodeToString(
            Encoding.UTF8.GetBytes("{\"k\":\"k1\",\"p\":\"prac_1\",\"o\":\"op\",\"a\":\"book\",\"e\":1.8069174e9}"));
        var signature = System.Buffers.Text.Base64Url.EncodeToString(HMACSHA256.HashData(Key1.Secret, Encoding.ASCII.GetBytes(payload)));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_806_917_400), LinkTokens.Verify(payload + "." + signature, [Key1], Now).Token?.ExpiresAt);
    }

    [Fact]
    public void Links_expire_after_90_days_and_still_say_what_they_were()
    {
        Assert.True(LinkTokens.Verify(TsBook, [Key1], At("2027-04-05T09:29:00Z")).IsValid);
        var expired = LinkTokens.Verify(TsBook, [Key1], At("2027-04-05T09:31:00Z"));
        Assert.Equal(TokenFailure.Expired, expired.Failure);
        Assert.Equal(new LinkToken("prac_1", OperationId, LinkAction.Book, At("2027-04-05T09:30:00Z")), expired.Token);
        Assert.Equal(TokenFailure.Expired, LinkTokens.Verify(TsBook, [Key1], At("2027-04-05T09:30:00Z")).Failure);
    }

    [Fact]
    public void Unsubscribe_links_last_a_year_and_an_expired_one_still_names_its_row()
    {
        Assert.True(LinkTokens.Verify(TsUnsubscribe, [Key1], At("2027-12-31T00:00:00Z")).IsValid);
        var expired = LinkTokens.Verify(TsUnsubscribe, [Key1], At("2028-01-06T00:00:00Z"));
        Assert.Equal(TokenFailure.Expired, expired.Failure);
        Assert.Equal((LinkAction.Unsubscribe, "prac_1", OperationId), (expired.Token!.Action, expired.Token.PracticeId, expired.Token.OutreachRef));
    }

    [Fact]
    public void Lifetimes_are_90_days_and_a_year_for_unsubscribe()
    {
        Assert.Equal(TimeSpan.FromDays(90), LinkTokens.LifetimeOf(LinkAction.Later));
        Assert.Equal(TimeSpan.FromDays(365), LinkTokens.LifetimeOf(LinkAction.Unsubscribe));
    }

    [Property]
    public bool Any_issued_token_verifies_to_what_it_was_issued_for(NonNull<string> practiceId, NonNull<string> outreachRef, byte action)
    {
        var linkAction = (LinkAction)(action % 4);
        var token = LinkTokens.Issue(practiceId.Get, outreachRef.Get, linkAction, Key2, Now);
        var check = LinkTokens.Verify(token, [Key1, Key2], Now);
        // Ids are well-formed text; a lone surrogate is refused as malformed (see the hostile payloads below).
        return token.Length > LinkTokens.MaxLength
            || !IsWellFormed(practiceId.Get) || !IsWellFormed(outreachRef.Get)
            || (check.IsValid && check.Token == new LinkToken(practiceId.Get, outreachRef.Get, linkAction, Now + LinkTokens.LifetimeOf(linkAction)));
    }

    private static bool IsWellFormed(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)) == text;

    private static (string Payload, string Signature) Split(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        return (token[..dot], token[(dot + 1)..]);
    }
}

public sealed class LinkTokensHostileInputTests
{
    [Theory]
    [InlineData("{\"k\":\"k1\",\"p\":\"\\ud800\",\"o\":\"op\",\"a\":\"book\",\"e\":1806917400}")]
    [InlineData("{\"k\":\"\\udc00x\",\"p\":\"p\",\"o\":\"op\",\"a\":\"book\",\"e\":1806917400}")]
    [InlineData("{\"k\":\"k1\",\"p\":\"p\",\"o\":\"op\",\"a\":\"book\",\"e\":1e400}")]
    [InlineData("{\"k\":\"k1\",\"p\":\"p\",\"o\":\"op\",\"a\":\"book\",\"e\":-1e300}")]
    [InlineData("{\"k\":\"k1\",\"p\":\"p\",\"o\":\"op\",\"a\":\"book\",\"e\":99999999999999999999}")]
    [InlineData("\u00ff\u00fe")]
    public void Hostile_payloads_are_answered_never_thrown(string json)
    {
        var payload = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json));
        var check = LinkTokens.Verify(payload + ".abc", [new SigningKey("k1", new byte[32])], DateTimeOffset.UnixEpoch);
        Assert.False(check.IsValid);
    }
}
