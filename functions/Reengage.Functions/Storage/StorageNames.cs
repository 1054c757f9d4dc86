namespace Reengage.Functions.Storage;

/// <summary>
/// The table and queue names (SPEC §3, §4). <see cref="Default"/> is what runs in Azure and what the queue triggers
/// bind to; <see cref="WithAffix"/> gives a test class or a throwaway environment its own set.
/// </summary>
public sealed record StorageNames
{
    public string Practices { get; init; } = "Practices";
    public string Therapists { get; init; } = "Therapists";
    public string Patients { get; init; } = "Patients";
    public string Appointments { get; init; } = "Appointments";
    public string Outreach { get; init; } = "Outreach";
    public string Suppressions { get; init; } = "Suppressions";
    public string Feedback { get; init; } = "Feedback";
    public string InboundEvents { get; init; } = "InboundEvents";
    public string DueIndex { get; init; } = "DueIndex";
    public string MessageIndex { get; init; } = "MessageIndex";
    /// <summary>The ACS send slots the planners reserve (one row per slot grid and UTC hour).</summary>
    public string SendSlots { get; init; } = "SendSlots";
    public string OutreachSend { get; init; } = OutreachSendQueue;
    public string EmailEvents { get; init; } = EmailEventsQueue;

    /// <summary>The queue names the triggers bind to, as constants for attributes.</summary>
    public const string OutreachSendQueue = "outreach-send";
    public const string EmailEventsQueue = "email-events";

    public static StorageNames Default { get; } = new();

    /// <summary>Where the host moves a message after maxDequeueCount, and where the app puts what it can never process.</summary>
    public static string PoisonOf(string queue) => queue + "-poison";

    public IReadOnlyList<string> Tables =>
        [Practices, Therapists, Patients, Appointments, Outreach, Suppressions, Feedback, InboundEvents, DueIndex, MessageIndex, SendSlots];

    /// <summary>Every queue with its poison twin.</summary>
    public IReadOnlyList<string> Queues => [OutreachSend, PoisonOf(OutreachSend), EmailEvents, PoisonOf(EmailEvents)];

    /// <summary>
    /// Table names become <c>prefix + Name + suffix</c> (letters and digits only, starting with a letter), queue names
    /// <c>prefix-name-suffix</c> in lower case (letters, digits and single hyphens).
    /// </summary>
    public static StorageNames WithAffix(string? prefix = null, string? suffix = null)
    {
        prefix ??= "";
        suffix ??= "";
        if (!IsAffix(prefix) || !IsAffix(suffix) || (prefix.Length > 0 && !char.IsAsciiLetter(prefix[0])))
        {
            throw new ArgumentException("A storage name prefix is a letter followed by letters or digits, a suffix letters or digits, each at most 32 characters.");
        }
        string Table(string name) => prefix + name + suffix;
        string Queue(string name) => string.Join('-', new[] { prefix, name, suffix }.Where(part => part.Length > 0)).ToLowerInvariant();
        var d = Default;
        return new StorageNames
        {
            Practices = Table(d.Practices),
            Therapists = Table(d.Therapists),
            Patients = Table(d.Patients),
            Appointments = Table(d.Appointments),
            Outreach = Table(d.Outreach),
            Suppressions = Table(d.Suppressions),
            Feedback = Table(d.Feedback),
            InboundEvents = Table(d.InboundEvents),
            DueIndex = Table(d.DueIndex),
            MessageIndex = Table(d.MessageIndex),
            SendSlots = Table(d.SendSlots),
            OutreachSend = Queue(d.OutreachSend),
            EmailEvents = Queue(d.EmailEvents),
        };
    }

    private static bool IsAffix(string value) => value.Length <= 32 && value.All(char.IsAsciiLetterOrDigit);
}
