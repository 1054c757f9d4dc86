using System.Text.RegularExpressions;

namespace Reengage.Functions.Tests.Templates;

/// <summary>A tiny well-formedness check: every element closed in order, no block inside a paragraph, no stray &lt; or &gt;.</summary>
internal static partial class HtmlShape
{
    private static readonly HashSet<string> VoidElements = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"];
    private static readonly HashSet<string> BlockElements = ["p", "div", "table", "ul", "ol", "h1", "h2", "h3"];

    public static void AssertWellFormed(string html)
    {
        var markup = Doctype().Replace(Comment().Replace(html, ""), "");
        var open = new Stack<string>();
        foreach (Match match in Tag().Matches(markup))
        {
            var name = match.Groups["name"].Value.ToLowerInvariant();
            if (match.Groups["closing"].Length > 0)
            {
                Assert.True(open.Count > 0 && open.Peek() == name, $"unexpected {match.Value}");
                open.Pop();
            }
            else if (!VoidElements.Contains(name) && match.Groups["self"].Length == 0)
            {
                Assert.False(BlockElements.Contains(name) && open.Contains("p"), $"<{name}> inside a paragraph");
                open.Push(name);
            }
        }
        Assert.Empty(open);
        Assert.DoesNotMatch("[<>]", Tag().Replace(markup, " "));
    }

    [GeneratedRegex("<(?<closing>/?)(?<name>[a-zA-Z][a-zA-Z0-9]*)\\b[^<>]*?(?<self>/?)>")]
    private static partial Regex Tag();

    [GeneratedRegex("<!--[\\s\\S]*?-->")]
    private static partial Regex Comment();

    [GeneratedRegex("<!DOCTYPE html>", RegexOptions.IgnoreCase)]
    private static partial Regex Doctype();
}
