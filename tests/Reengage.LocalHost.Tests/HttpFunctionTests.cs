using System.Net;
using System.Text;
using System.Text.Json;

namespace Reengage.LocalHost.Tests;

public sealed class HttpFunctionTests : IAsyncLifetime
{
    private const string Namespace = "Reengage.LocalHost.Tests.Functions.Http";
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(Namespace);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Route_parameters_are_bound_by_name_and_the_ObjectResult_is_written_as_camelCase_JSON()
    {
        var response = await _app.Client.GetAsync("/api/items/42/zoe?q=soon");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(42, json.RootElement.GetProperty("id").GetInt32());
        Assert.Equal("zoe", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("soon", json.RootElement.GetProperty("query").GetString());
    }

    [Fact]
    public async Task A_value_that_breaks_a_route_constraint_is_not_found()
    {
        var response = await _app.Client.GetAsync("/api/items/forty-two/zoe");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(_app.Recorder.Calls("getItem"));
    }

    [Theory]
    [InlineData("DELETE", "/api/items/42/zoe")]
    [InlineData("HEAD", "/api/items/42/zoe")]
    [InlineData("GET", "/api/items")]
    public async Task A_known_route_with_a_method_the_function_does_not_take_is_404_as_in_the_Functions_host(string method, string path)
    {
        var response = await _app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_route_is_404()
    {
        var response = await _app.Client.GetAsync("/api/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Function_level_functions_answer_with_any_key_or_none_as_func_start_does()
    {
        var withHeader = new HttpRequestMessage(HttpMethod.Get, "/api/items/1/a");
        withHeader.Headers.Add("x-functions-key", "anything");

        Assert.Equal(HttpStatusCode.OK, (await _app.Client.SendAsync(withHeader)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Client.GetAsync("/api/items/1/b?code=whatever")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Client.GetAsync("/api/items/1/c")).StatusCode);
    }

    [Fact]
    public async Task The_request_body_reaches_the_function_and_a_CreatedResult_sets_status_and_Location()
    {
        var response = await _app.Client.PostAsync("/api/items", new StringContent("hello body", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/items/7", response.Headers.Location?.OriginalString);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("hello body", json.RootElement.GetProperty("received").GetString());
    }

    [Fact]
    public async Task An_IResult_is_executed_with_its_status_content_type_and_the_headers_the_function_set()
    {
        var response = await _app.Client.PutAsync("/api/minimal/a/b", new StringContent(""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("a/b", Assert.Single(response.Headers.GetValues("X-Rest")));
        Assert.Equal("rest=a/b", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_ProblemDetails_result_is_problem_json()
    {
        var response = await _app.Client.GetAsync("/api/problem");

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Not like this", json.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_redirect_result_answers_302_with_its_Location()
    {
        var response = await _app.Client.GetAsync("/api/go");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("https://booking.example/next", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task A_trigger_without_methods_takes_every_method()
    {
        var response = await _app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, "/api/any"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PATCH", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_trigger_without_a_route_is_served_at_the_function_name()
    {
        var response = await _app.Client.GetAsync("/api/defaultRoute");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"default\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_function_that_throws_answers_a_bare_500()
    {
        var response = await _app.Client.GetAsync("/api/throws");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_function_class_is_created_from_the_services_once_per_invocation()
    {
        await _app.Client.GetAsync("/api/items/1/a");
        await _app.Client.GetAsync("/api/items/2/b");

        Assert.Equal(2, _app.Recorder.Instances);
        Assert.Equal(["a", "b"], _app.Recorder.Calls("getItem").Select(c => c.Value));
    }

    [Fact]
    public async Task The_host_answers_its_status_probe()
    {
        var response = await _app.Client.GetAsync("/admin/host/status");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Running", json.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public void Every_HTTP_function_is_discovered_with_its_route_and_methods()
    {
        var functions = _app.Host.Functions.ToDictionary(f => f.Name);

        Assert.Equal(8, functions.Count);
        Assert.Equal("items/{id:int}/{name}", functions["getItem"].Route);
        Assert.Equal(["GET"], functions["getItem"].HttpMethods);
        Assert.Equal(Microsoft.Azure.Functions.Worker.AuthorizationLevel.Function, functions["getItem"].AuthLevel);
        Assert.Equal(["GET", "PUT"], functions["minimal"].HttpMethods);
        Assert.Empty(functions["anyMethod"].HttpMethods);
        Assert.Equal("defaultRoute", functions["defaultRoute"].Route);
    }
}

public sealed class HttpHostJsonTests
{
    private const string Namespace = "Reengage.LocalHost.Tests.Functions.Http";

    [Fact]
    public async Task The_route_prefix_comes_from_host_json()
    {
        await using var app = await TestApp.StartAsync(Namespace, hostJson: """{ "version": "2.0", "extensions": { "http": { "routePrefix": "v1" } } }""");

        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/v1/items/3/c")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/api/items/3/c")).StatusCode);
    }

    [Fact]
    public async Task A_function_disabled_by_its_AzureWebJobs_setting_is_not_served()
    {
        await using var app = await TestApp.StartAsync(Namespace, new Dictionary<string, string?> { ["AzureWebJobs.getItem.Disabled"] = "true" });

        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/api/items/3/c")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await app.Client.GetAsync("/api/go")).StatusCode);
    }
}
