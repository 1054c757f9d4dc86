// The webhook load's events: the mix of the TypeScript bench that measured the recorded baseline, ported step for step
// with the same generator and seed: each patient upserted then booked, then a random walk of upserts, bookings,
// reschedules, cancellations, completions and no-shows; 5% exact duplicates (sent only after their original was
// answered) and 5% of events swapped with their patient's next one (out of order).
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Reengage.Bench;

internal sealed record LoadEvent(string Id, string Type, long OccurredAtMs, string PatientId, JsonObject Body)
{
    public string OccurredAt => LoadMix.Iso(OccurredAtMs);

    /// <summary>The body sent, the same bytes every time (a duplicate must hash the same).</summary>
    public byte[] Bytes { get; } = Encoding.UTF8.GetBytes(Body.ToJsonString());
}

/// <param name="DuplicateOf">Index in the send list of the original, for an exact duplicate.</param>
internal sealed record LoadSend(LoadEvent Event, int? DuplicateOf);

internal sealed class LoadMix
{
    /// <summary>The app's clock during the load: Tuesday 9 March 2027, 10:00 UTC.</summary>
    public static readonly DateTimeOffset Now = new(2027, 3, 9, 10, 0, 0, TimeSpan.Zero);

    private const long HourMs = 3_600_000;
    private const long DayMs = 24 * HourMs;
    private static readonly long NowMs = Now.ToUnixTimeMilliseconds();

    private LoadMix(IReadOnlyList<LoadSend> sends, IReadOnlyList<PatientPlan> plans, int swapped, int duplicates)
    {
        Sends = sends;
        Plans = plans;
        Swapped = swapped;
        Duplicates = duplicates;
    }

    public IReadOnlyList<LoadSend> Sends { get; }
    public IReadOnlyList<PatientPlan> Plans { get; }
    public int Swapped { get; }
    public int Duplicates { get; }

    /// <summary>The originals in the order they happened (occurredAt, then as generated): the in-order replay.</summary>
    public IReadOnlyList<LoadEvent> InOrder() =>
        [.. Sends.Where(s => s.DuplicateOf is null).Select((s, i) => (s.Event, i)).OrderBy(e => e.Event.OccurredAtMs).ThenBy(e => e.i).Select(e => e.Event)];

    public static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal sealed class PatientPlan(string id, long cursor)
    {
        public string Id { get; } = id;
        public long Cursor { get; set; } = cursor;
        public List<LoadEvent> Events { get; } = [];
        public List<PlannedAppointment> Appointments { get; } = [];
        public int Upserts { get; set; }
        public bool Full { get; set; }
    }

    internal sealed class PlannedAppointment(string id, long startsAt)
    {
        public string Id { get; } = id;
        public long StartsAt { get; set; } = startsAt;
        public bool Terminal { get; set; }
        public int Reschedules { get; set; }
    }

    public static LoadMix Build(int events, int patients, int seed)
    {
        var random = new Population.Mulberry32((uint)seed);
        long Between(long lo, long hi) => lo + (long)Math.Floor(random.Next() * (hi - lo));
        var duplicates = (int)Math.Round(events * 0.05, MidpointRounding.AwayFromZero);
        var originals = events - duplicates;
        var plans = new List<PatientPlan>();
        var counter = 0;
        long? At(PatientPlan plan, long minStep, long maxStep)
        {
            var next = plan.Cursor + Between(minStep, maxStep);
            if (next > NowMs - HourMs)
            {
                plan.Full = true;
                return null;
            }
            plan.Cursor = next;
            return next;
        }
        void Upsert(PatientPlan plan, long occurredAt)
        {
            plan.Upserts++;
            var id = $"evt_{++counter}";
            var locale = random.Next() < 0.8 ? "fr" : "en";
            plan.Events.Add(new LoadEvent(id, "patient.upserted", occurredAt, plan.Id, new JsonObject
            {
                ["id"] = id,
                ["type"] = "patient.upserted",
                ["occurredAt"] = Iso(occurredAt),
                ["patient"] = new JsonObject
                {
                    ["id"] = plan.Id,
                    ["firstName"] = $"Name{plan.Upserts}",
                    ["email"] = $"{plan.Id}@example.org",
                    ["locale"] = locale,
                    ["therapistId"] = "th_1",
                    ["emailConsent"] = true,
                    ["careStatus"] = "in_care",
                },
            }));
        }
        void AppointmentEvent(PatientPlan plan, string type, long occurredAt, PlannedAppointment appointment)
        {
            var id = $"evt_{++counter}";
            plan.Events.Add(new LoadEvent(id, type, occurredAt, plan.Id, new JsonObject
            {
                ["id"] = id,
                ["type"] = type,
                ["occurredAt"] = Iso(occurredAt),
                ["patient"] = new JsonObject { ["id"] = plan.Id },
                ["appointment"] = new JsonObject { ["id"] = appointment.Id, ["startsAt"] = Iso(appointment.StartsAt), ["therapistId"] = "th_1" },
            }));
        }
        bool Book(PatientPlan plan)
        {
            if (At(plan, HourMs, 5 * DayMs) is not { } occurredAt) return false;
            // Hours rounded so that startsAt survives the ISO round trip exactly.
            var appointment = new PlannedAppointment($"{plan.Id}_a{plan.Appointments.Count + 1}", (occurredAt + (Between(1, 40) * DayMs)) / HourMs * HourMs);
            plan.Appointments.Add(appointment);
            AppointmentEvent(plan, "appointment.booked", occurredAt, appointment);
            return true;
        }

        for (var i = 0; i < patients; i++)
        {
            var plan = new PatientPlan($"pat_{i + 1}", NowMs - (Between(120, 200) * DayMs));
            Upsert(plan, plan.Cursor);
            Book(plan);
            plans.Add(plan);
        }
        var total = plans.Sum(p => p.Events.Count);
        while (total < originals)
        {
            var plan = plans[(int)Between(0, plans.Count)];
            if (plan.Full) continue;
            var before = plan.Events.Count;
            var last = plan.Appointments.Count > 0 ? plan.Appointments[^1] : null;
            var roll = random.Next();
            if (roll < 0.08)
            {
                if (At(plan, HourMs, 10 * DayMs) is { } occurredAt) Upsert(plan, occurredAt);
            }
            else if (last is null || last.Terminal)
            {
                Book(plan);
            }
            else if (roll < 0.3 && last.Reschedules < 2)
            {
                if (At(plan, HourMs, 3 * DayMs) is { } occurredAt)
                {
                    last.Reschedules++;
                    last.StartsAt = (occurredAt + (Between(1, 30) * DayMs)) / HourMs * HourMs;
                    AppointmentEvent(plan, "appointment.rescheduled", occurredAt, last);
                }
            }
            else
            {
                // A visit is reported after it took place; a cancellation can come any time, often before.
                var afterVisit = Math.Max(plan.Cursor + HourMs, last.StartsAt + HourMs) + Between(0, HourMs);
                var occurredMs = random.Next() < 0.25 || afterVisit > NowMs - HourMs ? plan.Cursor + Between(HourMs, 2 * DayMs) : afterVisit;
                if (occurredMs > NowMs - HourMs)
                {
                    plan.Full = true;
                }
                else
                {
                    plan.Cursor = occurredMs;
                    var outcome = random.Next();
                    var type = occurredMs < last.StartsAt ? "appointment.cancelled"
                        : outcome < 0.6 ? "appointment.completed"
                        : outcome < 0.8 ? "appointment.no_show"
                        : "appointment.cancelled";
                    last.Terminal = true;
                    AppointmentEvent(plan, type, occurredMs, last);
                }
            }
            total += plan.Events.Count - before;
        }

        // Out-of-order pairs: two consecutive events of one patient sent in the opposite order.
        var pairs = (int)Math.Round(events * 0.05 / 2, MidpointRounding.AwayFromZero);
        var swappedIds = new HashSet<string>(StringComparer.Ordinal);
        var swapped = 0;
        for (var guard = 0; swapped < pairs && guard < pairs * 50; guard++)
        {
            var plan = plans[(int)Between(0, plans.Count)];
            if (plan.Events.Count < 2) continue;
            var k = (int)Between(0, plan.Events.Count - 1);
            var (a, b) = (plan.Events[k], plan.Events[k + 1]);
            if (swappedIds.Contains(a.Id) || swappedIds.Contains(b.Id)) continue;
            plan.Events[k] = b;
            plan.Events[k + 1] = a;
            swappedIds.Add(a.Id);
            swappedIds.Add(b.Id);
            swapped++;
        }

        // Interleave the patients' streams uniformly, each patient's own order kept.
        var queues = plans.Select(p => new Queue<LoadEvent>(p.Events)).ToList();
        var sends = new List<LoadSend>();
        var remaining = queues.Sum(q => q.Count);
        while (remaining > 0)
        {
            var pick = Between(0, remaining);
            foreach (var queue in queues)
            {
                if (pick < queue.Count)
                {
                    sends.Add(new LoadSend(queue.Dequeue(), null));
                    break;
                }
                pick -= queue.Count;
            }
            remaining--;
        }
        // Exact duplicates: the same body again, somewhere after its original.
        var isDuplicate = new List<bool>(sends.Select(_ => false));
        for (var d = 0; d < duplicates; d++)
        {
            var original = (int)Between(0, sends.Count);
            if (isDuplicate[original])
            {
                d--;
                continue;
            }
            var position = (int)Between(original + 1, sends.Count + 1);
            sends.Insert(position, new LoadSend(sends[original].Event, -1));
            isDuplicate.Insert(position, true);
        }
        // Indices moved with the inserts: each duplicate points at the first send of the same event.
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < sends.Count; i++)
        {
            if (firstIndex.TryGetValue(sends[i].Event.Id, out var first)) sends[i] = sends[i] with { DuplicateOf = first };
            else
            {
                firstIndex[sends[i].Event.Id] = i;
                sends[i] = sends[i] with { DuplicateOf = null };
            }
        }
        return new LoadMix(sends, plans, swapped, duplicates);
    }
}
