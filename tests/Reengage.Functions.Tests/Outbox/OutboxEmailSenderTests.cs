using System.Text;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Reengage.Core.Ports;
using Reengage.Functions.Outbox;

namespace Reengage.Functions.Tests.Outbox;

/// <summary>The outbox transport: .eml files parsed back with MimeKit, as a mail client would read them.</summary>
public sealed class OutboxEmailSenderTests : IDisposable
{
    private const string Op = "0b5e7c1a-2f4d-4e8a-9c3b-7d6e5f4a3b21";
    private const string FileName = "20270105-050409-" + Op + ".eml";
    private const string Subject = "Élise vous souhaite une belle année 🌱 : prenez soin de vous, à très bientôt au cabinet !";
    private const string Unsubscribe = "<https://reengage.example/api/unsubscribe/eyJ0b2tlbiI6InVuc3Vic2NyaWJlIn0.c2lnbmF0dXJl>";

    private static readonly string Text = string.Join('\n',
        "Bonjour Camille,",
        "",
        "Cela fait quelques semaines que nous ne nous sommes pas vus, et nous espérions que tout allait bien pour vous 🙂.",
        ".Une ligne qui commence par un point, une autre avec = et un espace final ",
        "",
        "Élise Martin");

    private static readonly string Html =
        "<!doctype html><html lang=\"fr\"><body><p>Bonjour Camille,</p>" +
        $"<p>{string.Concat(Enumerable.Repeat("Nous pensions à vous. ", 60))}</p>" +
        "<p><a href=\"https://reengage.example/api/r/tok?x=1&amp;y=2\">Reprendre rendez-vous</a></p></body></html>";

    private static readonly OutgoingEmail Email = new()
    {
        From = new EmailAddress("cabinet@mail.reengage.example", "Cabinet Dupont-Lefèvre"),
        To = new EmailAddress("camille@example.org", "Camille Durand"),
        ReplyTo = new EmailAddress("elise.martin@cabinet-dupont.example", "Martin, Élise (psychologue)"),
        Subject = Subject,
        Html = Html,
        Text = Text,
        Headers = new Dictionary<string, string>
        {
            ["List-Unsubscribe"] = Unsubscribe,
            ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
            ["X-Reengage-Template"] = "check-in",
            ["X-Reengage-Outreach"] = "out_7f3a",
        },
    };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "reengage-outbox-" + Guid.NewGuid().ToString("N"));
    private readonly string _directory;

    public OutboxEmailSenderTests() => _directory = Path.Combine(_root, "nested", "outbox");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static FakeTimeProvider At(int hour, int minute, int second) => new(new DateTimeOffset(2027, 1, 5, hour, minute, second, TimeSpan.Zero));

    private OutboxEmailSender Sender() => new(_directory, At(5, 4, 9));

    private string[] EmlFiles() => Directory.Exists(_directory)
        ? [.. Directory.GetFiles(_directory, "*.eml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!]
        : [];

    private string[] AllFiles() => [.. Directory.GetFiles(_directory).Select(Path.GetFileName).Where(n => n != ".outbox.lock")!];

    private string Raw(string file = FileName) => File.ReadAllText(Path.Combine(_directory, file), Encoding.UTF8);

    private MimeMessage Parsed(string file = FileName) => MimeMessage.Load(Path.Combine(_directory, file));

    [Fact]
    public async Task Writes_one_file_named_after_the_clock_and_the_operation_id_creating_the_folder()
    {
        var outcome = await Sender().SendAsync(Email, Op);

        Assert.Equal(new SendOutcome.Accepted(Op), outcome);
        Assert.Equal([FileName], EmlFiles());
        Assert.Equal([FileName], AllFiles());
    }

    [Fact]
    public async Task Writes_a_message_that_parses_back_to_the_same_addresses_subject_and_headers()
    {
        await Sender().SendAsync(Email, Op);

        var parsed = Parsed();

        Assert.Equal(Subject, parsed.Subject);
        var from = Assert.Single(parsed.From.Mailboxes);
        Assert.Equal(("cabinet@mail.reengage.example", "Cabinet Dupont-Lefèvre"), (from.Address, from.Name));
        var to = Assert.Single(parsed.To.Mailboxes);
        Assert.Equal(("camille@example.org", "Camille Durand"), (to.Address, to.Name));
        var replyTo = Assert.Single(parsed.ReplyTo.Mailboxes);
        Assert.Equal(("elise.martin@cabinet-dupont.example", "Martin, Élise (psychologue)"), (replyTo.Address, replyTo.Name));
        Assert.Equal(new DateTimeOffset(2027, 1, 5, 5, 4, 9, TimeSpan.Zero), parsed.Date);
        Assert.Equal(Op + "@reengage.local", parsed.MessageId);
        Assert.Equal("1.0", parsed.Headers[HeaderId.MimeVersion]);
        Assert.Equal(Unsubscribe, parsed.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", parsed.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("check-in", parsed.Headers["X-Reengage-Template"]);
        Assert.Equal("out_7f3a", parsed.Headers["X-Reengage-Outreach"]);
    }

    [Fact]
    public async Task Holds_both_parts_as_multipart_alternative_with_accents_and_emoji_intact()
    {
        await Sender().SendAsync(Email, Op);

        var parsed = Parsed();

        var alternative = Assert.IsType<MultipartAlternative>(parsed.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.All(alternative.OfType<TextPart>(), p => Assert.Equal("utf-8", p.ContentType.Charset, ignoreCase: true));
        // RFC 5322 line ends are CRLF: the text is the same once they are read back as the line ends it was written with.
        Assert.Equal(Text, parsed.TextBody?.ReplaceLineEndings("\n"));
        Assert.Equal(Html, parsed.HtmlBody?.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Writes_CRLF_7_bit_lines_within_the_RFC_limits()
    {
        await Sender().SendAsync(Email, Op);

        var raw = Raw();

        Assert.DoesNotMatch("[^\r]\n", raw);
        Assert.DoesNotMatch("\r[^\n]", raw);
        Assert.Matches("^[\x20-\x7e\r\n\t]*$", raw);
        var lines = raw.Split("\r\n");
        Assert.All(lines, line => Assert.True(line.Length <= 998, line));
        var head = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        // The subject cannot stay raw: non-ASCII goes as RFC 2047 encoded words.
        Assert.Matches("(?m)^Subject: =\\?utf-8\\?", head.ToLowerInvariant().Replace("subject:", "Subject:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Never_writes_the_same_operation_id_twice_even_later_and_from_another_instance()
    {
        await Sender().SendAsync(Email, Op);
        var later = new OutboxEmailSender(_directory, At(6, 0, 0));

        var outcome = await later.SendAsync(Email with { Subject = "Autre sujet" }, Op);

        Assert.Equal(new SendOutcome.Accepted(Op), outcome);
        Assert.Equal([FileName], AllFiles());
        Assert.Equal(Subject, Parsed().Subject);
    }

    [Fact]
    public async Task Writes_one_file_when_the_same_operation_id_is_sent_concurrently()
    {
        var sender = Sender();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => sender.SendAsync(Email, Op))));

        Assert.All(outcomes, o => Assert.Equal(new SendOutcome.Accepted(Op), o));
        Assert.Equal([FileName], AllFiles());
    }

    [Fact]
    public async Task Writes_one_file_when_senders_sharing_the_folder_race_on_one_operation_id()
    {
        // Separate instances share nothing in memory (as two processes would not): only what is on disk keeps them to one file.
        var senders = Enumerable.Range(0, 6).Select(i => new OutboxEmailSender(_directory, At(5, 4, 9 + i))).ToList();

        await Task.WhenAll(senders.Select(s => Task.Run(() => s.SendAsync(Email, Op))));

        var file = Assert.Single(EmlFiles());
        Assert.EndsWith($"-{Op}.eml", file, StringComparison.Ordinal);
        Assert.Equal([file], AllFiles());
    }

    [Fact]
    public async Task Reports_succeeded_for_a_written_operation_and_unknown_otherwise()
    {
        var sender = Sender();

        Assert.Equal(SendStatus.Unknown, await sender.GetStatusAsync(Op));
        await sender.SendAsync(Email, Op);
        Assert.Equal(SendStatus.Succeeded, await sender.GetStatusAsync(Op));
        Assert.Equal(SendStatus.Unknown, await sender.GetStatusAsync("0b5e7c1a-2f4d-4e8a-9c3b-7d6e5f4a3b22"));
    }

    [Fact]
    public async Task Does_not_mistake_the_file_of_an_id_ending_like_another_for_it()
    {
        var sender = Sender();
        await sender.SendAsync(Email, "x-" + Op);

        Assert.Equal(SendStatus.Unknown, await sender.GetStatusAsync(Op));
        await sender.SendAsync(Email, Op);
        Assert.Equal(2, EmlFiles().Length);
    }

    [Fact]
    public async Task Writes_plain_ASCII_headers_as_they_are_and_quotes_a_display_name_with_specials()
    {
        await Sender().SendAsync(
            Email with
            {
                From = new EmailAddress("cabinet@mail.reengage.example", "Cabinet Dupont, Paris"),
                To = new EmailAddress("camille@example.org"),
                ReplyTo = null,
                Subject = "How are you?",
            },
            Op);

        var raw = Raw();
        Assert.Contains("\r\nSubject: How are you?\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("From: \"Cabinet Dupont, Paris\" <cabinet@mail.reengage.example>\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nTo: camille@example.org\r\n", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("Reply-To:", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keeps_a_long_List_Unsubscribe_unencoded_folding_only_at_spaces()
    {
        var link = $"<https://reengage.example/api/unsubscribe/{new string('t', 120)}>";
        var unsubscribe = $"{link}, <mailto:unsubscribe@reengage.example>";

        await Sender().SendAsync(Email with { Headers = new Dictionary<string, string>(Email.Headers) { ["List-Unsubscribe"] = unsubscribe } }, Op);

        var raw = Raw();
        var head = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var start = head.IndexOf("List-Unsubscribe:", StringComparison.Ordinal);
        var end = head.IndexOf("\r\nList-Unsubscribe-Post:", StringComparison.Ordinal);
        var header = head[start..end];
        // Encoded words would break the URL for the mail providers that read this header.
        Assert.DoesNotContain("=?", header, StringComparison.Ordinal);
        Assert.Contains(link + ",", header, StringComparison.Ordinal);
        Assert.Equal(unsubscribe, Parsed().Headers["List-Unsubscribe"]?.Trim());
    }

    public static TheoryData<string, OutgoingEmail> Injections => new()
    {
        { "a custom header value", Email with { Headers = new Dictionary<string, string> { ["X-Reengage-Template"] = "check-in\r\nBcc: victim@example.org" } } },
        { "the subject", Email with { Subject = "Bonjour\nBcc: victim@example.org" } },
        { "a display name", Email with { To = new EmailAddress("camille@example.org", "Camille\r\nBcc: x@example.org") } },
        { "an address", Email with { To = new EmailAddress("camille@example.org\r\nBcc: x@example.org") } },
        { "a reserved header", Email with { Headers = new Dictionary<string, string> { ["Bcc"] = "victim@example.org" } } },
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Refuses_a_line_break_or_a_reserved_header_and_writes_nothing(string where, OutgoingEmail email)
    {
        var sender = Sender();

        await Assert.ThrowsAsync<ArgumentException>(() => sender.SendAsync(email, Op));

        Assert.Equal(SendStatus.Unknown, await sender.GetStatusAsync(Op));
        Assert.False(Directory.Exists(_directory), where);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("-leading-dash")]
    public async Task Refuses_an_operation_id_that_could_leave_the_folder_or_match_other_files(string operationId)
    {
        var sender = Sender();

        await Assert.ThrowsAsync<ArgumentException>(() => sender.SendAsync(Email, operationId));
        await Assert.ThrowsAsync<ArgumentException>(() => sender.GetStatusAsync(operationId));
    }
}
