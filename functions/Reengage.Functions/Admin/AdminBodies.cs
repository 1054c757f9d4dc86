// Reading an admin body's fields without a 5xx: JSON may escape half of a UTF-16 pair (\ud800), which cannot be read.
using Reengage.Core;

namespace Reengage.Functions.Admin;

public static class AdminBodies
{
    /// <summary>The value <paramref name="parse"/> reads, or null with a problem on the body when a string holds a lone surrogate.</summary>
    public static T? ParseOrRefuse<T>(Func<T?> parse, List<FieldProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(problems);
        try
        {
            return parse();
        }
        catch (InvalidOperationException)
        {
            problems.Add(new FieldProblem("(body)", "must not contain a lone UTF-16 surrogate"));
            return default;
        }
    }
}
