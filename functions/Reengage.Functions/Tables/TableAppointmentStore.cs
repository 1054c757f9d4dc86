// Appointments table: PK practiceId, RK `patientId|appointmentId`, so a patient's appointments are one RowKey range
// of their practice's partition.
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Tables;

public sealed class TableAppointmentStore(TableClient appointmentsTable) : IAppointmentStore
{
    private readonly TableOperations _appointments = new(appointmentsTable);

    public async Task<Versioned<Appointment>?> GetAppointmentAsync(string practiceId, string patientId, string appointmentId, CancellationToken cancellationToken = default)
    {
        var row = await _appointments.GetAsync(TableKeys.Checked(practiceId, "practice id"), RowKeyOf(patientId, appointmentId), cancellationToken).ConfigureAwait(false);
        return row is { } r ? new Versioned<Appointment>(AppointmentFrom(r.Entity), r.ETag) : null;
    }

    public Task<string> CreateAppointmentAsync(Appointment appointment, CancellationToken cancellationToken = default) =>
        _appointments.CreateAsync(AppointmentTo(appointment), cancellationToken);

    public Task<string> UpdateAppointmentAsync(Appointment appointment, string etag, CancellationToken cancellationToken = default) =>
        _appointments.ReplaceAsync(AppointmentTo(appointment), etag, cancellationToken);

    public async IAsyncEnumerable<Appointment> ListAppointmentsAsync(string practiceId, string patientId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (from, to) = TableKeys.RangeOf(patientId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Checked(practiceId, "practice id")} and RowKey ge {from} and RowKey lt {to}");
        await foreach (var entity in _appointments.QueryAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            var appointment = AppointmentFrom(entity);
            // A patient id that itself contains `|` would share the range of a shorter one; the property is exact.
            if (appointment.PatientId == patientId) yield return appointment;
        }
    }

    public Task DeleteAppointmentAsync(string practiceId, string patientId, string appointmentId, CancellationToken cancellationToken = default) =>
        _appointments.DeleteAsync(TableKeys.Checked(practiceId, "practice id"), RowKeyOf(patientId, appointmentId), cancellationToken);

    private static string RowKeyOf(string patientId, string appointmentId) => TableKeys.Checked($"{patientId}|{appointmentId}", "appointment key");

    private TableEntity AppointmentTo(Appointment appointment) =>
        new EntityWriter(_appointments.Table, TableKeys.Checked(appointment.PracticeId, "practice id"), RowKeyOf(appointment.PatientId, appointment.Id))
            .Set("practiceId", appointment.PracticeId)
            .Set("id", appointment.Id)
            .Set("patientId", appointment.PatientId)
            .Set("therapistId", appointment.TherapistId)
            .Set("startsAt", appointment.StartsAt)
            .SetWire("status", appointment.Status)
            .Set("lastEventAt", appointment.LastEventAt)
            .Set("bookedAt", appointment.BookedAt)
            // When each fact was learnt, so that late events merge in whatever order they arrive (BookingMerge).
            .Set("startsAtEventAt", appointment.StartsAtEventAt)
            .Set("startsAtGuessed", appointment.StartsAtGuessed)
            .Set("therapistEventAt", appointment.TherapistEventAt)
            .Set("therapistFromPatient", appointment.TherapistFromPatient)
            .Build();

    private Appointment AppointmentFrom(TableEntity entity)
    {
        var r = new EntityReader(entity, _appointments.Table);
        return new Appointment
        {
            PracticeId = r.String("practiceId"),
            Id = r.String("id"),
            PatientId = r.String("patientId"),
            TherapistId = r.OptionalString("therapistId"),
            StartsAt = r.Instant("startsAt"),
            Status = r.WireEnum<AppointmentStatus>("status"),
            LastEventAt = r.Instant("lastEventAt"),
            BookedAt = r.OptionalInstant("bookedAt"),
            StartsAtEventAt = r.OptionalInstant("startsAtEventAt"),
            StartsAtGuessed = r.OptionalBool("startsAtGuessed"),
            TherapistEventAt = r.OptionalInstant("therapistEventAt"),
            TherapistFromPatient = r.OptionalBool("therapistFromPatient"),
        };
    }
}
