using Reengage.Core.Model;

namespace Reengage.Core.Booking;

// Applies one validated booking event to the stored patient and appointments, as a merge: the state a patient and
// its appointments end in is the same whatever order their events arrive in, and however often each arrives.
//
// Booking tools deliver out of order and more than once. The TypeScript implementation dropped an appointment
// event older than the row's lastEventAt, and with it the facts only that event carried (a `booked` arriving after
// its `cancelled` left no bookedAt, no lastBookedAt, no rebooking). Here every fact keeps the event time it came
// with, and each one merges by a rule that is commutative, associative and idempotent (a join):
//
//   appointment.status      the status of the latest event by event time (`LastEventAt`); at equal event times the
//                           highest rank wins: booked < completed < no_show < cancelled. Booked and rescheduled say
//                           booked. "Forward" is forward in event time: an older event never overrides a newer one.
//   appointment.startsAt    the start of the latest event that carried one (`StartsAtEventAt`; equal times: the later
//                           start). While no event carried one, the earliest event time stands in (`StartsAtGuessed`),
//                           and the first start given replaces it.
//   appointment.bookedAt    the earliest event time of a booked or rescheduled event.
//   appointment.therapistId the appointment's own therapistId from the latest event that named one; while none did,
//                           the event's patient.therapistId from the latest that named one (`TherapistFromPatient`).
//                           Equal times: the ordinally greater id.
//   appointment.lastEventAt the latest event time.
//   patient profile fields  per field (firstName, email, locale, therapistId, emailConsent, careStatus,
//                           contactPreference, focusArea, progressNote, plan): the value of the latest event that
//                           carried the field (`ProfileFieldTimes`); an event that leaves a field out says nothing
//                           about it. Equal times: a deterministic order per field that leans safe (consent
//                           withheld over granted, discharged over plan_completed over in_care, default contact
//                           over direct, otherwise the greater value, null lowest). A field with no time (imported,
//                           or the default of a new patient) yields to any event.
//   patient.profileEventAt  the latest event time of an event that carried a profile field.
//   patient.lastBookedAt    the latest event time of a booked or rescheduled event.
//   lastVisitAt/nextBooking not merged: derived from all the patient's appointments at `now` (Visits).
//
// Rows written by the TypeScript implementation carry no per-fact times: an appointment's start and therapist then
// date from its lastEventAt, and a patient's fields from its profileEventAt, which is how that implementation's
// stale-event rule read them.
//
// Everything else on the patient (episode, touches, pause, suppression, answers) belongs to other flows and is kept.
// patient.deleted is not a fact but a reset, as in the TypeScript: the caller deletes the patient, its
// appointments and DueIndex row and skips its planned emails; an event after it starts a new patient. (Making
// deletion order-independent too would need a tombstone, which the contract does not have.)
/// <summary>Applies booking events to patient and appointment state as an order-independent merge (rule above).</summary>
public static class BookingMerge
{
    /// <summary>
    /// Applies <paramref name="bookingEvent"/> to <paramref name="patient"/> (null: not seen yet) and the patient's
    /// stored <paramref name="appointments"/> (all of them: the visits are derived from the whole list).
    /// </summary>
    /// <exception cref="ArgumentException">The patient or an appointment belongs to another patient than the event's.</exception>
    public static BookingOutcome Apply(
        string practiceId,
        Patient? patient,
        IReadOnlyList<Appointment> appointments,
        GenericBookingEvent bookingEvent,
        DateTimeOffset now)
    {
        var patientId = bookingEvent.Patient.Id;
        if (patient is not null && (patient.Id != patientId || patient.PracticeId != practiceId))
            throw new ArgumentException("The stored patient is not the event's.", nameof(patient));
        if (appointments.Any(a => a.PatientId != patientId || a.PracticeId != practiceId))
            throw new ArgumentException("Every appointment must be the event's patient's.", nameof(appointments));

        if (bookingEvent.Type == BookingEventType.PatientDeleted) return new BookingOutcome.DeletePatient(patientId);

        var at = bookingEvent.OccurredAt.ToUniversalTime();
        var before = patient ?? PracticeDefaults.NewPatient(practiceId, patientId, now);
        var after = MergeProfile(before, bookingEvent.Patient, at);

        Appointment? stored = null;
        Appointment? merged = null;
        IEnumerable<Appointment> all = appointments;
        if (bookingEvent.IsAppointmentEvent)
        {
            var input = bookingEvent.Appointment
                ?? throw new ArgumentException("An appointment event carries its appointment.", nameof(bookingEvent));
            stored = appointments.FirstOrDefault(a => a.Id == input.Id);
            merged = MergeAppointment(practiceId, stored, bookingEvent, at);
            all = [.. appointments.Where(a => a.Id != input.Id), merged];
        }
        if (bookingEvent.IsBooking) after = after with { LastBookedAt = Later(after.LastBookedAt, at) };
        after = PatientRecords.RefreshVisits(after, all, now);

        // The booking a rebooking is attributed to: a `booked` earlier than any booking the appointment recorded, so a
        // late one still counts and a repeated one does not count twice.
        var rebookedAt = bookingEvent.Type == BookingEventType.AppointmentBooked && (stored?.BookedAt is null || stored.BookedAt > at)
            ? at
            : (DateTimeOffset?)null;
        var emailChanged = after.Email != before.Email;
        var changes = new BookingChanges
        {
            PatientCreated = patient is null,
            PatientChanged = patient is null || after != patient,
            AppointmentCreated = merged is not null && stored is null,
            AppointmentChanged = merged is not null && merged != stored,
            VisitsChanged = after.LastVisitAt != before.LastVisitAt || after.NextBookingAt != before.NextBookingAt,
            PlanChanged = after.Plan != before.Plan,
            CareStatusChanged = after.CareStatus != before.CareStatus,
            ConsentChanged = after.EmailConsent.Granted != before.EmailConsent.Granted,
            EmailChanged = emailChanged,
            IsBooking = bookingEvent.IsBooking,
            RebookedAt = rebookedAt,
            AddressToCheck = emailChanged && after.Email is not null && !after.Suppressed ? after.Email : null,
        };
        return new BookingOutcome.Applied(after, merged, changes);
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
    private static DateTimeOffset Earlier(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    /// <summary>
    /// A last-writer-wins register: the value of the later event time; at equal times the greater value by
    /// <paramref name="tie"/>, so that the result does not depend on which of two simultaneous events came first.
    /// </summary>
    private static (T Value, DateTimeOffset? At) Register<T>(T value, DateTimeOffset? valueAt, Optional<T> incoming, DateTimeOffset at, Comparison<T> tie)
    {
        if (!incoming.IsPresent) return (value, valueAt);
        if (valueAt is null || at > valueAt) return (incoming.Value, at);
        if (at == valueAt) return (tie(incoming.Value, value) > 0 ? incoming.Value : value, at);
        return (value, valueAt);
    }

    private static int Ordinal(string? a, string? b) => string.CompareOrdinal(a, b);

    private static int NullFirst<T>(T? a, T? b, Comparison<T> compare) where T : class =>
        a is null ? (b is null ? 0 : -1) : b is null ? 1 : compare(a, b);

    // Consent withheld wins a tie: an address is only written to when no simultaneous event said no.
    private static int ConsentOrder(EmailConsent a, EmailConsent b)
    {
        var granted = b.Granted.CompareTo(a.Granted);
        if (granted != 0) return granted;
        var time = Comparer<DateTimeOffset?>.Default.Compare(a.At, b.At);
        return time != 0 ? time : Ordinal(a.Source, b.Source);
    }

    private static int PlanOrder(TreatmentPlan? a, TreatmentPlan? b) => NullFirst(a, b, (x, y) =>
    {
        var milestone = Comparer<DateTimeOffset?>.Default.Compare(x.NextMilestoneAt, y.NextMilestoneAt);
        return milestone != 0 ? milestone : Ordinal(x.Summary, y.Summary);
    });

    private static Patient MergeProfile(Patient patient, BookingPatient fields, DateTimeOffset at)
    {
        if (!fields.CarriesProfile) return patient;
        var times = FieldTimesOf(patient);
        var firstName = Register(patient.FirstName, times.FirstName, fields.FirstName, at, Ordinal);
        var email = Register(patient.Email, times.Email, fields.Email.IsPresent ? Optional.Of(fields.Email.Value is { } address ? JsText.Trim(address) : null) : default, at, Ordinal);
        var locale = Register(patient.Locale, times.Locale, fields.Locale, at, Comparer<Locale?>.Default.Compare);
        var therapist = Register(patient.TherapistId, times.TherapistId, fields.TherapistId, at, Ordinal);
        // A consent without its own time or source is dated by its event and credited to the booking tool.
        var consentGiven = fields.EmailConsent.IsPresent
            ? Optional.Of(fields.EmailConsent.Value with
            {
                At = fields.EmailConsent.Value.At?.ToUniversalTime() ?? at,
                Source = fields.EmailConsent.Value.Source ?? "booking-tool",
            })
            : default;
        var consent = Register(patient.EmailConsent, times.EmailConsent, consentGiven, at, ConsentOrder);
        var care = Register(patient.CareStatus, times.CareStatus, fields.CareStatus, at, (a, b) => a.CompareTo(b));
        var contact = Register(patient.ContactPreference, times.ContactPreference, fields.ContactPreference, at, (a, b) => b.CompareTo(a));
        var focus = Register(patient.FocusArea, times.FocusArea, fields.FocusArea, at, Ordinal);
        var note = Register(patient.ProgressNote, times.ProgressNote, fields.ProgressNote, at, Ordinal);
        var plan = Register(patient.Plan, times.Plan, fields.Plan, at, PlanOrder);
        return patient with
        {
            FirstName = firstName.Value,
            Email = email.Value,
            Locale = locale.Value,
            TherapistId = therapist.Value,
            EmailConsent = consent.Value,
            CareStatus = care.Value,
            ContactPreference = contact.Value,
            FocusArea = focus.Value,
            ProgressNote = note.Value,
            Plan = plan.Value,
            ProfileEventAt = Later(patient.ProfileEventAt, at),
            ProfileFieldTimes = new ProfileFieldTimes
            {
                FirstName = firstName.At,
                Email = email.At,
                Locale = locale.At,
                TherapistId = therapist.At,
                EmailConsent = consent.At,
                CareStatus = care.At,
                ContactPreference = contact.At,
                FocusArea = focus.At,
                ProgressNote = note.At,
                Plan = plan.At,
            },
        };
    }

    private static AppointmentStatus StatusOf(BookingEventType type) => type switch
    {
        BookingEventType.AppointmentBooked or BookingEventType.AppointmentRescheduled => AppointmentStatus.Booked,
        BookingEventType.AppointmentCancelled => AppointmentStatus.Cancelled,
        BookingEventType.AppointmentCompleted => AppointmentStatus.Completed,
        BookingEventType.AppointmentNoShow => AppointmentStatus.NoShow,
        BookingEventType.PatientUpserted or BookingEventType.PatientDeleted =>
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not an appointment event."),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The tie rule between statuses of the same event time: the one that says least happened wins.</summary>
    private static int Rank(AppointmentStatus status) => status switch
    {
        AppointmentStatus.Booked => 0,
        AppointmentStatus.Completed => 1,
        AppointmentStatus.NoShow => 2,
        AppointmentStatus.Cancelled => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    private static Appointment MergeAppointment(string practiceId, Appointment? stored, GenericBookingEvent e, DateTimeOffset at)
    {
        var input = e.Appointment!;
        var status = StatusOf(e.Type);

        // Status: latest event wins, rank breaks ties.
        var (lastEventAt, mergedStatus) = stored is null || at > stored.LastEventAt
            ? (at, status)
            : at == stored.LastEventAt
                ? (at, Rank(status) > Rank(stored.Status) ? status : stored.Status)
                : (stored.LastEventAt, stored.Status);

        // Start: latest given start wins; the earliest event time stands in until one is given.
        var given = input.StartsAt?.ToUniversalTime();
        var (startsAt, startsAtEventAt, guessed) = (stored, given) switch
        {
            (null, { } s) => (s, (DateTimeOffset?)at, false),
            (null, null) => (at, null, true),
            ({ StartsAtGuessed: true }, { } s) => (s, at, false),
            ({ StartsAtGuessed: true }, null) => (Earlier(stored.StartsAt, at), null, true),
            (_, { } s) when at > StartTimeOf(stored) || (at == StartTimeOf(stored) && s > stored.StartsAt) => (s, at, false),
            _ => (stored.StartsAt, StartTimeOf(stored), false),
        };

        // Therapist: the appointment's own over the patient's; then latest; then the greater id.
        (string Id, bool FromPatient)? candidate = input.TherapistId is { } own
            ? (own, false)
            : e.Patient.TherapistId is { IsPresent: true, Value: { } patients } ? (patients, true) : null;
        var (therapistId, therapistEventAt, fromPatient) = (stored?.TherapistId, stored is null ? null : TherapistTimeOf(stored), stored?.TherapistFromPatient ?? false);
        if (candidate is { } c && (therapistId is null || TherapistOrder(c.FromPatient, at, c.Id, fromPatient, therapistEventAt, therapistId) > 0))
            (therapistId, therapistEventAt, fromPatient) = (c.Id, at, c.FromPatient);

        return new Appointment
        {
            PracticeId = practiceId,
            Id = input.Id,
            PatientId = e.Patient.Id,
            Status = mergedStatus,
            LastEventAt = lastEventAt,
            StartsAt = startsAt,
            StartsAtEventAt = startsAtEventAt,
            StartsAtGuessed = guessed,
            BookedAt = e.IsBooking ? Earlier(stored?.BookedAt, at) : stored?.BookedAt,
            TherapistId = therapistId,
            TherapistEventAt = therapistEventAt,
            TherapistFromPatient = fromPatient,
        };
    }

    // Rows the TypeScript implementation wrote have no per-fact times: their start and therapist were what the
    // row's last applied event left, so they date from its lastEventAt (as its stale-event rule read them).
    private static DateTimeOffset StartTimeOf(Appointment stored) => stored.StartsAtEventAt ?? stored.LastEventAt;

    private static DateTimeOffset? TherapistTimeOf(Appointment stored) =>
        stored.TherapistId is null ? null : stored.TherapistEventAt ?? stored.LastEventAt;

    /// <summary>
    /// A patient the TypeScript implementation wrote has one watermark for its whole profile: each field dates from
    /// it. (A row of this one always has a field time once it has a watermark.)
    /// </summary>
    private static ProfileFieldTimes FieldTimesOf(Patient patient) =>
        patient.ProfileEventAt is { } watermark && patient.ProfileFieldTimes == ProfileFieldTimes.None
            ? new ProfileFieldTimes
            {
                FirstName = watermark,
                Email = watermark,
                Locale = watermark,
                TherapistId = watermark,
                EmailConsent = watermark,
                CareStatus = watermark,
                ContactPreference = watermark,
                FocusArea = watermark,
                ProgressNote = watermark,
                Plan = watermark,
            }
            : patient.ProfileFieldTimes;

    private static int TherapistOrder(bool aFromPatient, DateTimeOffset aAt, string aId, bool bFromPatient, DateTimeOffset? bAt, string bId)
    {
        if (aFromPatient != bFromPatient) return aFromPatient ? -1 : 1;
        var time = Comparer<DateTimeOffset?>.Default.Compare(aAt, bAt);
        return time != 0 ? time : Ordinal(aId, bId);
    }
}

/// <summary>What applying one event decided. The caller writes what changed and acts on the flags.</summary>
public abstract record BookingOutcome
{
    private BookingOutcome()
    {
    }

    /// <summary>
    /// The patient after the event, and the appointment it touched (null for <c>patient.upserted</c>). Write the
    /// patient when <see cref="BookingChanges.PatientChanged"/> (with its DueIndex row, <see cref="BookingChanges.DueInputsChanged"/>),
    /// the appointment when <see cref="BookingChanges.AppointmentChanged"/>.
    /// </summary>
    public sealed record Applied(Patient Patient, Appointment? Appointment, BookingChanges Changes) : BookingOutcome;

    /// <summary>
    /// <c>patient.deleted</c>: skip the patient's planned emails (<see cref="PatientDeletion.Skip"/>), delete its
    /// appointments, its DueIndex row (<see cref="Patient.DueDay"/>) and the patient. Full GDPR erasure (feedback,
    /// ledger fields) is the admin API's.
    /// </summary>
    public sealed record DeletePatient(string PatientId) : BookingOutcome;
}

/// <summary>What moved, so the caller knows what to write and what follows.</summary>
public sealed record BookingChanges
{
    public bool PatientCreated { get; init; }
    /// <summary>The patient differs from the stored one (always when created).</summary>
    public bool PatientChanged { get; init; }
    public bool AppointmentCreated { get; init; }
    /// <summary>The appointment differs from the stored one (false for a repeated event).</summary>
    public bool AppointmentChanged { get; init; }
    /// <summary>lastVisitAt or nextBookingAt moved (so may the lapse episode, keyed by the last visit).</summary>
    public bool VisitsChanged { get; init; }
    public bool PlanChanged { get; init; }
    public bool CareStatusChanged { get; init; }
    /// <summary>Consent was granted or withdrawn.</summary>
    public bool ConsentChanged { get; init; }
    public bool EmailChanged { get; init; }
    /// <summary>A booked or rescheduled event (lastBookedAt records it: eligibility skips emails planned before it).</summary>
    public bool IsBooking { get; init; }
    /// <summary>
    /// When set, a booking to attribute to the email that preceded it (<see cref="Rebooking.ChooseRow"/>): the
    /// event time of a <c>booked</c> event earlier than any booking its appointment had recorded.
    /// </summary>
    public DateTimeOffset? RebookedAt { get; init; }
    /// <summary>
    /// A new address to look up in the suppression list: when listed, save the patient with <c>Suppressed = true</c>
    /// (an address that unsubscribed or bounced stays suppressed, even for a patient erased and imported again).
    /// </summary>
    public string? AddressToCheck { get; init; }

    /// <summary>Whether the patient's DueIndex day may have moved: recompute it before saving.</summary>
    public bool DueInputsChanged => PatientCreated || VisitsChanged || PlanChanged || CareStatusChanged || ConsentChanged || EmailChanged;
}
