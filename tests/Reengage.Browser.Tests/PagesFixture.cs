using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using MimeKit;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Functions;
using Reengage.Functions.Outreach;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;
using Reengage.LocalHost;
using Reengage.Testing;

namespace Reengage.Browser.Tests;

/// <summary>
/// Azurite, the app in the local host on 127.0.0.1 (its own composition, a clock of the test's), one real email per locale
/// sent into the outbox by the app's own sender, and Debian's Chromium driven by Playwright.
/// </summary>
public sealed partial class PagesFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string PracticeId = "prac_browser";
    public const string BookingUrl = "https://tilleuls.example/rdv";

    /// <summary>Tuesday 5 January 2027, 10:00 UTC: inside the practice's send window.</summary>
    public static readonly DateTimeOffset Slot = new(2027, 1, 5, 10, 0, 0, TimeSpan.Zero);

    public static readonly SigningKey Key = new("k1", [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    private readonly string _outbox = Path.Combine(Path.GetTempPath(), "reengage-browser-" + Guid.NewGuid().ToString("N"));
    private Azurite _azurite = null!;
    private LocalFunctionsHost _host = null!;
    private IPlaywright _playwright = null!;

    public FakeTimeProvider Clock { get; } = new(Slot);
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseUrl { get; private set; } = null!;
    public ReengageStorageClients Clients { get; private set; } = null!;
    public IReadOnlyDictionary<Locale, EmailLinks> Links { get; private set; } = null!;
    public IReadOnlyDictionary<Locale, OutreachRow> Rows { get; private set; } = null!;

    /// <summary>Where the screenshots go: <c>artifacts/screenshots</c> at the repository's root (ignored by git).</summary>
    public static string Screenshots => Path.Combine(RepositoryRoot.Find(), "artifacts", "screenshots");

    public sealed record EmailLinks(string Book, string Later, string Unsubscribe, string Feedback);

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        var port = LocalFunctionsHost.FindFreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
        {
            Port = port,
            Settings = SampleSettings.ForAzurite(_azurite.ConnectionString, _outbox, new Dictionary<string, string?>
            {
                ["PUBLIC_BASE_URL"] = BaseUrl.AbsoluteUri.TrimEnd('/'),
                ["LINK_SIGNING_KEYS"] = $"{Key.Id}:{Convert.ToBase64String(Key.Secret)}",
            }),
            Configure = builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(Clock);
                builder.AddReengage();
            },
        });
        Clients = ReengageStorageClients.Create(new StorageConnection.ConnectionString(_azurite.ConnectionString));
        await SeedAsync();
        var sender = _host.Services.GetRequiredService<OutreachSender>();
        var links = new Dictionary<Locale, EmailLinks>();
        var rows = new Dictionary<Locale, OutreachRow>();
        foreach (var locale in new[] { Locale.Fr, Locale.En })
        {
            var row = Row(locale);
            await sender.SendAsync(new SendRequest(PracticeId, row.Id, Slot));
            links[locale] = await LinksOfAsync(row);
            rows[locale] = row;
        }
        (Links, Rows) = (links, rows);
        // The patients read their email two hours later: long after any mail scanner.
        Clock.Advance(TimeSpan.FromHours(2));

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        if (Directory.Exists(_outbox)) Directory.Delete(_outbox, recursive: true);
    }

    public static string PatientId(Locale locale) => $"pat_{Wire.Name(locale)}";

    public static string Email(Locale locale) => $"patient.{Wire.Name(locale)}@example.org";

    private static OutreachRow Row(Locale locale)
    {
        var row = new OutreachRow
        {
            PracticeId = PracticeId,
            PatientId = PatientId(locale),
            Campaign = Campaign.Lapse,
            EpisodeKey = "2026-12-05",
            Step = 3,
            TemplateId = TemplateId.Feedback,
            Locale = locale,
            TherapistId = "th_1",
            Status = OutreachStatus.Planned,
            PlannedAt = Slot.AddDays(-1),
            NotBefore = Slot,
            OperationId = "",
        };
        return row with { OperationId = Ids.OperationIdOf(PracticeId, row.Id) };
    }

    private async Task SeedAsync()
    {
        var practices = new TablePracticeStore(Clients.Practices, Clients.Therapists);
        await practices.UpsertPracticeAsync(new Practice
        {
            Id = PracticeId,
            Name = "Cabinet des Tilleuls",
            TimeZone = "Europe/Paris",
            Locale = Locale.Fr,
            SenderAddress = "bonjour@tilleuls.example",
            SenderDisplayName = "Cabinet des Tilleuls",
            BookingUrl = BookingUrl,
            CadenceDays = [30, 60, 120],
            SeasonalWindows = [],
        });
        await practices.UpsertTherapistAsync(new Therapist
        {
            PracticeId = PracticeId,
            Id = "th_1",
            DisplayName = "Léa Martin",
            Email = "lea.martin@tilleuls.example",
            Signature = "Léa Martin\nPsychologue",
        });
        var patients = new TablePatientStore(Clients.Patients);
        var ledger = new TableOutreachLedger(Clients.Outreach);
        foreach (var locale in new[] { Locale.Fr, Locale.En })
        {
            var row = Row(locale);
            await patients.CreatePatientAsync(new Patient
            {
                PracticeId = PracticeId,
                Id = PatientId(locale),
                FirstName = locale == Locale.Fr ? "Zoé" : "Sam",
                Email = Email(locale),
                Locale = locale,
                TherapistId = "th_1",
                EmailConsent = new EmailConsent(true, Slot.AddDays(-200), "import"),
                LastVisitAt = Slot.AddDays(-121),
                TouchLog = [new TouchRecord(Slot.AddDays(-1), row.Id, row.EpisodeKey)],
                CreatedAt = Slot.AddDays(-300),
                UpdatedAt = Slot.AddDays(-1),
            });
            Assert.NotNull(await ledger.CreateOutreachAsync(row));
        }
    }

    private async Task<EmailLinks> LinksOfAsync(OutreachRow row)
    {
        foreach (var file in Directory.GetFiles(_outbox, "*.eml"))
        {
            using var email = await MimeMessage.LoadAsync(file);
            if (email.Headers["X-Reengage-Outreach"] != row.OperationId) continue;
            var found = LinkPattern().Matches(email.TextBody ?? "").Select(m => m.Value).Distinct().ToList();
            string Of(LinkAction action) => found.Single(url => LinkTokens.Verify(url[(url.LastIndexOf('/') + 1)..], [Key], Slot).Token?.Action == action);
            return new EmailLinks(Of(LinkAction.Book), Of(LinkAction.Later), Of(LinkAction.Unsubscribe), Of(LinkAction.Feedback));
        }
        throw new InvalidOperationException($"No email in the outbox for {row.OperationId}: the sender did not send it.");
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/api/(?:r|unsubscribe)/[A-Za-z0-9_.-]+")]
    private static partial Regex LinkPattern();

    public async Task<Patient> PatientAsync(Locale locale) => (await new TablePatientStore(Clients.Patients).GetPatientAsync(PracticeId, PatientId(locale)))!.Value;

    public async Task<OutreachRow> RowAsync(Locale locale) => (await new TableOutreachLedger(Clients.Outreach).GetOutreachAsync(PracticeId, Row(locale).Id))!.Value;

    public async Task<FeedbackEntry?> FeedbackAsync(Locale locale) => await new TableFeedbackStore(Clients.Feedback).GetFeedbackAsync(PracticeId, Row(locale).Id);
}

[CollectionDefinition(Name)]
public sealed class PagesCollection : ICollectionFixture<PagesFixture>
{
    public const string Name = "Pages";
}
