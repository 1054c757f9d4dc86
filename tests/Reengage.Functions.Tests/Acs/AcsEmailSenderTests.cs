using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Time.Testing;
using Reengage.Core;
using Reengage.Core.Ports;
using Reengage.Functions.Acs;
using Reengage.Testing;

namespace Reengage.Functions.Tests.Acs;

/// <summary>The real adapter, through its real Azure.Core pipeline, against the local ACS stand-in.</summary>
public sealed class AcsEmailSenderTests : IAsyncLifetime
{
    private const string Op1 = "6f1c2a9e-8b7d-4c6e-9a1b-2c3d4e5f6a71";
    private const string Op2 = "6f1c2a9e-8b7d-4c6e-9a1b-2c3d4e5f6a72";
    private const string UnknownOp = "00000000-0000-4000-8000-000000000000";

    private static readonly OutgoingEmail Email = new()
    {
        From = new EmailAddress("cabinet@mail.reengage.example", "Cabinet Dupont"),
        To = new EmailAddress("camille@example.org", "Camille"),
        ReplyTo = new EmailAddress("elise.martin@cabinet-dupont.example", "Élise Martin"),
        Subject = "Comment allez-vous ?",
        Html = "<p>Bonjour Camille,</p><p>Nous pensions à vous.</p>",
        Text = "Bonjour Camille,\n\nNous pensions à vous.",
        Headers = new Dictionary<string, string>
        {
            ["List-Unsubscribe"] = "<https://reengage.example/api/unsubscribe/tok_abc>",
            ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
            ["X-Reengage-Template"] = "check-in",
            ["X-Reengage-Outreach"] = "out_7f3a",
        },
    };

    private AcsEmailStandIn _acs = null!;

    public async Task InitializeAsync() => _acs = await AcsEmailStandIn.StartAsync();

    public async Task DisposeAsync() => await _acs.DisposeAsync();

    /// <summary>Fast retries, so that tests of the retry budget do not wait on real backoff.</summary>
    private static AcsEmailSenderOptions QuickRetries(int maxRetries = 2)
    {
        var options = new AcsEmailSenderOptions();
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    private AcsEmailSender Sender(AcsEmailSenderOptions? options = null) => new(_acs.ConnectionString, options ?? QuickRetries());

    [Fact]
    public async Task Posts_the_message_as_ACS_expects_it_with_the_operation_id_and_an_HMAC_signature()
    {
        var outcome = await Sender().SendAsync(Email, Op1);

        Assert.Equal(new SendOutcome.Accepted(Op1), outcome);
        var received = Assert.Single(_acs.Sent);
        Assert.Equal(Op1, received.Headers["operation-id"]);
        Assert.Matches("^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=[A-Za-z0-9+/]+=*$", received.Headers["authorization"]);
        Assert.Equal("2025-09-01", received.ApiVersion);
        var expected = JsonNode.Parse("""
            {
              "senderAddress": "cabinet@mail.reengage.example",
              "recipients": { "to": [ { "address": "camille@example.org", "displayName": "Camille" } ] },
              "replyTo": [ { "address": "elise.martin@cabinet-dupont.example", "displayName": "Élise Martin" } ],
              "content": {
                "subject": "Comment allez-vous ?",
                "plainText": "Bonjour Camille,\n\nNous pensions à vous.",
                "html": "<p>Bonjour Camille,</p><p>Nous pensions à vous.</p>"
              },
              "headers": {
                "List-Unsubscribe": "<https://reengage.example/api/unsubscribe/tok_abc>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "X-Reengage-Template": "check-in",
                "X-Reengage-Outreach": "out_7f3a"
              },
              "userEngagementTrackingDisabled": false
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, received.Body), received.RawBody);
    }

    [Fact]
    public async Task Does_not_wait_for_the_operation_only_the_POST_goes_out()
    {
        await Sender().SendAsync(Email, Op1);

        Assert.Equal(["POST /emails:send 202"], _acs.Requests.Select(r => $"{r.Method} {r.Path} {r.Status}"));
    }

    [Fact]
    public async Task Omits_reply_to_and_an_empty_display_name_and_can_turn_engagement_tracking_off()
    {
        var options = QuickRetries();
        options.DisableUserEngagementTracking = true;

        await Sender(options).SendAsync(Email with { ReplyTo = null, To = new EmailAddress("camille@example.org") }, Op1);

        var body = Assert.Single(_acs.Sent).Body;
        Assert.False(body.ContainsKey("replyTo"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{ "address": "camille@example.org" }]"""), body["recipients"]!["to"]));
        Assert.True(body["userEngagementTrackingDisabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Records_one_email_when_the_same_operation_id_is_sent_twice_though_both_requests_arrive()
    {
        var sender = Sender();

        var first = await sender.SendAsync(Email, Op1);
        var second = await sender.SendAsync(Email, Op1);

        Assert.Equal(new SendOutcome.Accepted(Op1), first);
        Assert.Equal(new SendOutcome.Accepted(Op1), second);
        Assert.Equal(2, _acs.SendAttempts);
        Assert.Single(_acs.Sent);
    }

    [Fact]
    public async Task Is_refused_with_a_wrong_access_key_as_a_retryable_unauthorized_and_nothing_is_recorded()
    {
        var wrongKey = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
        var impostor = new AcsEmailSender($"endpoint={_acs.Endpoint}/;accesskey={wrongKey}", QuickRetries());

        var error = await Assert.ThrowsAsync<ReengageException>(() => impostor.SendAsync(Email, Op1));

        Assert.Equal(ErrorCode.Unauthorized, error.Code);
        Assert.True(error.Retryable);
        Assert.Equal([401], _acs.Requests.Select(r => r.Status));
        Assert.Empty(_acs.Sent);
    }

    [Fact]
    public async Task Signs_each_attempt_afresh_so_a_retried_status_read_carries_a_new_date()
    {
        var start = new DateTimeOffset(2027, 1, 5, 5, 0, 0, TimeSpan.Zero);
        await using var acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions { TimeProvider = new FakeTimeProvider(start) });
        var options = QuickRetries();
        options.TimeProvider = new FakeTimeProvider(start) { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        var sender = new AcsEmailSender(acs.ConnectionString, options);
        await sender.SendAsync(Email, Op1);
        acs.Script(new AcsFault.Error(503) { On = AcsRoute.Status });

        var status = await sender.GetStatusAsync(Op1);

        Assert.Equal(SendStatus.Succeeded, status);
        var reads = acs.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal([503, 200], reads.Select(r => r.Status));
        var dates = reads.Select(r => DateTimeOffset.Parse(r.Headers["x-ms-date"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(dates[1] > dates[0], $"the retry was signed at {dates[1]:R}, the first attempt at {dates[0]:R}");
    }

    [Fact]
    public async Task Turns_a_429_into_throttled_with_its_Retry_After_seconds_and_makes_exactly_one_request()
    {
        _acs.Script(new AcsFault.Throttle(RetryAfter: "7"));

        var outcome = await Sender().SendAsync(Email, Op1);

        Assert.Equal(new SendOutcome.Throttled(TimeSpan.FromSeconds(7)), outcome);
        Assert.Equal(1, _acs.SendAttempts);
        Assert.Empty(_acs.Sent);
    }

    [Fact]
    public async Task Reads_a_Retry_After_HTTP_date_against_the_injected_clock()
    {
        var now = new FakeTimeProvider(new DateTimeOffset(2027, 1, 5, 5, 0, 0, TimeSpan.Zero));
        await using var acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions { TimeProvider = now });
        var options = QuickRetries();
        options.TimeProvider = now;
        acs.Script(new AcsFault.Throttle(RetryAfter: "Tue, 05 Jan 2027 05:00:30 GMT"));

        var outcome = await new AcsEmailSender(acs.ConnectionString, options).SendAsync(Email, Op1);

        Assert.Equal(new SendOutcome.Throttled(TimeSpan.FromSeconds(30)), outcome);
    }

    [Fact]
    public async Task Prefers_retry_after_ms_and_falls_back_to_60_seconds_when_the_429_says_nothing()
    {
        var sender = Sender();
        _acs.Script(new AcsFault.Throttle(RetryAfter: "9", RetryAfterMs: 1500), new AcsFault.Throttle());

        Assert.Equal(new SendOutcome.Throttled(TimeSpan.FromMilliseconds(1500)), await sender.SendAsync(Email, Op1));
        Assert.Equal(new SendOutcome.Throttled(TimeSpan.FromSeconds(60)), await sender.SendAsync(Email, Op1));
        Assert.Equal(2, _acs.SendAttempts);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Sends_once_on_a_server_error_and_throws_a_retryable_transport_error_though_retries_are_left(int status)
    {
        _acs.Script(new AcsFault.Error(status), new AcsFault.Error(status), new AcsFault.Error(status));

        var error = await Assert.ThrowsAsync<ReengageException>(() => Sender(QuickRetries(maxRetries: 2)).SendAsync(Email, Op1));

        Assert.Equal(ErrorCode.TransportUnavailable, error.Code);
        Assert.True(error.Retryable);
        Assert.Equal(1, _acs.SendAttempts);
        Assert.Empty(_acs.Sent);
    }

    [Fact]
    public async Task Retries_a_status_read_through_a_passing_server_error()
    {
        var sender = Sender();
        await sender.SendAsync(Email, Op1);
        _acs.Script(new AcsFault.Error(503) { On = AcsRoute.Status });

        Assert.Equal(SendStatus.Succeeded, await sender.GetStatusAsync(Op1));
        Assert.Equal([202, 503, 200], _acs.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task Turns_a_400_into_rejected_with_the_ACS_code_without_the_address_in_the_message()
    {
        _acs.Script(new AcsFault.Error(400, "InvalidRecipientAddress", "The recipient 'camille@example.org' is not a valid address."));

        var outcome = await Sender().SendAsync(Email, Op1);

        Assert.Equal(new SendOutcome.Rejected("InvalidRecipientAddress", "The recipient '<address>' is not a valid address."), outcome);
        Assert.Equal(1, _acs.SendAttempts);
    }

    [Fact]
    public async Task Throws_a_retryable_transport_error_when_the_connection_drops_before_any_answer()
    {
        _acs.Script(new AcsFault.Drop());

        var error = await Assert.ThrowsAsync<ReengageException>(() => Sender(QuickRetries(maxRetries: 0)).SendAsync(Email, Op1));

        Assert.Equal(ErrorCode.TransportUnavailable, error.Code);
        Assert.True(error.Retryable);
        Assert.Empty(_acs.Sent);
    }

    [Fact]
    public async Task Never_repeats_a_send_whose_answer_was_lost_after_ACS_took_the_email()
    {
        _acs.Script(new AcsFault.AcceptThenDrop());

        var error = await Assert.ThrowsAsync<ReengageException>(() => Sender(QuickRetries(maxRetries: 2)).SendAsync(Email, Op1));

        Assert.True(error.Retryable);
        Assert.Equal(1, _acs.SendAttempts);
        Assert.Single(_acs.Sent);
    }

    /// <summary>
    /// Found by the chaos suite (docs/chaos.md): ACS slower than the client's timeout still takes the email, and the
    /// pipeline used to POST it again at once with the same Operation-Id, counting on ACS to drop the second one.
    /// </summary>
    [Fact]
    public async Task Never_repeats_a_send_that_timed_out_while_ACS_went_on_and_took_the_email()
    {
        var options = QuickRetries(maxRetries: 2);
        options.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(200);
        _acs.Script(new AcsFault.Delay(TimeSpan.FromMilliseconds(600)));
        var sender = Sender(options);

        var error = await Assert.ThrowsAsync<ReengageException>(() => sender.SendAsync(Email, Op1));
        for (var waited = 0; _acs.RequestsInFlight > 0 && waited < 100; waited++) await Task.Delay(50);

        Assert.Equal(ErrorCode.TransportUnavailable, error.Code);
        Assert.True(error.Retryable);
        Assert.Equal(1, _acs.SendAttempts);
        Assert.Single(_acs.Sent);
        Assert.Equal(SendStatus.Succeeded, await sender.GetStatusAsync(Op1));
    }

    [Fact]
    public async Task Leaves_a_lost_answer_to_the_status_read_when_no_retry_is_left()
    {
        var sender = Sender(QuickRetries(maxRetries: 0));
        _acs.Script(new AcsFault.AcceptThenDrop());

        var error = await Assert.ThrowsAsync<ReengageException>(() => sender.SendAsync(Email, Op1));

        Assert.True(error.Retryable);
        Assert.Single(_acs.Sent);
        Assert.Equal(SendStatus.Succeeded, await sender.GetStatusAsync(Op1));
    }

    [Fact]
    public async Task Gives_up_on_a_hanging_request_after_its_network_timeout_retryably()
    {
        var options = QuickRetries(maxRetries: 0);
        options.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(200);
        _acs.Script(new AcsFault.Hang());

        var error = await Assert.ThrowsAsync<ReengageException>(() => Sender(options).SendAsync(Email, Op1));

        Assert.Equal(ErrorCode.TransportUnavailable, error.Code);
        Assert.True(error.Retryable);
        Assert.Empty(_acs.Sent);
    }

    [Fact]
    public async Task Passes_the_callers_cancellation_through_as_a_cancellation()
    {
        _acs.Script(new AcsFault.Hang());
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sender().SendAsync(Email, Op1, cancellation.Token));
    }

    [Fact]
    public async Task Still_works_with_50_ms_of_latency_on_every_answer()
    {
        var sender = Sender();
        _acs.Latency = TimeSpan.FromMilliseconds(50);

        Assert.Equal(new SendOutcome.Accepted(Op1), await sender.SendAsync(Email, Op1));
        Assert.Equal(SendStatus.Succeeded, await sender.GetStatusAsync(Op1));
    }

    [Fact]
    public async Task Reads_the_status_of_known_failed_and_unknown_operations()
    {
        var sender = Sender();
        await sender.SendAsync(Email, Op1);
        await sender.SendAsync(Email, Op2);
        _acs.FailOperation(Op2);

        Assert.Equal(SendStatus.Succeeded, await sender.GetStatusAsync(Op1));
        Assert.Equal(SendStatus.Failed, await sender.GetStatusAsync(Op2));
        Assert.Equal(SendStatus.Unknown, await sender.GetStatusAsync(UnknownOp));
        Assert.Equal(
            [$"GET /emails/operations/{Op1} 200", $"GET /emails/operations/{Op2} 200", $"GET /emails/operations/{UnknownOp} 404"],
            _acs.Requests.Where(r => r.Method == "GET").Select(r => $"{r.Method} {r.Path} {r.Status}"));
    }

    [Fact]
    public async Task Reports_running_while_ACS_is_still_working_then_succeeded()
    {
        await using var acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions { RunningPolls = 1 });
        var sender = new AcsEmailSender(acs.ConnectionString, QuickRetries());
        await sender.SendAsync(Email, Op1);

        Assert.Equal(SendStatus.Running, await sender.GetStatusAsync(Op1));
        Assert.Equal(SendStatus.Succeeded, await sender.GetStatusAsync(Op1));
    }

    [Fact]
    public async Task Throws_a_retryable_error_when_the_status_read_keeps_failing_on_the_server()
    {
        var sender = Sender(QuickRetries(maxRetries: 1));
        await sender.SendAsync(Email, Op1);
        _acs.Script(new AcsFault.Error(503) { On = AcsRoute.Status }, new AcsFault.Error(503) { On = AcsRoute.Status });

        var error = await Assert.ThrowsAsync<ReengageException>(() => sender.GetStatusAsync(Op1));

        Assert.Equal(ErrorCode.TransportUnavailable, error.Code);
        Assert.True(error.Retryable);
    }

    [Fact]
    public async Task Throws_a_retryable_transport_error_when_nothing_listens_on_the_endpoint()
    {
        await using var acs = await AcsEmailStandIn.StartAsync();
        var sender = new AcsEmailSender(acs.ConnectionString, QuickRetries(maxRetries: 0));
        await acs.DisposeAsync();

        var error = await Assert.ThrowsAsync<ReengageException>(() => sender.SendAsync(Email, Op1));

        Assert.Equal(ErrorCode.TransportUnavailable, error.Code);
        Assert.True(error.Retryable);
    }

    [Fact]
    public async Task Refuses_an_operation_id_that_is_not_a_UUID_before_any_request()
    {
        var sender = Sender();

        await Assert.ThrowsAsync<ArgumentException>(() => sender.SendAsync(Email, "outreach-42"));
        await Assert.ThrowsAsync<ArgumentException>(() => sender.GetStatusAsync("outreach-42"));
        Assert.Empty(_acs.Requests);
    }

    [Fact]
    public async Task Authenticates_with_a_bearer_token_for_the_ACS_scope_over_https()
    {
        await using var acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions { UseHttps = true, BearerToken = "token-for-tests" });
        var credential = new FixedTokenCredential("token-for-tests");
        var options = QuickRetries();
        options.Transport = new HttpClientTransport(acs.CreateTrustingHandler());
        var sender = new AcsEmailSender(acs.Endpoint, credential, options);

        var outcome = await sender.SendAsync(Email, Op1);

        Assert.Equal(new SendOutcome.Accepted(Op1), outcome);
        Assert.Equal("Bearer token-for-tests", Assert.Single(acs.Sent).Headers["authorization"]);
        Assert.Equal(["https://communication.azure.com//.default"], credential.Scopes.Distinct());
        Assert.Equal(SendStatus.Succeeded, await sender.GetStatusAsync(Op1));
    }

    [Fact]
    public async Task Is_refused_with_a_token_ACS_does_not_accept()
    {
        await using var acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions { UseHttps = true, BearerToken = "the-right-token" });
        var options = QuickRetries();
        options.Transport = new HttpClientTransport(acs.CreateTrustingHandler());
        var sender = new AcsEmailSender(acs.Endpoint, new FixedTokenCredential("a-stolen-token"), options);

        var error = await Assert.ThrowsAsync<ReengageException>(() => sender.SendAsync(Email, Op1));

        Assert.Equal(ErrorCode.Unauthorized, error.Code);
        Assert.Empty(acs.Sent);
    }

    [Fact]
    public async Task Sends_the_api_version_it_is_configured_with_and_an_unsupported_one_is_rejected()
    {
        var options = QuickRetries();
        options.ApiVersion = "2021-10-01-preview";

        var outcome = await Sender(options).SendAsync(Email, Op1);

        Assert.Equal("UnsupportedApiVersion", Assert.IsType<SendOutcome.Rejected>(outcome).Code);
        Assert.Empty(_acs.Sent);
    }

    [Fact]
    public async Task The_stand_in_refuses_an_unsigned_request()
    {
        using var client = new HttpClient();
        using var content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_acs.Endpoint, "/emails:send?api-version=2025-09-01")) { Content = content };
        request.Headers.Add("Operation-Id", Op1);

        using var response = await client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_acs.Sent);
    }

    [Fact]
    public async Task Replays_the_same_random_faults_for_the_same_seed()
    {
        async Task<List<string>> Run()
        {
            await using var acs = await AcsEmailStandIn.StartAsync(new AcsEmailStandInOptions
            {
                RandomFaults = new AcsRandomFaults(Seed: 42, Probability: 0.5, Faults: [new AcsFault.Error(503)]),
            });
            var sender = new AcsEmailSender(acs.ConnectionString, QuickRetries(maxRetries: 0));
            var seen = new List<string>();
            for (var i = 0; i < 12; i++)
            {
                try
                {
                    seen.Add((await sender.SendAsync(Email, $"6f1c2a9e-8b7d-4c6e-9a1b-{i:D12}")).GetType().Name);
                }
                catch (ReengageException error)
                {
                    seen.Add(error.Code.ToString());
                }
            }
            return seen;
        }

        var first = await Run();
        var second = await Run();

        Assert.Equal(first, second);
        Assert.Contains("Accepted", first);
        Assert.Contains(nameof(ErrorCode.TransportUnavailable), first);
    }

    [Theory]
    [InlineData("http://example.com")]
    [InlineData("http://10.0.0.4:8080")]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("https://user:secret@reengage.communication.azure.com")]
    public void Refuses_an_endpoint_that_is_neither_https_nor_loopback_http(string endpoint)
    {
        var credential = new FixedTokenCredential("t");

        var byCredential = Assert.Throws<ReengageException>(() => new AcsEmailSender(new Uri(endpoint), credential));
        var byConnectionString = Assert.Throws<ReengageException>(() => new AcsEmailSender($"endpoint={endpoint};accesskey=a2V5"));

        Assert.Equal(ErrorCode.InvalidConfiguration, byCredential.Code);
        Assert.Contains("https", byCredential.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidConfiguration, byConnectionString.Code);
    }

    [Theory]
    [InlineData("https://reengage.communication.azure.com")]
    [InlineData("http://127.0.0.1:10000")]
    [InlineData("http://localhost:10000")]
    [InlineData("http://[::1]:10000")]
    public void Accepts_https_and_loopback_http(string endpoint)
    {
        Assert.True(AcsEmailSender.IsAllowedEndpoint(new Uri(endpoint)));
        _ = new AcsEmailSender(new Uri(endpoint), new FixedTokenCredential("t"));
        _ = new AcsEmailSender($"endpoint={endpoint}/;accesskey=a2V5");
    }

    [Theory]
    [InlineData("accesskey=a2V5")]
    [InlineData("endpoint=https://reengage.communication.azure.com/")]
    [InlineData("endpoint=https://reengage.communication.azure.com/;accesskey=not base64!")]
    [InlineData("Server=tcp:x;Password=y")]
    public void Refuses_a_malformed_connection_string_without_echoing_it(string connectionString)
    {
        var error = Assert.Throws<ReengageException>(() => new AcsEmailSender(connectionString));

        Assert.Equal(ErrorCode.InvalidConfiguration, error.Code);
        Assert.DoesNotContain("a2V5", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_endpoint_of_a_connection_string_for_comparison_with_ACS_ENDPOINT()
    {
        Assert.Equal(
            new Uri("https://reengage.communication.azure.com/"),
            AcsEmailSender.EndpointOf("endpoint=https://reengage.communication.azure.com/;accesskey=a2V5"));
    }

    /// <summary>A credential that hands out one fixed token and remembers the scopes it was asked for.</summary>
    private sealed class FixedTokenCredential(string token) : TokenCredential
    {
        private readonly ConcurrentQueue<string> _scopes = new();

        public IEnumerable<string> Scopes => _scopes;

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            foreach (var scope in requestContext.Scopes)
            {
                _scopes.Enqueue(scope);
            }
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
