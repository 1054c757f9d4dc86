using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Reengage.LocalHost.Tests.Functions.Timers;

public sealed class TimerFunctions(Recorder recorder)
{
    [Function("nightly")]
    public async Task Run([TimerTrigger("%NIGHTLY_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        recorder.Record("nightly", timer is null ? "no TimerInfo" : $"past due: {timer.IsPastDue}");
    }

    [Function("ping")]
    public static IActionResult Ping([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request) => new OkResult();
}
