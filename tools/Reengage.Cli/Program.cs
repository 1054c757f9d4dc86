using Reengage.Cli;

return await ReengageCli.RunAsync(args, new CliEnvironment(Console.Out, Console.Error, Environment.GetEnvironmentVariable, !Console.IsErrorRedirected));
