// Practice settings and secrets are read on every webhook and every send, and change rarely: a short-lived cache
// keeps them off the common path's request count. This instance's own writes invalidate at once; another instance's
// writes are seen after at most the time-to-live. Conditional writes stay safe: a stale cached ETag only makes an
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

    private readonly ConcurrentDictionary<string, Entry<Practice>> _practices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry<PracticeSecrets>> _secrets = new(StringComparer.Ordinal);
    // Bumped by every write of this instance: a read that started before a write must not cache what it read.
    private long _generation;

    public Task<Versioned<Practice>?> GetPracticeAsync(string practiceId, CancellationToken cancellationToken = default) =>
        GetAsync(_practices, practiceId, id => inner.GetPracticeAsync(id, cancellationToken));

    public Task<Versioned<PracticeSecrets>?> GetSecretsAsync(string practiceId, CancellationToken cancellationToken = default) =>
        GetAsync(_secrets, practiceId, id => inner.GetSecretsAsync(id, cancellationToken));

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
        inner.GetTherapistAsync(practiceId, therapistId, cancellationToken);

    public Task UpsertTherapistAsync(Therapist therapist, CancellationToken cancellationToken = default) =>
        inner.UpsertTherapistAsync(therapist, cancellationToken);

    public IAsyncEnumerable<Therapist> ListTherapistsAsync(string practiceId, CancellationToken cancellationToken = default) =>
        inner.ListTherapistsAsync(practiceId, cancellationToken);

    public Task<TemplateOverride?> GetTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default) =>
        inner.GetTemplateOverrideAsync(practiceId, templateId, locale, cancellationToken);

    public Task UpsertTemplateOverrideAsync(TemplateOverride templateOverride, CancellationToken cancellationToken = default) =>
        inner.UpsertTemplateOverrideAsync(templateOverride, cancellationToken);

    public Task DeleteTemplateOverrideAsync(string practiceId, TemplateId templateId, Locale locale, CancellationToken cancellationToken = default) =>
        inner.DeleteTemplateOverrideAsync(practiceId, templateId, locale, cancellationToken);

    public Task<Versioned<TherapistMapping>?> GetTherapistMappingAsync(string practiceId, CancellationToken cancellationToken = default) =>
        inner.GetTherapistMappingAsync(practiceId, cancellationToken);

    public Task<string> CreateTherapistMappingAsync(TherapistMapping mapping, CancellationToken cancellationToken = default) =>
        inner.CreateTherapistMappingAsync(mapping, cancellationToken);

    public Task<string> UpdateTherapistMappingAsync(TherapistMapping mapping, string etag, CancellationToken cancellationToken = default) =>
        inner.UpdateTherapistMappingAsync(mapping, etag, cancellationToken);

    private async Task<Versioned<T>?> GetAsync<T>(ConcurrentDictionary<string, Entry<T>> cache, string practiceId, Func<string, Task<Versioned<T>?>> read)
    {
        var now = time.GetUtcNow();
        if (cache.TryGetValue(practiceId, out var entry) && now < entry.ExpiresAt) return entry.Value;
        var generation = Interlocked.Read(ref _generation);
        var value = await read(practiceId).ConfigureAwait(false);
        // Misses are not cached: a practice created on another instance must be usable at once.
        if (value is not null && Interlocked.Read(ref _generation) == generation)
        {
            if (cache.Count >= MaxEntries) cache.Clear();
            cache[practiceId] = new Entry<T>(value, now + _timeToLive);
        }
        return value;
    }

    private async Task<TResult> WriteAsync<T, TResult>(ConcurrentDictionary<string, Entry<T>> cache, string practiceId, Func<Task<TResult>> write)
    {
        Interlocked.Increment(ref _generation);
        cache.TryRemove(practiceId, out _);
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            // Also after a failure (PreconditionFailed above all): what was cached may be older than the row.
            Interlocked.Increment(ref _generation);
            cache.TryRemove(practiceId, out _);
        }
    }

    private sealed record Entry<T>(Versioned<T> Value, DateTimeOffset ExpiresAt);
}
