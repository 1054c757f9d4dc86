using Microsoft.Extensions.Time.Testing;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Reengage.Functions.Storage;
using Reengage.Functions.Tables;

namespace Reengage.Functions.Tests.Storage;

/// <summary>
/// The storage operations a booking for a known patient needs, each as cheap as the adapters make it, add up to at
/// most five requests once the practice is cached. The booking use case keeps its own count; this one notices an
/// adapter that starts costing more than one request per operation.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CommonPathBudgetTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    [Fact]
    public async Task A_booking_for_a_known_patient_costs_at_most_five_requests()
    {
        var time = new FakeTimeProvider(Builders.Now);
        var practices = new CachedPracticeStore(new TablePracticeStore(Clients.Practices, Clients.Therapists), time);
        var patients = new TablePatientStore(Clients.Patients);
        var appointments = new TableAppointmentStore(Clients.Appointments);
        var events = new TableInboundEventStore(Clients.InboundEvents);
        var practice = Builders.BarePractice(FreshPracticeId());
        await practices.UpsertPracticeAsync(practice);
        await practices.UpsertSecretsAsync(new PracticeSecrets { PracticeId = practice.Id, ApiKeyHashes = ["h"] });
        await patients.CreatePatientAsync(Builders.BarePatient(practice.Id, "pat_1", "camille@example.org"));
        // An earlier webhook of the same practice warmed the cache.
        await practices.GetPracticeAsync(practice.Id);
        await practices.GetSecretsAsync(practice.Id);
        Counter.Reset();

        Assert.NotNull(await practices.GetPracticeAsync(practice.Id));
        Assert.NotNull(await practices.GetSecretsAsync(practice.Id));
        var recorded = await events.RecordIfNewAsync(new InboundEventRecord
        {
            PracticeId = practice.Id,
            Source = WebhookSource.Generic,
            EventId = "evt_1",
            Type = "appointment.booked",
            Status = InboundEventStatus.Received,
            ReceivedAt = Builders.Now,
            BodyHash = "b",
        });
        Assert.NotNull(recorded);
        var patient = await patients.GetPatientAsync(practice.Id, "pat_1");
        Assert.Null(await appointments.GetAppointmentAsync(practice.Id, "pat_1", "apt_1"));
        await appointments.CreateAppointmentAsync(Builders.AnAppointment(practice.Id, "pat_1", "apt_1"));
        await patients.UpdatePatientAsync(patient!.Value with { NextBookingAt = Builders.Now.AddDays(7) }, patient.ETag);

        Assert.True(Counter.Total <= 5, string.Join(", ", Counter.Snapshot().Select(c => $"{c.Key}: {c.Value}")));
        Assert.Equal(1, Counter.Count("$batch"));
    }
}
