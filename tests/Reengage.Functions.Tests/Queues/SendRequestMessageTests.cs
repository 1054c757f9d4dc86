using System.Text;
using Reengage.Core.Ports;
using Reengage.Functions.Queues;

namespace Reengage.Functions.Tests.Queues;

public sealed class SendRequestMessageTests
{
    private static readonly SendRequest Request = new("prac_1", "pat_1|lapse|2026-12-01|1", new DateTimeOffset(2027, 1, 5, 10, 30, 36, TimeSpan.FromHours(1)));

    [Fact]
    public void Writes_the_version_the_ids_and_a_utc_instant()
    {
        Assert.Equal(
            """{"v":1,"practiceId":"prac_1","outreachId":"pat_1|lapse|2026-12-01|1","notBefore":"2027-01-05T09:30:36.0000000Z"}""",
            SendRequestMessage.Serialize(Request));
    }

    [Theory]
    [InlineData("""{"v":1,"practiceId":"prac_1","outreachId":"pat_1|lapse|2026-12-01|1","notBefore":"2027-01-05T09:30:36.000Z"}""")]
    [InlineData("""  {"notBefore":"2027-01-05T10:30:36+01:00","outreachId":"pat_1|lapse|2026-12-01|1","practiceId":"prac_1","v":1}  """)]
    public void Reads_messages_written_by_either_implementation(string body)
    {
        Assert.True(SendRequestMessage.TryParse(body, out var parsed, out var error), error);
        Assert.Equal(Request, parsed);
    }

    [Fact]
    public void Reads_a_body_that_is_still_base64()
    {
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes(SendRequestMessage.Serialize(Request)));
        Assert.True(SendRequestMessage.TryParse(body, out var parsed, out _));
        Assert.Equal(Request, parsed);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("  ", "empty")]
    [InlineData("hello world", "not JSON")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("""{"v":2,"practiceId":"p","outreachId":"o","notBefore":"2027-01-05T09:30:36Z"}""", "v:")]
    [InlineData("""{"v":1,"outreachId":"o","notBefore":"2027-01-05T09:30:36Z"}""", "practiceId:")]
    [InlineData("""{"v":1,"practiceId":"p","outreachId":"","notBefore":"2027-01-05T09:30:36Z"}""", "outreachId:")]
    [InlineData("""{"v":1,"practiceId":"p","outreachId":"o","notBefore":"2027-01-05T09:30:36"}""", "notBefore:")]
    [InlineData("""{"v":1,"practiceId":"p","outreachId":"o","notBefore":"tomorrow"}""", "notBefore:")]
    public void Refuses_anything_else_naming_the_field(string? body, string expected)
    {
        Assert.False(SendRequestMessage.TryParse(body, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
