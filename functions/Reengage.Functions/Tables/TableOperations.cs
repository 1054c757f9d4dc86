// The handful of Table operations every adapter uses, with errors already translated (see StorageErrors).
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace Reengage.Functions.Tables;

internal sealed class TableOperations(TableClient client)
{
    public TableClient Client { get; } = client;

    public string Table => Client.Name;

    /// <summary>A point read; null when the row is missing (a missing table still throws).</summary>
    public async Task<(TableEntity Entity, string ETag)?> GetAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var what = $"{Table} get";
        try
        {
            var response = await Client.GetEntityAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (response.Value, ETagOf(response.Value.ETag, what));
        }
        catch (RequestFailedException error) when (StorageErrors.IsNotFound(error))
        {
            return null;
        }
        catch (Exception error) when (StorageErrors.Translate(error, what) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Inserts; Conflict when the row exists.</summary>
    public async Task<string> CreateAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        var what = $"{Table} create";
        var response = await StorageErrors.GuardAsync(what, () => Client.AddEntityAsync(entity, cancellationToken)).ConfigureAwait(false);
        return ETagOf(response.Headers.ETag, what);
    }

    /// <summary>Inserts; null when the row exists (one request either way).</summary>
    public async Task<string?> CreateOrNullAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        var what = $"{Table} create";
        try
        {
            var response = await Client.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return ETagOf(response.Headers.ETag, what);
        }
        catch (RequestFailedException error) when (error.Status == 409)
        {
            return null;
        }
        catch (Exception error) when (StorageErrors.Translate(error, what) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Replaces the whole row if its ETag still matches; PreconditionFailed otherwise.</summary>
    public async Task<string> ReplaceAsync(TableEntity entity, string etag, CancellationToken cancellationToken)
    {
        var what = $"{Table} update";
        var response = await StorageErrors.GuardAsync(what, () => Client.UpdateEntityAsync(entity, new ETag(etag), TableUpdateMode.Replace, cancellationToken)).ConfigureAwait(false);
        return ETagOf(response.Headers.ETag, what);
    }

    /// <summary>Inserts or replaces the whole row, whatever it held (properties not given are removed).</summary>
    public async Task<string> UpsertAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        var what = $"{Table} upsert";
        var response = await StorageErrors.GuardAsync(what, () => Client.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken)).ConfigureAwait(false);
        return ETagOf(response.Headers.ETag, what);
    }

    /// <summary>Succeeds if the row is already gone.</summary>
    public async Task DeleteAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var what = $"{Table} delete";
        try
        {
            // DeleteEntityAsync answers a missing row with success already; a missing table still throws.
            await Client.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (StorageErrors.IsNotFound(error))
        {
        }
        catch (Exception error) when (StorageErrors.Translate(error, what) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>A transaction in one partition; returns the ETag of the first action's row.</summary>
    public async Task<string> SubmitAsync(string operation, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        var what = $"{Table} {operation}";
        var response = await StorageErrors.GuardAsync(what, () => Client.SubmitTransactionAsync(actions, cancellationToken)).ConfigureAwait(false);
        return ETagOf(response.Value[0].Headers.ETag, what);
    }

    /// <summary><paramref name="filter"/> comes from <see cref="TableClient.CreateQueryFilter(FormattableString)"/>, so values are quoted.</summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(string filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var what = $"{Table} query";
        await using var pages = Client.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            Page<TableEntity> page;
            try
            {
                if (!await pages.MoveNextAsync().ConfigureAwait(false)) yield break;
                page = pages.Current;
            }
            catch (Exception error) when (StorageErrors.Translate(error, what) is { } translated)
            {
                throw translated;
            }
            foreach (var entity in page.Values) yield return entity;
        }
    }

    private static string ETagOf(ETag? etag, string what) =>
        etag is { } value && value != default ? value.ToString() : throw new InvalidOperationException($"{what}: the service returned no ETag.");
}
