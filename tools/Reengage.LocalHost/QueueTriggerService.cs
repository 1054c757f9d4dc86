using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Reengage.LocalHost;

/// <summary>
/// Polls the queue of every queue-triggered function with the Functions host's semantics: Base64 bodies, the dequeue
/// count passed in, delete on success, release for a retry on a throw, poison queue after maxDequeueCount, and at most
/// batchSize + newBatchThreshold invocations in flight per function.
/// </summary>
internal sealed partial class QueueTriggerService(
    IReadOnlyList<RegisteredFunction> functions,
    HostJson.QueueSettings settings,
    IConfiguration configuration,
    IServiceProvider services,
    InvocationTracker tracker,
    ILogger<QueueTriggerService> logger) : BackgroundService
{
    private readonly List<QueueListener> _listeners = [];

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var function in functions.Where(f => f.Descriptor.Trigger == TriggerKind.Queue))
        {
            var descriptor = function.Descriptor;
            var service = CreateServiceClient(descriptor);
            var queue = service.GetQueueClient(descriptor.QueueName);
            var poison = service.GetQueueClient(descriptor.QueueName + "-poison");
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException(
                    $"{descriptor.Name}: cannot create queue '{descriptor.QueueName}' at {service.Uri} (setting {descriptor.Connection}); is the storage emulator running? {ex.Message}", ex);
            }
            _listeners.Add(new QueueListener(function, queue, poison, settings, services, tracker, logger));
        }
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_listeners.Select(l => Task.Run(() => l.RunAsync(stoppingToken), CancellationToken.None)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Polling stops at once; messages in flight finish unless the host's shutdown timeout runs out first.
        using var abort = cancellationToken.Register(tracker.Abort);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private QueueServiceClient CreateServiceClient(FunctionDescriptor descriptor)
    {
        var name = descriptor.Connection!;
        var connectionString = configuration.GetConnectionString(name) is { Length: > 0 } fromSection ? fromSection
            : configuration[name] is { Length: > 0 } plain ? plain
            : configuration["AzureWebJobs" + name];
        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException(configuration.GetSection(name).GetChildren().Any()
                ? $"{descriptor.Name}: the setting {name} is identity-based ({name}__queueServiceUri); the local host needs a connection string (UseDevelopmentStorage=true for Azurite)."
                : $"{descriptor.Name}: the setting {name} (the queue's storage connection) is missing; set it to a connection string (UseDevelopmentStorage=true for Azurite).");
        }
        // Bodies are read raw and decoded here, so a message that is not Base64 goes to the poison queue as the real host does.
        return new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
    }

    private sealed class QueueListener(
        RegisteredFunction function,
        QueueClient queue,
        QueueClient poison,
        HostJson.QueueSettings settings,
        IServiceProvider services,
        InvocationTracker tracker,
        ILogger logger)
    {
        private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

        // How long a received message stays hidden while its function runs (the real host renews it; here it is simply long).
        private static readonly TimeSpan ReceiveVisibilityTimeout = TimeSpan.FromMinutes(10);

        private string Name => function.Descriptor.Name;

        public async Task RunAsync(CancellationToken stoppingToken)
        {
            var inFlight = new HashSet<Task>();
            var delay = MinimumPollingInterval;
            while (!stoppingToken.IsCancellationRequested)
            {
                QueueMessage[] batch;
                try
                {
                    batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, ReceiveVisibilityTimeout, stoppingToken).ConfigureAwait(false)).Value;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    LogReceiveFailed(logger, Name, queue.Name, ex);
                    batch = [];
                }

                if (batch.Length == 0)
                {
                    try
                    {
                        await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Math.Max(settings.MaxPollingInterval.Ticks, MinimumPollingInterval.Ticks)));
                    continue;
                }

                delay = MinimumPollingInterval;
                foreach (var message in batch)
                {
                    inFlight.Add(Task.Run(() => ProcessAsync(message), CancellationToken.None));
                }
                // The next batch is fetched once no more than newBatchThreshold messages are still running.
                inFlight.RemoveWhere(t => t.IsCompleted);
                while (inFlight.Count > settings.EffectiveNewBatchThreshold)
                {
                    await Task.WhenAny(inFlight).ConfigureAwait(false);
                    inFlight.RemoveWhere(t => t.IsCompleted);
                }
            }
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }

        private async Task ProcessAsync(QueueMessage message)
        {
            try
            {
                if (message.DequeueCount > settings.MaxDequeueCount)
                {
                    await MoveToPoisonAsync(message).ConfigureAwait(false);
                    return;
                }
                BinaryData body;
                if (settings.Base64)
                {
                    try
                    {
                        body = new BinaryData(Convert.FromBase64String(message.Body.ToString()));
                    }
                    catch (FormatException)
                    {
                        LogNotBase64(logger, Name, message.MessageId);
                        await MoveToPoisonAsync(message).ConfigureAwait(false);
                        return;
                    }
                }
                else
                {
                    body = message.Body;
                }

                var input = new QueueInput(body, message.MessageId, message.DequeueCount, message.PopReceipt, message.InsertedOn, message.ExpiresOn, message.NextVisibleOn);
                Exception? failure = null;
                await using (var scope = services.CreateAsyncScope())
                {
                    try
                    {
                        await FunctionInvoker.InvokeAsync(function, new InvocationContext(scope.ServiceProvider, tracker.AbortToken) { Queue = input }, tracker).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        failure = ex;
                    }
                }

                if (failure is null)
                {
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt).ConfigureAwait(false);
                    LogSucceeded(logger, Name, message.MessageId, message.DequeueCount);
                }
                else if (message.DequeueCount >= settings.MaxDequeueCount)
                {
                    LogFailed(logger, Name, message.MessageId, message.DequeueCount, failure);
                    await MoveToPoisonAsync(message).ConfigureAwait(false);
                }
                else
                {
                    LogFailed(logger, Name, message.MessageId, message.DequeueCount, failure);
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                // A storage call failed: the message reappears when its visibility timeout ends and is tried again.
                LogSettleFailed(logger, Name, message.MessageId, ex);
            }
        }

        private async Task MoveToPoisonAsync(QueueMessage message)
        {
            // The raw text goes over unchanged, so the poison message decodes exactly as the original did.
            await poison.SendMessageAsync(message.Body).ConfigureAwait(false);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt).ConfigureAwait(false);
            LogPoisoned(logger, Name, message.MessageId, poison.Name, message.DequeueCount);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Function} completed message {MessageId} (dequeue count {DequeueCount})")]
    private static partial void LogSucceeded(ILogger logger, string function, string messageId, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} failed on message {MessageId} (dequeue count {DequeueCount})")]
    private static partial void LogFailed(ILogger logger, string function, string messageId, long dequeueCount, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: message {MessageId} moved to {PoisonQueue} after {DequeueCount} dequeues")]
    private static partial void LogPoisoned(ILogger logger, string function, string messageId, string poisonQueue, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: message {MessageId} is not Base64 (host.json messageEncoding is base64)")]
    private static partial void LogNotBase64(ILogger logger, string function, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: receiving from {Queue} failed; polling goes on")]
    private static partial void LogReceiveFailed(ILogger logger, string function, string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: settling message {MessageId} failed; it will be received again")]
    private static partial void LogSettleFailed(ILogger logger, string function, string messageId, Exception exception);
}
