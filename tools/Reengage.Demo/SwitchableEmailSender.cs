using Reengage.Core.Ports;

namespace Reengage.Demo;

/// <summary>Lets history go to a scratch folder and the demo week to ./outbox, in one running app.</summary>
internal sealed class SwitchableEmailSender(IEmailSender target) : IEmailSender
{
    private IEmailSender _target = target;

    public IEmailSender Target
    {
        get => Volatile.Read(ref _target);
        set => Volatile.Write(ref _target, value);
    }

    public Task<SendOutcome> SendAsync(OutgoingEmail email, string operationId, CancellationToken cancellationToken = default) =>
        Target.SendAsync(email, operationId, cancellationToken);

    public Task<SendStatus> GetStatusAsync(string operationId, CancellationToken cancellationToken = default) =>
        Target.GetStatusAsync(operationId, cancellationToken);
}
