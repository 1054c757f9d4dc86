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

    /// <summary>Resident memory now and at its peak (VmRSS, VmHWM) of a process, in MiB (Linux); null elsewhere.</summary>
    public static (double Now, double Peak)? MemoryOf(int processId)
    {
        try
        {
            var lines = File.ReadAllLines($"/proc/{processId}/status");
            double Field(string name) => lines.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
                .Select(l => double.Parse(l[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024).FirstOrDefault();
            return (Field("VmRSS"), Field("VmHWM"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>This process's and Azurite's resident memory, for the report.</summary>
    public static JsonObject Memory(int? azuriteProcessId)
    {
        var self = MemoryOf(Environment.ProcessId);
        var azurite = azuriteProcessId is { } id ? MemoryOf(id) : null;
        return new JsonObject
        {
            ["benchMiB"] = self?.Now,
            ["benchPeakMiB"] = self?.Peak,
            ["managedHeapMiB"] = GC.GetTotalMemory(forceFullCollection: false) / 1024.0 / 1024.0,
            ["azuriteMiB"] = azurite?.Now,
            ["azuritePeakMiB"] = azurite?.Peak,
        };
    }

    public static string MemoryText(int? azuriteProcessId)
    {
        var self = MemoryOf(Environment.ProcessId);
        var azurite = azuriteProcessId is { } id ? MemoryOf(id) : null;
        static string MiB(double v) => v.ToString("N0", CultureInfo.GetCultureInfo("en-GB")) + " MiB";
        return $"the benchmark process {(self is { } s ? $"{MiB(s.Now)} (peak {MiB(s.Peak)})" : "n/a")}, " +
            $"Azurite {(azurite is { } a ? $"{MiB(a.Now)} (peak {MiB(a.Peak)})" : "n/a")}";
    }
}
