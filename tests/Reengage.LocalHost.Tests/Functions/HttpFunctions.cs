using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Reengage.LocalHost.Tests.Functions.Http;

public sealed class HttpFunctions
{
    private readonly Recorder _recorder;

    public HttpFunctions(Recorder recorder)
    {
        _recorder = recorder;
        recorder.Created();
    }

    [Function("getItem")]
    public IActionResult Get([HttpTrigger(AuthorizationLevel.Function, "get", Route = "items/{id:int}/{name}")] HttpRequest request, int id, string name)
    {
        _recorder.Record("getItem", name);
        return new OkObjectResult(new { Id = id, Name = name, Query = request.Query["q"].ToString() });
    }

    [Function("createItem")]
    public async Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "items")] HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        return new CreatedResult("/api/items/7", new { Received = body });
    }

    [Function("minimal")]
    public static IResult Minimal([HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", Route = "minimal/{*rest}")] HttpRequest request, string rest)
    {
        request.HttpContext.Response.Headers["X-Rest"] = rest;
        return Results.Text($"rest={rest}", "text/plain; charset=utf-8", statusCode: StatusCodes.Status202Accepted);
    }

    [Function("problem")]
    public static ValueTask<IActionResult> Problem([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "problem")] HttpRequest request) =>
        ValueTask.FromResult<IActionResult>(new ObjectResult(new ProblemDetails { Status = 422, Title = "Not like this" }) { StatusCode = 422 });

    [Function("redirect")]
    public static IActionResult Redirect([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "go")] HttpRequest request) =>
        new RedirectResult("https://booking.example/next");

    [Function("anyMethod")]
    public static IActionResult Any([HttpTrigger(AuthorizationLevel.Anonymous, Route = "any")] HttpRequest request) =>
        new ContentResult { Content = request.Method, ContentType = "text/plain", StatusCode = 200 };

    [Function("throws")]
    public static IActionResult Throws([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "throws")] HttpRequest request) =>
        throw new InvalidOperationException("a bug");

    [Function("defaultRoute")]
    public static Task<IResult> DefaultRoute([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request) =>
        Task.FromResult(Results.Ok("default"));
}
