using Microsoft.Extensions.Time.Testing;

namespace Reengage.Demo;

/// <summary>The app's time during the demo: set by hand ("on 2027-01-05 at 05:00 UTC"), never by the wall clock.</summary>
internal sealed class SimulatedClock(DateTimeOffset start)
{
    public FakeTimeProvider Provider { get; } = new(start);

    public DateTimeOffset Now => Provider.GetUtcNow();

    /// <summary>Moves forward only: a clock that went back would make the app's "since planned" checks lie.</summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        if (at > Provider.GetUtcNow())
        {
            Provider.SetUtcNow(at);
        }
    }
}
