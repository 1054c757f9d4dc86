// The admin API's practice use cases: settings (bootstrap and update) and therapists.
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Calendar;
using Reengage.Core.Model;
using Reengage.Core.Outreach;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;
using Reengage.Core.Security;
using Reengage.Functions.Patients;

namespace Reengage.Functions.Admin;

public abstract record PutPracticeResult
{
    private PutPracticeResult()
    {
    }

    /// <summary>Created: the API key and the generic webhook secret are in the answer, this once.</summary>
    public sealed record Created(Practice Practice, PracticeSecrets Secrets, string ApiKey, string WebhookSecret) : PutPracticeResult;

    public sealed record Updated(Practice Practice, PracticeSecrets? Secrets) : PutPracticeResult;

    public sealed record Invalid(IReadOnlyList<FieldProblem> Problems) : PutPracticeResult;

    /// <summary>Another request created the practice meanwhile.</summary>
    public sealed record Conflict : PutPracticeResult;
}

public abstract record PutTherapistResult
{
    private PutTherapistResult()
    {
    }

    public sealed record Saved(Therapist Therapist, bool Created) : PutTherapistResult;

    public sealed record Invalid(IReadOnlyList<FieldProblem> Problems) : PutTherapistResult;
}

public sealed partial class PracticeAdmin(IPracticeStore practices, TimeProvider time, ILogger<PracticeAdmin> logger)
{
    /// <summary>
    /// Creates a practice and issues its first API key and generic webhook secret (returned once; the key stored as a
    /// hash). Only the function key protects this call: a practice is claimed by the first request that inserts its
    /// secrets row, so two racing creations cannot both get a key. A practice row without secrets (a creation that
    /// died half-way) can be claimed again.
    /// </summary>
    public async Task<PutPracticeResult> BootstrapAsync(string practiceId, PracticeSettingsInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = time.GetUtcNow();
        var existing = await practices.GetPracticeAsync(practiceId, cancellationToken).ConfigureAwait(false);
        var problems = new List<FieldProblem>();
        if (existing is null)
        {
            if (input.Name is null) problems.Add(new FieldProblem("name", "is required to create a practice"));
            if (input.SenderAddress is null) problems.Add(new FieldProblem("senderAddress", "is required to create a practice"));
            if (input.BookingUrl is null) problems.Add(new FieldProblem("bookingUrl", "is required to create a practice"));
        }
        // Without a name the creation is refused above; the stand-in only lets the other rules be checked too.
        var basis = existing?.Value ?? PracticeDefaults.NewPractice(practiceId, input.Name ?? practiceId, input.Locale ?? Locale.Fr, input.LapseDays ?? PracticeDefaults.LapseDays);
        var (practice, ruleProblems) = await ApplyAsync(basis, input, now, cancellationToken).ConfigureAwait(false);
        problems.AddRange(ruleProblems);
        if (problems.Count > 0) return new PutPracticeResult.Invalid(problems);

        var apiKey = ApiKeys.NewKey();
        var webhookSecret = WebhookSecrets.NewSecret();
        var first = ApiKeys.FirstKey(apiKey);
        var secrets = new PracticeSecrets
        {
            PracticeId = practiceId,
            Webhooks = new Dictionary<WebhookSource, WebhookSecret> { [WebhookSource.Generic] = new(webhookSecret, null, null) },
            ApiKeyHashes = first.LegacyHashes,
            ApiKeys = first.Keys,
            // Created with the practice, so that its erasures never have to create it (PseudonymKeys does for older rows).
            PseudonymKey = PseudonymKey.New(),
        };
        if (existing is null && await practices.CreatePracticeAsync(practice, cancellationToken).ConfigureAwait(false) is null) return new PutPracticeResult.Conflict();
        if (await practices.CreateSecretsAsync(secrets, cancellationToken).ConfigureAwait(false) is null) return new PutPracticeResult.Conflict();
        // A practice row found without secrets is ours once the secrets row is: its settings are replaced.
        if (existing is not null) await practices.UpsertPracticeAsync(practice, cancellationToken).ConfigureAwait(false);
        LogCreated(logger, practiceId);
        return new PutPracticeResult.Created(practice, secrets, apiKey, webhookSecret);
    }

    /// <summary>Applies the given settings to the stored practice, re-reading it if it changed meanwhile.</summary>
    public Task<PutPracticeResult> UpdateAsync(Versioned<Practice> current, PracticeSettingsInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(input);
        var stored = current;
        var first = true;
        return PatientSaver.WithOptimisticRetryAsync<PutPracticeResult>(async () =>
        {
            if (!first)
            {
                var again = await practices.GetPracticeAsync(current.Value.Id, cancellationToken).ConfigureAwait(false);
                if (again is null) return new PutPracticeResult.Conflict();
                stored = again;
            }
            first = false;
            var (practice, problems) = await ApplyAsync(stored.Value, input, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (problems.Count > 0) return new PutPracticeResult.Invalid(problems);
            await practices.UpdatePracticeAsync(practice, stored.ETag, cancellationToken).ConfigureAwait(false);
            var secrets = await practices.GetSecretsAsync(practice.Id, cancellationToken).ConfigureAwait(false);
            LogUpdated(logger, practice.Id);
            return new PutPracticeResult.Updated(practice, secrets?.Value);
        });
    }

    /// <summary>The given fields over <paramref name="basis"/>, then the rules that tie fields together.</summary>
    private async Task<(Practice Practice, List<FieldProblem> Problems)> ApplyAsync(Practice basis, PracticeSettingsInput input, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var problems = new List<FieldProblem>();
        if (input.Id is not null && input.Id != basis.Id) problems.Add(new FieldProblem("id", "must match the practice id in the URL"));
        var practice = basis with
        {
            Name = input.Name ?? basis.Name,
            TimeZone = input.TimeZone ?? basis.TimeZone,
            Locale = input.Locale ?? basis.Locale,
            Country = input.Country ?? basis.Country,
            SenderAddress = input.SenderAddress ?? basis.SenderAddress,
            SenderDisplayName = input.SenderDisplayName ?? basis.SenderDisplayName,
            BookingUrl = input.BookingUrl ?? basis.BookingUrl,
            LapseDays = input.LapseDays ?? basis.LapseDays,
            CooldownDays = input.CooldownDays ?? basis.CooldownDays,
            MaxTouchesPerEpisode = input.MaxTouchesPerEpisode ?? basis.MaxTouchesPerEpisode,
            MaxTouchesPer365Days = input.MaxTouchesPer365Days ?? basis.MaxTouchesPer365Days,
            CadenceDays = input.CadenceDays ?? basis.CadenceDays,
            SendWindow = input.SendWindow ?? basis.SendWindow,
            ClosedDates = input.ClosedDates ?? basis.ClosedDates,
            SeasonalWindows = input.SeasonalWindows ?? basis.SeasonalWindows,
            AllowClinicalDetails = input.AllowClinicalDetails ?? basis.AllowClinicalDetails,
            HoldoutPercent = input.HoldoutPercent ?? basis.HoldoutPercent,
            Resources = input.Resources ?? basis.Resources,
            DefaultTherapistId = input.HasDefaultTherapistId ? input.DefaultTherapistId : basis.DefaultTherapistId,
        };
        // The cadence follows lapseDays unless the practice set its own.
        var ownCadence = !basis.CadenceDays.SequenceEqual(Cadence.DefaultCadenceDays(basis.LapseDays));
        if (input.CadenceDays is null && !ownCadence) practice = practice with { CadenceDays = Cadence.DefaultCadenceDays(practice.LapseDays) };
        var steps = practice.CadenceDays;
        if (steps[0] < practice.LapseDays)
        {
            problems.Add(new FieldProblem("cadenceDays", $"the first step must come at least lapseDays ({practice.LapseDays}) days after the last visit"));
        }
        else if (steps[1] - steps[0] < practice.CooldownDays || steps[2] - steps[1] < practice.CooldownDays)
        {
            problems.Add(new FieldProblem("cadenceDays", $"steps must be at least cooldownDays ({practice.CooldownDays}) days apart, in increasing order"));
        }
        if (practice.MaxTouchesPer365Days < practice.MaxTouchesPerEpisode)
        {
            problems.Add(new FieldProblem("maxTouchesPer365Days", $"must be at least maxTouchesPerEpisode ({practice.MaxTouchesPerEpisode})"));
        }
        if (!string.IsNullOrEmpty(input.DefaultTherapistId)
            && await practices.GetTherapistAsync(basis.Id, input.DefaultTherapistId, cancellationToken).ConfigureAwait(false) is null)
        {
            problems.Add(new FieldProblem("defaultTherapistId", "is not a therapist of this practice"));
        }
        if (problems.Count == 0)
        {
            try
            {
                // A calendar with no open day would stop every planner run for the practice.
                PracticeCalendar.For(practice).NextWorkingDay(Cadence.TodayFor(practice, now).ToDateOnly());
            }
            catch (ReengageException e) when (e.Code == ErrorCode.InvalidConfiguration)
            {
                problems.Add(new FieldProblem(input.ClosedDates is not null ? "closedDates" : "sendWindow", e.Message));
            }
        }
        return (practice, problems);
    }

    /// <summary>Creates or updates one therapist; fields not given keep their value (creation needs a name and an email).</summary>
    public async Task<PutTherapistResult> PutTherapistAsync(Practice practice, string therapistId, TherapistInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(input);
        var problems = new List<FieldProblem>();
        if (input.Id is not null && input.Id != therapistId) problems.Add(new FieldProblem("id", "must match the therapist id in the URL"));
        if (input.PracticeId is not null && input.PracticeId != practice.Id) problems.Add(new FieldProblem("practiceId", "must match the practice id in the URL"));
        var existing = await practices.GetTherapistAsync(practice.Id, therapistId, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            if (input.DisplayName is null) problems.Add(new FieldProblem("displayName", "is required to create a therapist"));
            if (input.Email is null) problems.Add(new FieldProblem("email", "is required to create a therapist"));
        }
        if (problems.Count > 0) return new PutTherapistResult.Invalid(problems);
        var therapist = new Therapist
        {
            PracticeId = practice.Id,
            Id = therapistId,
            DisplayName = input.DisplayName ?? existing?.DisplayName ?? "",
            Email = input.Email ?? existing?.Email ?? "",
            Signature = input.Signature ?? existing?.Signature ?? "",
            Locale = input.Locale ?? existing?.Locale ?? practice.Locale,
            Active = input.Active ?? existing?.Active ?? true,
        };
        await practices.UpsertTherapistAsync(therapist, cancellationToken).ConfigureAwait(false);
        return new PutTherapistResult.Saved(therapist, existing is null);
    }

    /// <summary>The practice's therapists, by id.</summary>
    public async Task<IReadOnlyList<Therapist>> ListTherapistsAsync(string practiceId, CancellationToken cancellationToken)
    {
        var therapists = new List<Therapist>();
        await foreach (var therapist in practices.ListTherapistsAsync(practiceId, cancellationToken).ConfigureAwait(false))
        {
            therapists.Add(therapist);
        }
        return [.. therapists.OrderBy(t => t.Id, StringComparer.Ordinal)];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "practice created {PracticeId}")]
    private static partial void LogCreated(ILogger logger, string practiceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "practice settings updated {PracticeId}")]
    private static partial void LogUpdated(ILogger logger, string practiceId);
}
