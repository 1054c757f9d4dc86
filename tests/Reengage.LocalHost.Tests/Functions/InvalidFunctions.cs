using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Reengage.LocalHost.Tests.Functions.Invalid;

public static class InvalidFunctions
{
    [Function("wantsContext")]
    public static IActionResult WantsContext([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "context")] HttpRequest request, FunctionContext context) =>
        new OkResult();

    [Function("wantsUnknown")]
    public static IActionResult WantsUnknown([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "unknown/{id}")] HttpRequest request, string id, string notInRoute) =>
        new OkResult();

    [Function("returnsText")]
    public static string ReturnsText([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "text")] HttpRequest request) => "text";

    [Function("scheduleMissing")]
    public static void ScheduleMissing([TimerTrigger("%NO_SUCH_SCHEDULE_SETTING%")] TimerInfo timer) { }

    [Function("wantsQueueMessage")]
    public static void WantsQueueMessage([QueueTrigger("some-queue")] Azure.Storage.Queues.Models.QueueMessage message) { }
}
