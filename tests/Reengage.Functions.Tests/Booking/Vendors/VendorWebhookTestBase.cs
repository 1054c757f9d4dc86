using System.Security.Cryptography;
using System.Text;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Core.Security;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Booking.Vendors;

/// <summary>
/// The booking webhook for the vendors: recorded payloads from
/// tests/fixtures/&lt;vendor&gt;/ signed with each vendor's documented scheme (computed here with HMACSHA256, not with the
/// app's signers), a practice with a default therapist, its vendor secrets and a therapist mapping.
/// </summary>
public abstract class VendorWebhookTestBase(AzuriteFixture fixture) : BookingWebhookTestBase(fixture)
{
    protected const string CalSecret = "calcom-whsec-7f1d0c9a4b2e";
    protected const string CalendlyKey = "calendly-signing-key-3b8e61f0d2a4";
    protected const string TomUri = "https://api.calendly.com/users/3c1f9b2e-7d4a-4e6b-9a51-0f2d8c6e4b10";

    protected static readonly TherapistMappingEntry[] MappingEntries =
    [
        new("calcom:organizer:lea.martin@tilleuls.example", "th_lea"),
        new($"calendly:user:{TomUri}", "th_tom"),
        new("acuity:calendar:27238", "th_lea"),
        new("acuity:calendar:27239", "th_tom"),
    ];

    /// <summary>The practice with <c>th_default</c> as its default therapist, the vendors' secrets and the mapping.</summary>
    protected static readonly AcuityCredentials AcuityAccount = new("11145481", "acuity-api-key-9c2f4e6a8b0d1f3e");

    protected async Task SetUpVendorsAsync(WebhookSecret? calcom = null, AcuityCredentials? acuity = null)
    {
        Practice = Practice with { DefaultTherapistId = "th_default" };
        await Practices.UpsertPracticeAsync(Practice);
        await Practices.UpsertSecretsAsync(new PracticeSecrets
        {
            PracticeId = Practice.Id,
            Webhooks = new Dictionary<WebhookSource, WebhookSecret>
            {
                [WebhookSource.Generic] = new(Secret, null, null),
                [WebhookSource.Calcom] = calcom ?? new(CalSecret, null, null),
                [WebhookSource.Calendly] = new(CalendlyKey, null, null),
            },
            Acuity = acuity ?? AcuityAccount,
        });
        await Practices.CreateTherapistMappingAsync(new TherapistMapping { PracticeId = Practice.Id, Entries = MappingEntries });
    }

    protected static byte[] FixtureBytes(string name) => File.ReadAllBytes(Path.Combine(RepositoryRoot.Find(), "tests", "fixtures", name));

    protected static string FixtureText(string name) => Encoding.UTF8.GetString(FixtureBytes(name));

    protected static string CalSignature(string body, string secret = CalSecret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    protected Task<Answer> CalcomAsync(string body, string secret = CalSecret, string? practiceId = null) =>
        SendAsync(practiceId ?? Practice.Id, body, new Dictionary<string, string> { ["X-Cal-Signature-256"] = CalSignature(body, secret) }, source: "calcom");

    protected static string CalendlySignature(string body, long timestamp, string key = CalendlyKey) =>
        $"t={timestamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{timestamp}.{body}")))}";

    protected Task<Answer> CalendlyAsync(string body, long? timestamp = null, string key = CalendlyKey) =>
        SendAsync(Practice.Id, body, new Dictionary<string, string> { ["Calendly-Webhook-Signature"] = CalendlySignature(body, timestamp ?? UnixNow, key) }, source: "calendly");

    protected static string AcuitySignature(string body, string key) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(body)));

    protected Task<Answer> AcuityAsync(string form, string? key = null) =>
        SendAsync(Practice.Id, form, new Dictionary<string, string> { ["X-Acuity-Signature"] = AcuitySignature(form, key ?? AcuityAccount.ApiKey) },
            source: "acuity", contentType: "application/x-www-form-urlencoded");

    protected async Task<Patient> PatientByEmailAsync(string email)
    {
        var id = await Patients.FindPatientIdByEmailAsync(Practice.Id, email);
        Assert.NotNull(id);
        var patient = await PatientAsync(id);
        Assert.NotNull(patient);
        return patient;
    }

    protected async Task<List<Appointment>> AppointmentsOfAsync(string patientId) =>
        (await CollectAsync(Appointments.ListAppointmentsAsync(Practice.Id, patientId))).OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
}
