Console.WriteLine("Reengage local host: not built yet.");
