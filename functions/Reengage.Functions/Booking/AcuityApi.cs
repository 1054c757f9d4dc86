using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Reengage.Core.Ports;

namespace Reengage.Functions.Booking;

/// <summary>What <c>GET /appointments/{id}</c> answered.</summary>
public abstract record AcuityLookup
{
    private AcuityLookup()
    {
    }

    public sealed record Found(JsonElement Body) : AcuityLookup;

    /// <summary>404: the appointment is gone.</summary>
    public sealed record NotFound : AcuityLookup;

    /// <summary>401, 403 or another 4xx: the stored credentials are wrong.</summary>
    public sealed record Refused(int Status) : AcuityLookup;

    /// <summary>5xx, 429, a timeout or the network, on every attempt: deliver again later.</summary>
    public sealed record Unavailable : AcuityLookup;
}

/// <summary>Acuity Scheduling's API, as far as the webhook needs it.</summary>
public interface IAcuityApi
{
    Task<AcuityLookup> GetAppointmentAsync(AcuityCredentials credentials, string appointmentId, CancellationToken cancellationToken);
}

/// <summary>Basic auth (user id : API key); 5 s per attempt, 3 attempts 0.5 s then 1 s apart (docs/integrations.md).</summary>
public sealed class HttpAcuityApi(HttpClient http, Uri baseUrl, TimeSpan timeout, TimeSpan backoff, TimeProvider time) : IAcuityApi
{
    private const int Attempts = 3;

    public async Task<AcuityLookup> GetAppointmentAsync(AcuityCredentials credentials, string appointmentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var url = new Uri($"{baseUrl.AbsoluteUri.TrimEnd('/')}/appointments/{Uri.EscapeDataString(appointmentId)}");
        var authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.UserId}:{credentials.ApiKey}")));
        for (var attempt = 1; ; attempt++)
        {
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(timeout);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    request.Headers.Authorization = authorization;
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    using var response = await http.SendAsync(request, attemptTimeout.Token).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        var bytes = await response.Content.ReadAsByteArrayAsync(attemptTimeout.Token).ConfigureAwait(false);
                        try
                        {
                            using var document = JsonDocument.Parse(bytes);
                            return new AcuityLookup.Found(document.RootElement.Clone());
                        }
                        catch (JsonException)
                        {
                            return new AcuityLookup.Refused(status);
                        }
                    }
                    if (response.StatusCode == HttpStatusCode.NotFound) return new AcuityLookup.NotFound();
                    if (status < 500 && response.StatusCode != HttpStatusCode.TooManyRequests) return new AcuityLookup.Refused(status);
                }
                catch (HttpRequestException)
                {
                    // The network: tried again.
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // This attempt's timeout: tried again.
                }
            }
            if (attempt == Attempts) return new AcuityLookup.Unavailable();
            await Task.Delay(backoff * attempt, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
