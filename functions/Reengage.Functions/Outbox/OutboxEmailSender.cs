using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Text;
using Reengage.Core.Ports;

namespace Reengage.Functions.Outbox;

/// <summary>
/// The local transport (<c>EMAIL_TRANSPORT=outbox</c>): each email becomes one RFC 5322 <c>.eml</c> file in a folder,
/// named <c>yyyyMMdd-HHmmss-&lt;operation id&gt;.eml</c> (UTC, so names sort in sending order), headers included.
/// An operation id is written at most once, also across processes sharing the folder. Thread-safe: register one instance.
/// </summary>
public sealed partial class OutboxEmailSender(string directory, TimeProvider timeProvider) : IEmailSender
{
    private const string LockFileName = ".outbox.lock";
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    /// <summary>Names the message builder writes itself; a custom header may not replace them.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    };

    private static readonly FormatOptions Format = CreateFormat();

    private readonly string _directory = Path.GetFullPath(directory ?? throw new ArgumentNullException(nameof(directory)));
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    private readonly SemaphoreSlim _commit = new(1, 1);

    /// <summary>The folder the files go to (absolute).</summary>
    public string Directory => _directory;

    public async Task<SendOutcome> SendAsync(OutgoingEmail email, string operationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        RequireOperationId(operationId);
        var accepted = new SendOutcome.Accepted(operationId);
        if (FindFile(operationId) is not null)
        {
            return accepted;
        }
        var sentAt = _timeProvider.GetUtcNow();
        // Built before anything touches the disk, so that a refused header leaves no trace.
        using var message = BuildMessage(email, operationId, sentAt);
        System.IO.Directory.CreateDirectory(_directory);
        // Written under a temporary dot-name, then moved: a reader never sees half a message, and a crash leaves
        // only a dot-file that GetStatusAsync ignores.
        var temporary = Path.Combine(_directory, $".{operationId}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, useAsync: true))
            {
                await message.WriteToAsync(Format, file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            await CommitAsync(temporary, operationId, sentAt, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temporary);
        }
        return accepted;
    }

    public Task<SendStatus> GetStatusAsync(string operationId, CancellationToken cancellationToken = default)
    {
        RequireOperationId(operationId);
        return Task.FromResult(FindFile(operationId) is null ? SendStatus.Unknown : SendStatus.Succeeded);
    }

    /// <summary>
    /// Checks and moves under one lock: the semaphore for this process, an exclusive lock file for the others (the
    /// operating system drops it if a process dies holding it). A second sender of the same id finds the file and
    /// leaves it alone.
    /// </summary>
    private async Task CommitAsync(string temporary, string operationId, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        await _commit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var folderLock = await LockFolderAsync(cancellationToken).ConfigureAwait(false);
            if (FindFile(operationId) is null)
            {
                var name = $"{sentAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{operationId}.eml";
                File.Move(temporary, Path.Combine(_directory, name), overwrite: false);
            }
        }
        finally
        {
            _commit.Release();
        }
    }

    private async Task<FileStream> LockFolderAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(_directory, LockFileName);
        // Real elapsed time, not the injected clock: this bounds a wait on the file system, it dates nothing.
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < LockWait)
            {
                // Another process holds the lock for a directory scan and a rename: a few milliseconds.
                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private string? FindFile(string operationId)
    {
        if (!System.IO.Directory.Exists(_directory))
        {
            return null;
        }
        // The pattern narrows the scan; the exact comparison keeps "abc" from matching the file of "x-abc".
        return System.IO.Directory.EnumerateFiles(_directory, $"*-{operationId}.eml")
            .FirstOrDefault(path => FileName().Match(Path.GetFileName(path)) is { Success: true } match && match.Groups[1].Value == operationId);
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when a header value holds a line break or another control character:
    /// values come from our own renderer and settings, so that is a bug or a hostile setting to surface, never
    /// something to clean up quietly (it would be a header injection in a real transport).
    /// </summary>
    internal static MimeMessage BuildMessage(OutgoingEmail email, string operationId, DateTimeOffset date)
    {
        var message = new MimeMessage();
        message.From.Add(Mailbox(email.From, "From"));
        message.To.Add(Mailbox(email.To, "To"));
        if (email.ReplyTo is { } replyTo)
        {
            message.ReplyTo.Add(Mailbox(replyTo, "Reply-To"));
        }
        message.Subject = HeaderValue("Subject", email.Subject);
        message.Date = date.ToUniversalTime();
        message.MessageId = $"{operationId}@reengage.local";
        foreach (var (name, value) in email.Headers)
        {
            if (!HeaderName().IsMatch(name))
            {
                throw new ArgumentException($"invalid header name \"{name}\"", nameof(email));
            }
            if (ReservedHeaders.Contains(name))
            {
                throw new ArgumentException($"header {name} is set by the message builder", nameof(email));
            }
            message.Headers.Add(name, Encoding.UTF8, HeaderValue(name, value));
        }
        message.Body = new MultipartAlternative
        {
            TextPart(TextFormat.Plain, email.Text),
            TextPart(TextFormat.Html, email.Html),
        };
        return message;
    }

    private static TextPart TextPart(TextFormat format, string text)
    {
        // Quoted-printable keeps the file 7-bit and readable; accents travel as UTF-8 bytes.
        var part = new TextPart(format) { ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        part.SetText(Encoding.UTF8, text);
        return part;
    }

    private static MailboxAddress Mailbox(EmailAddress address, string header)
    {
        HeaderValue(header, address.Address);
        if (!AddressPattern().IsMatch(address.Address))
        {
            throw new ArgumentException($"header {header} holds an invalid address", nameof(address));
        }
        var name = string.IsNullOrEmpty(address.DisplayName) ? "" : HeaderValue(header, address.DisplayName);
        return new MailboxAddress(Encoding.UTF8, name, address.Address);
    }

    private static string HeaderValue(string header, string value)
    {
        foreach (var character in value)
        {
            if (char.IsControl(character) && character != '\t')
            {
                throw new ArgumentException($"header {header} contains a line break or control character", nameof(value));
            }
        }
        return value;
    }

    private static void RequireOperationId(string operationId)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        // The id becomes part of a file name: nothing that could leave the folder or match another id's file.
        if (!OperationIdPattern().IsMatch(operationId))
        {
            throw new ArgumentException("operationId must be letters, digits and dashes (at most 100)", nameof(operationId));
        }
    }

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        // RFC 5322 line ends whatever the machine, and 7-bit headers (RFC 2047 encoded words) for any mail reader.
        format.NewLineFormat = NewLineFormat.Dos;
        format.International = false;
        return format;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,99}$")]
    private static partial Regex OperationIdPattern();

    [GeneratedRegex(@"^\d{8}-\d{6}-([A-Za-z0-9-]+)\.eml$")]
    private static partial Regex FileName();

    [GeneratedRegex("^[!-9;-~]+$")]
    private static partial Regex HeaderName();

    [GeneratedRegex("""^[^\s<>(),;:"\\\[\]]+@[^\s<>(),;:"\\\[\]@]+$""")]
    private static partial Regex AddressPattern();
}
