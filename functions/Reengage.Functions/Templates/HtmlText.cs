using System.Buffers;

namespace Reengage.Functions.Templates;

/// <summary>
/// Escapes only what HTML needs (<c>&amp; &lt; &gt; " '</c>): accented letters stay as they are, so a French
/// email reads in its source as it does on screen (Scriban's html.escape writes <c>Zoé</c> as <c>Zo&amp;#233;</c>).
/// </summary>
internal static class HtmlText
{
    private static readonly SearchValues<char> Special = SearchValues.Create("&<>\"'");

    public static string Escape(string text)
    {
        var first = text.AsSpan().IndexOfAny(Special);
        if (first < 0)
        {
            return text;
        }
        var builder = new System.Text.StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            _ = c switch
            {
                '&' => builder.Append("&amp;"),
                '<' => builder.Append("&lt;"),
                '>' => builder.Append("&gt;"),
                '"' => builder.Append("&quot;"),
                '\'' => builder.Append("&#39;"),
                _ => builder.Append(c),
            };
        }
        return builder.ToString();
    }
}
