// Practice settings and secrets are read on every webhook and every send, a therapist and a template override on every
// send, and all change rarely: a short-lived cache keeps them off the common path's request count. This instance's own
// writes (the admin routes') invalidate at once; another instance's writes are seen after at most the time-to-live.
// A template override is cached present or absent (the common case is none: one point read per practice, template
// and locale per time-to-live instead of one per email); a missing practice, secrets or therapist is never cached. Conditional writes stay safe: a stale cached ETag only makes an
// update fail PreconditionFailed, which evicts the entry so that the caller's retry reads the row afresh.
using System.Collections.Concurrent;
using Reengage.Core.Model;
using Reengage.Core.Ports;

namespace Reengage.Functions.Storage;

public sealed class CachedPracticeStore(IPracticeStore inner, TimeProvider time, TimeSpan? timeToLive = null) : IPracticeStore
{
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromSeconds(30);

    /// <summary>Past this many entries the cache starts over, so that a flood of ids cannot grow it without bound.</summary>
    private const int MaxEntries = 10_000;

    private readonly TimeSpan _timeToLive = timeToLive is { } ttl && ttl < TimeSpan.Zero
        ? throw new ArgumentOutOfRangeException(nameof(timeToLive))
        : timeToLive ?? DefaultTimeToLive;

    private readonly ConcurrentDictionary<string, Entry<Versioned<Practice>>> _practices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry<Versioned<PracticeSecrets>>> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry<Therapist>> _therapists = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry<TemplateOverride>> _overrides = new(StringComparer.Ordinal);
    // Bumped by every write of this instance: a read that started before a write must not cache what it read.
    private long _generation;

    public Task<Versioned<Practice>?> GetPracticeAsync(string practiceId, CancellationToken cancellationToken = default) =>
        GetAsync(_practices, practiceId, () => inner.GetPracticeAsync(practiceId, cancellationToken), cacheMiss: false);

    public Task<Versioned<PracticeSecrets>?> GetSecretsAsync(string practiceId, CancellationToken cancellationToken = default) =>
        GetAsync(_secrets, practiceId, () => inner.GetSecretsAsync(practiceId, cancellationToken), cacheMiss: false);

    public Task<string?> CreatePracticeAsync(Practice practice, CancellationToken cancellationToken = default) =>
        WriteAsync(_practices, practice.Id, () => inner.CreatePracticeAsync(practice, cancellationToken));

    public Task UpsertPracticeAsync(Practice practice, CancellationToken cancellationToken = default) =>
        WriteAsync(_practices, practice.Id, async () =>
        {
            await inner.UpsertPracticeAsync(practice, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task<string> UpdatePracticeAsync(Practice practice, string etag, CancellationToken cancellationToken = default) =>
        WriteAsync(_practices, practice.Id, () => inner.UpdatePracticeAsync(practice, etag, cancellationToken));

    public IAsyncEnumerable<Practice> ListPracticesAsync(CancellationToken cancellationToken = default) => inner.ListPracticesAsync(cancellationToken);

    public Task<string?> CreateSecretsAsync(PracticeSecrets secrets, CancellationToken cancellationToken = default) =>
        WriteAsync(_secrets, secrets.PracticeId, () => inner.CreateSecretsAsync(secrets, cancellationToken));

    public Task UpsertSecretsAsync(PracticeSecrets secrets, CancellationToken cancellationToken = default) =>
        WriteAsync(_secrets, secrets.PracticeId, async () =>
        {
            await inner.UpsertSecretsAsync(secrets, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task<string> UpdateSecretsAsync(PracticeSecrets secrets, string etag, CancellationToken cancellationToken = default) =>
        WriteAsync(_secrets, secrets.PracticeId, () => inner.UpdateSecretsAsync(secrets, etag, cancellationToken));

    public Task<Therapist?> GetTherapistAsync(string practiceId, string therapistId, CancellationToken cancellationToken = default) =>
        GetAsync(_therapists, TherapistKey(practiceId, therapistId), () => inner.GetTherapistAsync(practiceId, therapistId, cancellationToken), cacheMiss: false);

    public Task UpsertTherapistAsync(Therapist therapist, CancellationToken cancellationToken = default) =>
        WriteAsync(_therapists, TherapistKey(therapist.PracticeId, therapist.Id), async () =>
        {
            await inner.UpsertTherapistAsync(therapist, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public IAsyncEnumerable<Therapist> ListTherapistsAsync(string practiceId, CancellationToken cancellationToken = default) =>
        inner.ListTherapistsAsync(practiceId, cancellationToken);

    public Task<TemplateOverride?> GetTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default) =>
        GetAsync(_overrides, OverrideKey(practiceId, templateId, locale), () => inner.GetTemplateOverrideAsync(practiceId, templateId, locale, cancellationToken), cacheMiss: true);

    public Task UpsertTemplateOverrideAsync(TemplateOverride templateOverride, CancellationToken cancellationToken = default) =>
        WriteAsync(_overrides, OverrideKey(templateOverride.PracticeId, templateOverride.TemplateId, templateOverride.Locale), async () =>
        {
            await inner.UpsertTemplateOverrideAsync(templateOverride, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task DeleteTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default) =>
        WriteAsync(_overrides, OverrideKey(practiceId, templateId, locale), async () =>
        {
            await inner.DeleteTemplateOverrideAsync(practiceId, templateId, locale, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task<Versioned<TherapistMapping>?> GetTherapistMappingAsync(string practiceId, CancellationToken cancellationToken = default) =>
        inner.GetTherapistMappingAsync(practiceId, cancellationToken);

    public Task<string> CreateTherapistMappingAsync(TherapistMapping mapping, CancellationToken cancellationToken = default) =>
        inner.CreateTherapistMappingAsync(mapping, cancellationToken);

    public Task<string> UpdateTherapistMappingAsync(TherapistMapping mapping, string etag, CancellationToken cancellationToken = default) =>
        inner.UpdateTherapistMappingAsync(mapping, etag, cancellationToken);

    // Keys are ids checked by the table adapter (no control characters): a line feed cannot occur inside one.
    private static string TherapistKey(string practiceId, string therapistId) => $"{practiceId}\n{therapistId}";

    private static string OverrideKey(string practiceId, TemplateId templateId, Locale locale) => $"{practiceId}\n{templateId}\n{locale}";

    /// <param name="cacheMiss">Whether an absent row is cached too (template overrides: absent is the common case).</param>
    private async Task<T?> GetAsync<T>(ConcurrentDictionary<string, Entry<T>> cache, string key, Func<Task<T?>> read, bool cacheMiss)
        where T : class
    {
        var now = time.GetUtcNow();
        if (cache.TryGetValue(key, out var entry) && now < entry.ExpiresAt) return entry.Value;
        var generation = Interlocked.Read(ref _generation);
        var value = await read().ConfigureAwait(false);
        // A missing practice is not cached: a practice created on another instance must be usable at once.
        if ((value is not null || cacheMiss) && Interlocked.Read(ref _generation) == generation)
        {
            if (cache.Count >= MaxEntries) cache.Clear();
            cache[key] = new Entry<T>(value, now + _timeToLive);
        }
        return value;
    }

    private async Task<TResult> WriteAsync<T, TResult>(ConcurrentDictionary<string, Entry<T>> cache, string key, Func<Task<TResult>> write)
        where T : class
    {
        Interlocked.Increment(ref _generation);
        cache.TryRemove(key, out _);
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            // Also after a failure (PreconditionFailed above all): what was cached may be older than the row.
            Interlocked.Increment(ref _generation);
            cache.TryRemove(key, out _);
        }
    }

    private sealed record Entry<T>(T? Value, DateTimeOffset ExpiresAt)
        where T : class;
}
