using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Functions.Tables;
using Reengage.Functions.Tests.Storage;

namespace Reengage.Functions.Tests.Tables;

[Collection(AzuriteCollection.Name)]
public sealed class TableAppointmentStoreTests(AzuriteFixture fixture) : StorageTestBase(fixture)
{
    private TableAppointmentStore Store => new(Clients.Appointments);

    [Fact]
    public async Task Round_trips_refuses_a_second_create_and_a_stale_update_and_deletes_twice()
    {
        var practiceId = FreshPracticeId();
        var appointment = Builders.AnAppointment(practiceId, "pat_1", "apt_1");
        var etag = await Store.CreateAppointmentAsync(appointment);
        var read = await Store.GetAppointmentAsync(practiceId, "pat_1", "apt_1");
        Assert.Equal(appointment, read!.Value);
        Assert.Equal(etag, read.ETag);

        var conflict = await Assert.ThrowsAsync<ReengageException>(() => Store.CreateAppointmentAsync(appointment));
        Assert.Equal(ErrorCode.Conflict, conflict.Code);

        await Store.UpdateAppointmentAsync(appointment with { Status = AppointmentStatus.Cancelled }, etag);
        var stale = await Assert.ThrowsAsync<ReengageException>(() => Store.UpdateAppointmentAsync(appointment with { Status = AppointmentStatus.NoShow }, etag));
        Assert.Equal(ErrorCode.PreconditionFailed, stale.Code);
        Assert.Equal(AppointmentStatus.Cancelled, (await Store.GetAppointmentAsync(practiceId, "pat_1", "apt_1"))!.Value.Status);

        await Store.DeleteAppointmentAsync(practiceId, "pat_1", "apt_1");
        await Store.DeleteAppointmentAsync(practiceId, "pat_1", "apt_1");
        Assert.Null(await Store.GetAppointmentAsync(practiceId, "pat_1", "apt_1"));
    }

    [Fact]
    public async Task Nulls_round_trip()
    {
        var practiceId = FreshPracticeId();
        var appointment = Builders.AnAppointment(practiceId, "pat_1", "apt_1") with { TherapistId = null, BookedAt = null, Status = AppointmentStatus.NoShow };
        await Store.CreateAppointmentAsync(appointment);
        Assert.Equal(appointment, (await Store.GetAppointmentAsync(practiceId, "pat_1", "apt_1"))!.Value);
    }

    [Fact]
    public async Task Lists_one_patients_appointments_and_not_those_of_a_patient_whose_id_extends_it()
    {
        var practiceId = FreshPracticeId();
        foreach (var (patientId, id) in new[] { ("pat_1", "apt_a"), ("pat_1", "apt_b"), ("pat_10", "apt_c"), ("pat_1}", "apt_d"), ("pat_1~x", "apt_e"), ("pat_", "apt_f"), ("pat_1|x", "apt_g") })
        {
            await Store.CreateAppointmentAsync(Builders.AnAppointment(practiceId, patientId, id));
        }
        Assert.Equal(["apt_a", "apt_b"], (await CollectAsync(Store.ListAppointmentsAsync(practiceId, "pat_1"))).Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["apt_c"], (await CollectAsync(Store.ListAppointmentsAsync(practiceId, "pat_10"))).Select(a => a.Id));
        Assert.Equal(["apt_g"], (await CollectAsync(Store.ListAppointmentsAsync(practiceId, "pat_1|x"))).Select(a => a.Id));
    }
}
