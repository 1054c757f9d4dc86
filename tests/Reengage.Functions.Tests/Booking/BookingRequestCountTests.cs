using System.Text.Json.Nodes;
using Reengage.Core.Model;
using Reengage.Functions.Tests.Storage;
using Xunit.Abstractions;

namespace Reengage.Functions.Tests.Booking;

/// <summary>
/// Storage requests per webhook, counted on the wire with the practice already cached (an earlier webhook warmed it), so
/// that a change adding one to the common path is noticed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BookingRequestCountTests(AzuriteFixture fixture, ITestOutputHelper output) : BookingWebhookTestBase(fixture)
{
    private async Task<int> CountAsync(Func<Task<Answer>> action, int status)
    {
        // Warm the practice cache the way an earlier webhook would.
        await Practices.GetPracticeAsync(Practice.Id);
        await Practices.GetSecretsAsync(Practice.Id);
        Counter.Reset();
        var answer = await action();
        Assert.Equal(status, answer.Status);
        output.WriteLine(string.Join(", ", Counter.Snapshot().Select(c => $"{c.Key}: {c.Value}")));
        return Counter.Total;
    }

    private static JsonObject Second(string id, string occurredAt)
    {
        var e = Booked(id, occurredAt, "2026-12-04T14:00:00+01:00");
        e["appointment"]!["id"] = "apt_10";
        return e;
    }

    [Fact]
    public async Task A_booking_for_a_known_patient_costs_at_most_five_requests()
    {
        // A patient in care with a booking already: a further booking leaves the next booking, so the due day, alone.
        await PostAsync(Booked("evt_1", "2026-11-20T10:00:00Z"));

        var total = await CountAsync(() => PostAsync(Second("evt_2", "2026-11-20T10:05:00Z")), 202);

        Assert.True(total <= 5, $"{total}: {string.Join(", ", Counter.Snapshot())}");
        Assert.Equal(1, Counter.Count(Clients.InboundEvents.Name));
        Assert.Equal(0, Counter.Count(Clients.Outreach.Name));
        Assert.Equal(0, Counter.Count(Clients.DueIndex.Name));
    }

    [Fact]
    public async Task A_booking_that_moves_the_due_day_adds_the_due_index_moves_only()
    {
        // A lapsed patient (last visit long ago) books: the new index row is written before the patient, the old deleted after.
        await Patients.CreatePatientAsync(Builders.BarePatient(Practice.Id, "pat_42", "camille@example.org") with { DueDay = "20261201", EmailConsent = new EmailConsent(true, Start.AddYears(-1), "import") });

        var total = await CountAsync(() => PostAsync(Booked("evt_1", "2026-11-20T10:00:00Z")), 202);

        Assert.Equal(7, total);
        Assert.Equal(2, Counter.Count(Clients.DueIndex.Name));
    }

    [Fact]
    public async Task A_fully_applied_duplicate_costs_four_requests_and_writes_nothing()
    {
        await PostAsync(Booked("evt_1", "2026-11-20T10:00:00Z"));
        await PostAsync(Second("evt_2", "2026-11-20T10:05:00Z"));

        var total = await CountAsync(() => PostAsync(Second("evt_2", "2026-11-20T10:05:00Z")), 200);

        // The insert that conflicts, the patient, its appointments, the record's status.
        Assert.Equal(4, total);
        Assert.Equal(2, Counter.Count(Clients.InboundEvents.Name));
    }

    [Fact]
    public async Task A_booking_for_a_new_patient_costs_eight_requests()
    {
        var total = await CountAsync(() => PostAsync(Booked("evt_1", "2026-11-20T10:00:00Z")), 202);

        // Patient, appointments, insert the id, the suppression list (a new address), create the appointment, the
        // DueIndex row, create the patient, mark applied.
        Assert.Equal(8, total);
        Assert.Equal(1, Counter.Count(Clients.Suppressions.Name));
    }
}
