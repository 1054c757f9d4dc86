using System.Net;
using System.Text;

namespace Reengage.LocalHost.Tests;

public sealed class AdminInvocationTests : IAsyncLifetime
{
    private const string Namespace = "Reengage.LocalHost.Tests.Functions.Timers";
    private TestApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(Namespace, new Dictionary<string, string?> { ["NIGHTLY_SCHEDULE"] = "0 0 5 * * *" });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Posting_to_the_admin_endpoint_answers_202_and_runs_the_timer_function_with_a_TimerInfo()
    {
        var response = await _app.Client.PostAsync("/admin/functions/nightly", new StringContent("""{"input":""}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _app.Recorder.WaitUntilAsync(r => r.Calls("nightly").Count > 0, "the timer function to run");
        Assert.Equal("past due: False", Assert.Single(_app.Recorder.Calls("nightly")).Value);
    }

    [Fact]
    public async Task Function_names_are_matched_without_regard_to_case()
    {
        var response = await _app.Client.PostAsync("/admin/functions/NIGHTLY", new StringContent("""{"input":""}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _app.Recorder.WaitUntilAsync(r => r.Calls("nightly").Count > 0, "the timer function to run");
    }

    [Fact]
    public async Task An_unknown_function_is_404_and_an_HTTP_function_is_400()
    {
        var unknown = await _app.Client.PostAsync("/admin/functions/nope", new StringContent("""{"input":""}"""));
        var http = await _app.Client.PostAsync("/admin/functions/ping", new StringContent("""{"input":""}"""));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_runs_the_function_and_returns_when_it_is_done()
    {
        await _app.Host.InvokeAsync("nightly");

        Assert.Single(_app.Recorder.Calls("nightly"));
    }

    [Fact]
    public void The_schedule_is_resolved_from_its_setting()
    {
        var timer = Assert.Single(_app.Host.Functions, f => f.Trigger == TriggerKind.Timer);

        Assert.Equal("nightly", timer.Name);
        Assert.Equal("0 0 5 * * *", timer.Schedule);
    }

    [Fact]
    public async Task A_host_started_on_a_port_found_free_beforehand_listens_there()
    {
        var port = LocalFunctionsHost.FindFreePort();
        var directory = TestApp.AppDirectory(null, null);
        try
        {
            var options = TestApp.Options(Namespace, directory, new Dictionary<string, string?> { ["NIGHTLY_SCHEDULE"] = "0 0 5 * * *" }) with { Port = port };
            await using var host = await LocalFunctionsHost.StartAsync(options);

            Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), host.BaseUrl);
            using var client = new HttpClient { BaseAddress = host.BaseUrl };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/ping")).StatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
