namespace Reengage.Testing;

/// <summary>Finds the repository's top folder (the one holding ReengageFunctions.sln) from wherever a program runs.</summary>
public static class RepositoryRoot
{
    public static string Find(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ReengageFunctions.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No ReengageFunctions.sln above {start ?? AppContext.BaseDirectory}.");
    }
}
