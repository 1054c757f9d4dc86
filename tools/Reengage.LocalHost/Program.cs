using System.Globalization;
using Reengage.LocalHost;

// `dotnet run --project tools/Reengage.LocalHost -- [--port 7071] [--app-dir <folder with host.json and local.settings.json>]`
int? port = null;
string? appDirectory = null;
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 65535:
            port = value;
            i++;
            break;
        case "--port":
            Console.Error.WriteLine("--port needs a number between 0 and 65535.");
            return 2;
        case "--app-dir" when i + 1 < args.Length:
            appDirectory = Path.GetFullPath(args[++i]);
            break;
        default:
            rest.Add(args[i]);
            break;
    }
}

LocalFunctionsHost host;
try
{
    host = await LocalFunctionsHost.StartAsync(new LocalFunctionsHostOptions { Port = port, AppDirectory = appDirectory, Args = rest });
}
catch (Exception ex) when (ex is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
{
    // A missing setting or an unservable function: the message says which; a stack trace would only hide it.
    Console.Error.WriteLine(ex.Message);
    return 1;
}
await using (host)
{
    Console.WriteLine("Functions:");
    foreach (var line in host.DescribeFunctions())
    {
        Console.WriteLine("  " + line);
    }
    // Scripts wait for this line (or for GET /admin/host/status to answer 200).
    Console.WriteLine($"Reengage local host ready at {host.BaseUrl.ToString().TrimEnd('/')} (Ctrl+C to stop)");
    await host.WaitForShutdownAsync();
}
return 0;
