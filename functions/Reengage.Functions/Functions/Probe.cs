using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Reengage.Functions.Functions;

public static class Probe
{
    [Function("probe")]
    public static IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "probe")] HttpRequest request) => new OkResult();

    [Function("probeTimer")]
    public static void Timer([TimerTrigger("%LAPSED_SCAN_SCHEDULE%")] TimerInfo timer) { }

    [Function("probeQueue")]
    public static void Queue([QueueTrigger("outreach-send", Connection = "ReengageStorage")] string message) { }
}
