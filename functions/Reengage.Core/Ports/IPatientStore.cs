using Reengage.Core.Model;

namespace Reengage.Core.Ports;

public interface IPatientStore
{
    Task<Versioned<Patient>?> GetPatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default);

    /// <summary><see cref="ErrorCode.Conflict"/> if the patient exists. Returns the new ETag.</summary>
    Task<string> CreatePatientAsync(Patient patient, CancellationToken cancellationToken = default);

    /// <summary><see cref="ErrorCode.PreconditionFailed"/> when the ETag no longer matches. Returns the new ETag.</summary>
    Task<string> UpdatePatientAsync(Patient patient, string etag, CancellationToken cancellationToken = default);

    /// <summary>Succeeds if already gone; also removes the patient's address index entries.</summary>
    Task DeletePatientAsync(string practiceId, string patientId, CancellationToken cancellationToken = default);

    IAsyncEnumerable<Patient> ListPatientsAsync(string practiceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The practice's patient with this address (trimmed, case-insensitive), through an index, never a partition
    /// scan; the earliest created when several share it; null when none.
    /// </summary>
    Task<string?> FindPatientIdByEmailAsync(string practiceId, string email, CancellationToken cancellationToken = default);
}

public interface IAppointmentStore
{
    Task<Versioned<Appointment>?> GetAppointmentAsync(string practiceId, string patientId, string appointmentId, CancellationToken cancellationToken = default);

    /// <summary><see cref="ErrorCode.Conflict"/> if it exists. Returns the new ETag.</summary>
    Task<string> CreateAppointmentAsync(Appointment appointment, CancellationToken cancellationToken = default);

    /// <summary><see cref="ErrorCode.PreconditionFailed"/> when the ETag no longer matches. Returns the new ETag.</summary>
    Task<string> UpdateAppointmentAsync(Appointment appointment, string etag, CancellationToken cancellationToken = default);

    /// <summary>One patient's appointments (a RowKey range of the practice's partition).</summary>
    IAsyncEnumerable<Appointment> ListAppointmentsAsync(string practiceId, string patientId, CancellationToken cancellationToken = default);

    /// <summary>Succeeds if already gone.</summary>
    Task DeleteAppointmentAsync(string practiceId, string patientId, string appointmentId, CancellationToken cancellationToken = default);
}
