using System.Text.Json.Nodes;

namespace Reengage.Demo;

/// <summary>
/// The app's own host.json, with one change: the queue trigger polls every 100 ms instead of backing off to the
/// configured interval, because the demo hands sendOutreach one message at a time and waits for it (see SendQueuePacer).
/// </summary>
internal static class DemoHostJson
{
    /// <summary>Writes the folder the local host reads host.json from; the caller deletes it.</summary>
    public static string Write()
    {
        var source = DemoSettings.Find(Path.Combine("functions", "Reengage.FunctionApp", "host.json")) ?? throw new DemoException("functions/Reengage.FunctionApp/host.json was not found above the current folder; run the demo from the repository.");
        var hostJson = JsonNode.Parse(File.ReadAllText(source))!.AsObject();
        var extensions = hostJson["extensions"] as JsonObject ?? new JsonObject();
        hostJson["extensions"] = extensions;
        var queues = extensions["queues"] as JsonObject ?? new JsonObject();
        extensions["queues"] = queues;
        queues["maxPollingInterval"] = "00:00:00.100";
        var directory = Directory.CreateTempSubdirectory("reengage-demo-app-").FullName;
        File.WriteAllText(Path.Combine(directory, "host.json"), hostJson.ToJsonString());
        return directory;
    }
}
