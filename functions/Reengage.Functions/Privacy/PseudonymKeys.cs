// The practice's pseudonym key, created on first need for practices whose secrets were written before it existed.
using Microsoft.Extensions.Logging;
using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Core.Privacy;

namespace Reengage.Functions.Privacy;

public sealed partial class PseudonymKeys(IPracticeStore practices, ILogger<PseudonymKeys> logger)
{
    private const int MaxAttempts = 8;

    /// <summary>
    /// The practice's pseudonym key. A practice created before keys existed gets one here, written only if its secrets
    /// row has not changed since it was read (or inserted only if it has none): of two erasures racing to create it, the
    /// loser's write fails and it reads the winner's key, so both pseudonymise under one key. A key once stored is only
    /// ever read, never replaced.
    /// </summary>
    public async Task<PseudonymKey> GetOrCreateAsync(string practiceId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var secrets = await practices.GetSecretsAsync(practiceId, cancellationToken).ConfigureAwait(false);
            if (secrets?.Value.PseudonymKey is { } stored) return stored;
            var key = PseudonymKey.New();
            try
            {
                if (secrets is null)
                {
                    // A practice whose creation died before its secrets row (it has no data to erase in production).
                    if (await practices.CreateSecretsAsync(new PracticeSecrets { PracticeId = practiceId, PseudonymKey = key }, cancellationToken).ConfigureAwait(false) is null)
                    {
                        throw new ReengageException(ErrorCode.Conflict, $"the secrets of practice {practiceId} were created meanwhile", retryable: true);
                    }
                }
                else
                {
                    await practices.UpdateSecretsAsync(secrets.Value with { PseudonymKey = key }, secrets.ETag, cancellationToken).ConfigureAwait(false);
                }
                LogCreated(logger, practiceId);
                return key;
            }
            catch (ReengageException e) when (e.Code is ErrorCode.PreconditionFailed or ErrorCode.Conflict && attempt < MaxAttempts)
            {
                // Another writer changed the secrets row since it was read (perhaps storing a key): read it again.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pseudonym key created {PracticeId}")]
    private static partial void LogCreated(ILogger logger, string practiceId);
}
