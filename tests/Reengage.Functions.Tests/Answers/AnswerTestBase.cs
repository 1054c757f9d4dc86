using System.Text;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions.Answers;
using Reengage.Functions.Functions;
using Reengage.Functions.Outbox;
using Reengage.Functions.Settings;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Sending;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Answers;

/// <summary>
/// The answer functions over real adapters on Azurite, fed with the links of a real email: the row is sent through the
/// real sender into an outbox, and the links are read back from the <c>.eml</c> file.
/// </summary>
public abstract partial class AnswerTestBase(AzuriteFixture fixture) : StorageTestBase(fixture), IAsyncLifetime
{
    protected const string Base = "https://reengage.example/api/";
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), "reengage-answers-" + Guid.NewGuid().ToString("N"));

    private protected SendWorld World { get; private set; } = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        World = new SendWorld(Clients);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        World.Dispose();
        if (Directory.Exists(_outbox)) Directory.Delete(_outbox, recursive: true);
        await DisposeAsync();
    }

    /// <summary>The links of one email, by what they do (Feedback only in template 8).</summary>
    protected sealed record Links(string Book, string Later, string Unsubscribe, string? Feedback, OutreachRow Row)
    {
        public IEnumerable<string> All => new[] { Book, Later, Unsubscribe, Feedback }.OfType<string>();
    }

    /// <summary>
    /// Seeds the world (its patient, their row, in <paramref name="locale"/>), sends the row through the real sender into
    /// the outbox, and returns the links found in the email. The clock stays at the moment of sending.
    /// </summary>
    protected async Task<Links> SendEmailAsync(Locale locale = Locale.En, TemplateId template = TemplateId.Feedback, Func<Patient, Patient>? patient = null)
    {
        await World.SeedAsync(row => row with { Locale = locale }, p => (patient ?? (x => x))(p with { Locale = locale }), template: template);
        var result = await World.Sender(new OutboxEmailSender(_outbox, World.Clock)).SendAsync(World.Request);
        var file = Assert.Single(Directory.GetFiles(_outbox, "*.eml"));
        using var email = await MimeMessage.LoadAsync(file);
        var found = LinkPattern().Matches(email.TextBody + "\n" + email.HtmlBody + "\n" + email.Headers["List-Unsubscribe"]).Select(m => m.Value).Distinct().ToList();
        string? Of(LinkAction action) => found.SingleOrDefault(url => LinkTokens.Verify(url[(url.LastIndexOf('/') + 1)..], World.Settings.LinkSigningKeys, World.Clock.GetUtcNow()).Token?.Action == action);
        var row = await World.RowAsync();
        Assert.Equal(OutreachStatus.Sent, row.Status);
        return new Links(Of(LinkAction.Book)!, Of(LinkAction.Later)!, Of(LinkAction.Unsubscribe)!, Of(LinkAction.Feedback), row);
    }

    [GeneratedRegex(@"https://reengage\.example/api/(?:r|unsubscribe)/[A-Za-z0-9_.-]+")]
    private static partial Regex LinkPattern();

    protected virtual ReengageSettings Settings => World.Settings;

    protected PatientAnswers Answers(TableClient? deadTable = null) => new(
        World.MessageIndex,
        World.Ledger,
        World.Practices,
        deadTable is null ? World.Patients : new TablePatientStore(deadTable),
        new TableFeedbackStore(Clients.Feedback),
        new TableSuppressionStore(Clients.Suppressions),
        Settings,
        World.Clock,
        NullLogger<PatientAnswers>.Instance);

    protected AnswerFunctions Functions(TableClient? deadTable = null) => new(Answers(deadTable), NullLogger<AnswerFunctions>.Instance);

    /// <summary>An HTTP answer as a browser sees it.</summary>
    protected sealed record Answer(int Status, IHeaderDictionary Headers, string Body)
    {
        public string? this[string header] => Headers.TryGetValue(header, out var value) ? value.ToString() : null;
    }

    protected Task<Answer> GetAsync(string url) => SendAsync("GET", url);

    protected Task<Answer> HeadAsync(string url) => SendAsync("HEAD", url);

    protected Task<Answer> PostFormAsync(string url, string body = "") => SendAsync("POST", url, Encoding.UTF8.GetBytes(body), "application/x-www-form-urlencoded");

    /// <summary>The RFC 8058 one-click POST a mail client sends, as multipart/form-data.</summary>
    protected Task<Answer> PostOneClickAsync(string url)
    {
        const string boundary = "----reengage42";
        var body = $"--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--{boundary}--\r\n";
        return SendAsync("POST", url, Encoding.UTF8.GetBytes(body), $"multipart/form-data; boundary={boundary}");
    }

    /// <summary>Calls the function that serves <paramref name="url"/> (<c>…/api/r/{t}</c>, <c>feedback/{t}</c>, <c>unsubscribe/{t}</c>).</summary>
    protected async Task<Answer> SendAsync(string method, string url, byte[]? body = null, string? contentType = null, AnswerFunctions? functions = null)
    {
        Assert.StartsWith(Base, url, StringComparison.Ordinal);
        var path = url[Base.Length..];
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var (route, token) = (path[..slash], Uri.UnescapeDataString(path[(slash + 1)..]));
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = method;
        if (body is not null)
        {
            request.Body = new MemoryStream(body);
            request.ContentLength = body.Length;
        }
        request.ContentType = contentType;
        var function = functions ?? Functions();
        var result = route switch
        {
            "r" => await function.Respond(request, token, CancellationToken.None),
            "feedback" => await function.Feedback(request, token, CancellationToken.None),
            "unsubscribe" => await function.Unsubscribe(request, token, CancellationToken.None),
            _ => throw new ArgumentException(url, nameof(url)),
        };
        using var responseBody = new MemoryStream();
        context.Response.Body = responseBody;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return new Answer(context.Response.StatusCode, context.Response.Headers, Encoding.UTF8.GetString(responseBody.ToArray()));
    }

    /// <summary>Every row of every table with its ETag, by table: equal snapshots mean nothing was written.</summary>
    protected async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var snapshot = new Dictionary<string, string>();
        foreach (var table in new[] { Clients.Practices, Clients.Patients, Clients.Appointments, Clients.Outreach, Clients.DueIndex, Clients.InboundEvents, Clients.Suppressions, Clients.MessageIndex, Clients.Feedback })
        {
            var text = new StringBuilder();
            await foreach (var entity in table.QueryAsync<TableEntity>())
            {
                text.Append(entity.PartitionKey).Append('/').Append(entity.RowKey).Append(' ').Append(entity.ETag).AppendLine();
            }
            snapshot[table.Name] = text.ToString();
        }
        return snapshot;
    }

    protected async Task<Answer> ExpectUnchangedAsync(Func<Task<Answer>> action, int status)
    {
        var before = await SnapshotAsync();
        var answer = await action();
        Assert.Equal(status, answer.Status);
        AssertSame(before, await SnapshotAsync());
        return answer;
    }

    /// <summary>Names the table that changed, with its rows before and after.</summary>
    protected static void AssertSame(Dictionary<string, string> before, Dictionary<string, string> after, params string[] except)
    {
        foreach (var (table, rows) in before)
        {
            if (except.Any(name => table.EndsWith(name, StringComparison.Ordinal))) continue;
            Assert.True(rows == after[table], $"{table} changed:\n{rows}→\n{after[table]}");
        }
    }

    /// <summary>The headers every page carries (docs/answers.md).</summary>
    protected static void AssertPageHeaders(Answer answer)
    {
        Assert.Equal("text/html; charset=utf-8", answer["Content-Type"]);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'", answer["Content-Security-Policy"]);
        Assert.Equal("nosniff", answer["X-Content-Type-Options"]);
        Assert.Equal("no-referrer", answer["Referrer-Policy"]);
        Assert.Equal("no-store", answer["Cache-Control"]);
        Assert.Equal("DENY", answer["X-Frame-Options"]);
    }

    protected async Task<Patient> PatientAsync() => (await World.Patients.GetPatientAsync(World.PracticeId, World.PatientId))!.Value;

    protected async Task<FeedbackEntry?> FeedbackAsync() => await new TableFeedbackStore(Clients.Feedback).GetFeedbackAsync(World.PracticeId, World.Row().Id);

    protected static string TokenOf(string url) => url[(url.LastIndexOf('/') + 1)..];
}
