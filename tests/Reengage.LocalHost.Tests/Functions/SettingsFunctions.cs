using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace Reengage.LocalHost.Tests.Functions.Settings;

public sealed class SettingsFunctions(IConfiguration configuration)
{
    [Function("setting")]
    public IActionResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "setting/{name}")] HttpRequest request, string name) =>
        configuration[name] is { } value ? new ContentResult { Content = value, ContentType = "text/plain" } : new NotFoundResult();

    [Function("scheduled")]
    public static void Scheduled([TimerTrigger("%SETTINGS_SCHEDULE%")] TimerInfo timer) { }
}
