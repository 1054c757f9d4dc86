namespace Reengage.Core.Booking;

/// <summary>
/// The few text rules of JavaScript that the TypeScript implementation's validation relied on, so that the C#
/// one accepts and rejects the same strings: .NET's own <see cref="string.Trim()"/> and <c>\d</c> differ at the edges.
/// </summary>
internal static class JsText
{
    /// <summary>What <c>String.prototype.trim</c> removes: U+FEFF yes, U+0085 no (the opposite of <see cref="char.IsWhiteSpace(char)"/>).</summary>
    public static bool IsTrimmed(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u00A0' or '\u1680' or '\u2028' or '\u2029' or '\u202F'
            or '\u205F' or '\u3000' or '\uFEFF' => true,
        >= '\u2000' and <= '\u200A' => true,
        _ => false,
    };

    public static string Trim(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsTrimmed(text[start])) start++;
        while (end > start && IsTrimmed(text[end - 1])) end--;
        return start == 0 && end == text.Length ? text : text[start..end];
    }

    public static bool IsAsciiDigits(ReadOnlySpan<char> text, int minLength, int maxLength)
    {
        if (text.Length < minLength || text.Length > maxLength) return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }
        return true;
    }
}
