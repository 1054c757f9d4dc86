// `dotnet run --project tools/Reengage.Demo [-- --date 2027-01-05] [-- --outbox <folder>]`
using NodaTime.Text;
using Reengage.Demo;

var dateText = "2027-01-05";
var outbox = "outbox";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--date" when i + 1 < args.Length:
            dateText = args[++i];
            break;
        case "--outbox" when i + 1 < args.Length:
            outbox = args[++i];
            break;
        default:
            Console.Error.WriteLine($"Unknown or incomplete option \"{args[i]}\". Options: --date 2027-01-05, --outbox <folder>.");
            return 2;
    }
}
var parsed = LocalDatePattern.Iso.Parse(dateText);
if (!parsed.Success || dateText.Length != 10)
{
    Console.Error.WriteLine($"--date must be a date like 2027-01-05 (got \"{dateText}\").");
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
try
{
    await new DemoRun(parsed.Value, Path.GetFullPath(outbox)).RunAsync(cancellation.Token);
    return 0;
}
catch (DemoException ex)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"The demo cannot go on: {ex.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped.");
    return 130;
}
