// What the figures were measured on: cores, CPU, memory, runtime, and the load average (other work on the machine).
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Reengage.Bench;

internal static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages (Linux); empty elsewhere.</summary>
    public static double[] LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return [.. parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture))];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static string LoadText() => string.Join(' ', LoadAverage().Select(l => l.ToString("F2", CultureInfo.InvariantCulture)));

    public static JsonObject Describe() => new()
    {
        ["cpus"] = Environment.ProcessorCount,
        ["cpuModel"] = CpuModel(),
        ["memoryGiB"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30), 1),
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["os"] = RuntimeInformation.OSDescription,
        ["loadAverageAtStart"] = new JsonArray([.. LoadAverage().Select(l => (JsonNode)l)]),
    };

    private static string? CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
