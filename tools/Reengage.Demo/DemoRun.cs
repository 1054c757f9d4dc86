// The demo's story: a private Azurite, the app in the local host on a simulated clock, the practice set up through the
// admin API, its history replayed through bookingWebhook and the daily planners, then one week into ./outbox.
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using Reengage.Core.Ports;
using Reengage.Functions;
using Reengage.Functions.Outbox;
using Reengage.Functions.Patients;
using Reengage.Functions.Queues;
using Reengage.Functions.Storage;
using Reengage.LocalHost;
using Reengage.Testing;
using Spectre.Console;

namespace Reengage.Demo;

internal sealed class DemoRun(LocalDate date, string outboxDirectory)
{
    private const int WeekDays = 7;
    private const int HistoryDays = 200;

    /// <summary>The timers, in the order the app's schedules run them (05:00, 05:15, 05:30 UTC).</summary>
    private static readonly string[] Planners = ["planLapsedOutreach", "planMilestoneOutreach", "planSeasonalOutreach"];

    private static readonly string[] RequiredFunctions = ["bookingWebhook", .. Planners, SendQueuePacer.SendFunction];

    private static readonly (string Method, string Route, string What)[] RequiredRoutes =
    [
        ("PUT", "practices/{}", "the admin API's practice settings"),
        ("PUT", "practices/{}/therapists/{}", "the admin API's therapists"),
    ];

    private readonly bool _interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var weekStart = date.PlusDays(-(WeekDays - 1));
        var historyStart = date.PlusDays(-HistoryDays);
        var started = System.Diagnostics.Stopwatch.StartNew();
        Console.WriteLine($"Reengage demo: a practice's history, then the week {Day(weekStart, "dd MMM yyyy")} → {Day(date, "dd MMM yyyy")}");

        Step("Starting a private Azurite (in memory, free ports) and the app in the local host");
        await using var azurite = await Azurite.StartAsync(cancellationToken: cancellationToken);
        var historyOutbox = Directory.CreateTempSubdirectory("reengage-demo-history-").FullName;
        if (Directory.Exists(outboxDirectory))
        {
            Directory.Delete(outboxDirectory, recursive: true);
        }
        Directory.CreateDirectory(outboxDirectory);
        var appDirectory = DemoHostJson.Write();
        try
        {
            await RunWithAzuriteAsync(azurite, historyOutbox, appDirectory, historyStart, weekStart, started, cancellationToken);
        }
        finally
        {
            TryDelete(historyOutbox);
            TryDelete(appDirectory);
        }
    }

    private async Task RunWithAzuriteAsync(Azurite azurite, string historyOutbox, string appDirectory, LocalDate historyStart, LocalDate weekStart,
        System.Diagnostics.Stopwatch started, CancellationToken cancellationToken)
    {
        var clock = new SimulatedClock(historyStart.AtStartOfDayInZone(DemoData.Zone).ToDateTimeOffset().ToUniversalTime());
        var sender = new SwitchableEmailSender(new OutboxEmailSender(historyOutbox, clock.Provider));
        var parked = new QueueClient(azurite.ConnectionString, SendQueuePacer.ParkingQueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await parked.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        SendQueuePacer? pacer = null;
        var port = LocalFunctionsHost.FindFreePort();

        LocalFunctionsHost host;
        try
        {
            host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions
            {
                Port = port,
                AppDirectory = appDirectory,
                Settings = DemoSettings.For(azurite.ConnectionString, historyOutbox),
                Configure = builder =>
                {
                    builder.AddReengage();
                    builder.Services.AddSingleton<TimeProvider>(clock.Provider);
                    builder.Services.Replace(ServiceDescriptor.Singleton<IEmailSender>(sender));
                    // See SendQueuePacer: the app's own scheduler, writing to the parking queue with no visibility delay.
                    builder.Services.Replace(ServiceDescriptor.Singleton<ISendScheduler>(sp =>
                        new StorageQueueSendScheduler(parked, sp.GetRequiredService<TimeProvider>(), TimeSpan.Zero)));
                },
                OnInvocationCompleted = invocation => pacer?.OnInvocationCompleted(invocation),
            }, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new DemoException($"the app does not start in the local host: {ex.Message}");
        }

        await using (host)
        {
            CheckFunctions(host);
            var clients = host.Services.GetRequiredService<ReengageStorageClients>();
            pacer = new SendQueuePacer(parked, clients.OutreachSend, clock);
            using var integrator = new IntegratorClient(new HttpClient { BaseAddress = host.BaseUrl }, clock, host.RoutePrefix);
            var patients = DemoData.Patients(date);

            await integrator.CreatePracticeAsync(DemoData.PracticeId, DemoData.PracticeSettings(), cancellationToken);
            foreach (var therapist in DemoData.Therapists)
            {
                await integrator.PutTherapistAsync(DemoData.PracticeId, therapist, cancellationToken);
            }
            // Named once its therapist exists, so a check that the default therapist is known cannot refuse it.
            await integrator.UpdatePracticeAsync(DemoData.PracticeId, new JsonObject { ["defaultTherapistId"] = DemoData.DefaultTherapistId }, cancellationToken);
            Console.WriteLine($"  {DemoData.PracticeName}: {DemoData.Therapists.Count} therapists, {patients.Count} patients, holdout {DemoData.HoldoutPercent}% (created through the admin API)");

            var simulation = new Simulation(host, integrator, pacer, clock, patients, cancellationToken);
            var historyDays = HistoryDays - WeekDays;
            Step($"Replaying {historyDays} days of history through bookingWebhook and the daily planners");
            await WithProgressAsync("days", historyDays + 1, async tick =>
            {
                for (var i = 0; i <= historyDays; i++)
                {
                    await simulation.RunDayAsync(historyStart.PlusDays(i));
                    tick();
                }
            });
            var historyEmails = Directory.EnumerateFiles(historyOutbox, "*.eml").Count();
            Console.WriteLine($"  {simulation.EventsPosted} webhooks posted, {historyEmails} emails sent before the demo week (kept aside in a scratch folder)");

            Step($"The demo week: planners at 05:00 UTC each day, sendOutreach draining the queue into {Relative(outboxDirectory)}");
            sender.Target = new OutboxEmailSender(outboxDirectory, clock.Provider);
            for (var i = 0; i < WeekDays; i++)
            {
                var day = weekStart.PlusDays(i);
                await simulation.RunDayAsync(day);
                var inOutbox = Directory.EnumerateFiles(outboxDirectory, "*.eml").Count();
                Console.WriteLine($"  {Day(day, "ddd dd MMM")}: {inOutbox} email{(inOutbox == 1 ? "" : "s")} in the outbox so far");
            }
            if (pacer.Failures.Count > 0)
            {
                Console.WriteLine($"  {pacer.Failures.Count} sendOutreach invocations failed (the host retries them); first: {pacer.Failures[0]}");
            }

            Step("What happened, patient by patient (from the ledger rows and the outbox files)");
            var weekStartInstant = weekStart.AtStartOfDayInZone(DemoData.Zone).ToDateTimeOffset();
            var report = await Report.BuildAsync(host.Services, patients, weekStartInstant, clock.Now, outboxDirectory, cancellationToken);
            report.Print(_interactive);
            var files = Directory.EnumerateFiles(outboxDirectory, "*.eml").Count();
            Console.WriteLine();
            Console.WriteLine($"{files} emails are in {outboxDirectory} (one RFC 5322 .eml file each, every header included).");
            Console.WriteLine(FormattableString.Invariant($"The demo took {started.Elapsed.TotalSeconds:0.0} s ({simulation.Timings})."));
        }
    }

    private static void CheckFunctions(LocalFunctionsHost host)
    {
        var names = host.Functions.Select(f => f.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = RequiredFunctions.Where(n => !names.Contains(n)).ToList();
        static string Shape(string route) => System.Text.RegularExpressions.Regex.Replace(route.Trim('/'), "\\{[^}]*\\}", "{}").ToLowerInvariant();
        foreach (var (method, route, what) in RequiredRoutes)
        {
            var served = host.Functions.Any(f => f.Trigger == TriggerKind.Http && f.Route is { } r && Shape(r) == route
                && (f.HttpMethods.Count == 0 || f.HttpMethods.Contains(method)));
            if (!served)
            {
                missing.Add($"{method} {route.Replace("{}", "{…}", StringComparison.Ordinal)} ({what})");
            }
        }
        if (missing.Count > 0)
        {
            throw new DemoException(
                $"the app does not have these functions yet: {string.Join(", ", missing)}. The demo drives the real app only; it needs them all.");
        }
    }

    private async Task WithProgressAsync(string label, int total, Func<Action, Task> work)
    {
        if (!_interactive)
        {
            var done = 0;
            await work(() => done++);
            Console.WriteLine($"  {label}: {done}/{total}");
            return;
        }
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"  {label}", maxValue: total);
                await work(() => task.Increment(1));
            });
    }

    private static void Step(string message)
    {
        Console.WriteLine();
        Console.WriteLine($"▸ {message}");
    }

    private static string Day(LocalDate day, string pattern) =>
        day.ToString(pattern, System.Globalization.CultureInfo.GetCultureInfo("en-GB"));

    private static string Relative(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return (relative.StartsWith("..", StringComparison.Ordinal) ? path : relative) + Path.DirectorySeparatorChar;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder left in the temp directory is harmless.
        }
    }

    /// <summary>One simulated day after another: events posted at their time, planners at 05:00 UTC, sends at their slot.</summary>
    private sealed class Simulation(
        LocalFunctionsHost host,
        IntegratorClient integrator,
        SendQueuePacer pacer,
        SimulatedClock clock,
        IReadOnlyList<DemoPatient> patients,
        CancellationToken cancellationToken)
    {
        private readonly List<(DemoEvent Event, DemoPatient Patient)> _events =
            [.. patients.SelectMany(p => p.Events.Select(e => (e, p))).OrderBy(x => x.e.OccurredAt)];

        private readonly System.Diagnostics.Stopwatch _webhookTime = new();
        private readonly System.Diagnostics.Stopwatch _plannerTime = new();
        private readonly System.Diagnostics.Stopwatch _sendTime = new();
        private int _next;

        public int EventsPosted => _next;

        /// <summary>Where the real time went, so that a slow demo says which part of the app was slow.</summary>
        public string Timings => FormattableString.Invariant(
            $"real time: webhooks {_webhookTime.Elapsed.TotalSeconds:0.0} s, planners {_plannerTime.Elapsed.TotalSeconds:0.0} s, sends {_sendTime.Elapsed.TotalSeconds:0.0} s");

        public async Task RunDayAsync(LocalDate day)
        {
            // Timers fire at 05:00 UTC on the calendar day (not at Paris midnight, which is the day before in UTC).
            var endOfDay = day.PlusDays(1).AtStartOfDayInZone(DemoData.Zone).ToInstant();
            foreach (var planner in Planners)
            {
                var runAt = day.At(TimeOfDay(planner)).InUtc().ToInstant();
                await PostUntilAsync(runAt);
                clock.AdvanceTo(runAt.ToDateTimeOffset());
                _plannerTime.Start();
                await host.InvokeAsync(planner, cancellationToken: cancellationToken);
                _plannerTime.Stop();
                pacer.PlannerRan();
            }
            // The rest of the day in time order: a booking made at 07:00 arrives before a 09:30 send, as it would.
            var lastLook = false;
            while (true)
            {
                var nextSend = await pacer.NextDueAsync(readQueue: lastLook, cancellationToken);
                var nextEvent = _next < _events.Count ? _events[_next].Event.OccurredAt : (Instant?)null;
                var sendDue = nextSend is { } s && Instant.FromDateTimeOffset(s) < endOfDay;
                var eventDue = nextEvent is { } e && e < endOfDay;
                if (eventDue && (!sendDue || nextEvent!.Value <= Instant.FromDateTimeOffset(nextSend!.Value)))
                {
                    await PostNextAsync();
                }
                else if (sendDue)
                {
                    _sendTime.Start();
                    await pacer.SendNextAsync(cancellationToken);
                    _sendTime.Stop();
                }
                else if (!lastLook)
                {
                    // Nothing left today as far as the demo knows: read the parking queue once more before moving on.
                    lastLook = true;
                    continue;
                }
                else
                {
                    break;
                }
                lastLook = false;
            }
        }

        /// <summary>The UTC time of day of a daily timer ("0 15 5 * * *" is 05:15), read from the function's own schedule.</summary>
        private LocalTime TimeOfDay(string function)
        {
            var schedule = host.Functions.First(f => string.Equals(f.Name, function, StringComparison.OrdinalIgnoreCase)).Schedule ?? "";
            var parts = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 6 && parts[3..].All(p => p == "*")
                && int.TryParse(parts[0], out var second) && int.TryParse(parts[1], out var minute) && int.TryParse(parts[2], out var hour)
                && hour is >= 0 and < 24 && minute is >= 0 and < 60 && second is >= 0 and < 60
                ? new LocalTime(hour, minute, second)
                : throw new DemoException($"{function}'s schedule \"{schedule}\" is not a daily one; the demo runs the planners once a simulated day.");
        }

        private async Task PostUntilAsync(Instant until)
        {
            while (_next < _events.Count && _events[_next].Event.OccurredAt <= until)
            {
                await PostNextAsync();
            }
        }

        private async Task PostNextAsync()
        {
            var (demoEvent, patient) = _events[_next++];
            clock.AdvanceTo(demoEvent.OccurredAt.ToDateTimeOffset());
            _webhookTime.Start();
            await integrator.PostEventAsync(DemoData.PracticeId, demoEvent, cancellationToken);
            _webhookTime.Stop();
            if (patient.PausedUntil is { } pausedUntil && demoEvent == patient.Events[^1])
            {
                await PauseAsync(patient.Id, pausedUntil.ToDateTimeOffset());
            }
        }

        /// <summary>
        /// What the patient's "not now" answer does (the answer pages need an email's link, which this patient never got):
        /// the app's own PatientSaver sets pausedUntil and keeps the DueIndex in step.
        /// </summary>
        private async Task PauseAsync(string patientId, DateTimeOffset pausedUntil)
        {
            var services = host.Services;
            var practice = await services.GetRequiredService<IPracticeStore>().GetPracticeAsync(DemoData.PracticeId, cancellationToken)
                ?? throw new DemoException("the practice is missing from storage");
            var current = await services.GetRequiredService<IPatientStore>().GetPatientAsync(DemoData.PracticeId, patientId, cancellationToken)
                ?? throw new DemoException($"patient {patientId} is missing after its events were accepted");
            await services.GetRequiredService<PatientSaver>().SaveAsync(
                practice.Value, current.Value with { PausedUntil = pausedUntil }, current.ETag, clock.Now, cancellationToken);
        }
    }
}
