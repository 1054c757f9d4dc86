// PartitionKey/RowKey encoding shared by every table adapter.
//
// Table Storage refuses `/ \ # ?` and control characters (U+0000-U+001F, U+007F-U+009F) in keys, and ids come from
// booking tools we do not control. `%` is allowed but breaks point operations on the service (it is URL-decoded
// twice), and `'` needs quote doubling everywhere. All of these, and the escape character `~` itself so that the
// mapping stays reversible, become `~XX` (upper-case hex). A lone UTF-16 surrogate has no UTF-8 form, so it cannot
// travel in a request URL: it becomes `~uXXXX`, which `~XX` never yields (`u` is not a hex digit). Every other
// character, `|` and surrogate pairs (emoji) included, is kept, so the encoding is the identity for ordinary ids and
// prefix-preserving: Of(a + b) == Of(a) + Of(b) (unless a ends and b starts with the halves of one surrogate pair),
// which keeps RowKey range queries on a `patientId|` prefix exact. The TypeScript implementation wrote the same keys.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Reengage.Core;

namespace Reengage.Functions.Tables;

public static class TableKeys
{
    /// <summary>Keys are at most 1 KiB; UTF-16 makes that 512 characters to stay safe with any content.</summary>
    public const int MaxKeyLength = 512;

    public static string Of(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        StringBuilder? builder = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            string? escaped = null;
            if (IsForbidden(c))
            {
                escaped = "~" + ((int)c).ToString("X2", CultureInfo.InvariantCulture);
            }
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    if (builder is not null) builder.Append(c).Append(value[i + 1]);
                    i++;
                    continue;
                }
                escaped = LoneSurrogate(c);
            }
            else if (char.IsLowSurrogate(c))
            {
                escaped = LoneSurrogate(c);
            }

            if (escaped is null)
            {
                builder?.Append(c);
                continue;
            }
            builder ??= new StringBuilder(value, 0, i, value.Length + 8);
            builder.Append(escaped);
        }
        return builder?.ToString() ?? value;
    }

    /// <summary>The inverse of <see cref="Of"/> (rows store their ids as properties, so adapters rarely need it).</summary>
    public static string Decode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.Contains('~', StringComparison.Ordinal)) return key;
        var builder = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] != '~')
            {
                builder.Append(key[i]);
            }
            else if (i + 5 < key.Length && key[i + 1] == 'u')
            {
                builder.Append((char)int.Parse(key.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 5;
            }
            else if (i + 2 < key.Length)
            {
                builder.Append((char)int.Parse(key.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                throw new FormatException("Not a table key written by TableKeys.Of.");
            }
        }
        return builder.ToString();
    }

    /// <summary><see cref="Of"/>, with a clear error instead of a 400 from the service when the result is too long.</summary>
    public static string Checked(string value, string what)
    {
        var key = Of(value);
        if (key.Length > MaxKeyLength)
        {
            throw new ReengageException(ErrorCode.InvalidInput, $"{what} is longer than {MaxKeyLength} characters.");
        }
        return key;
    }

    /// <summary>
    /// For ids we do not control at all (webhook event ids): long ones are replaced by their SHA-256, which is
    /// deterministic, so the same id always finds the same row. The <c>~h</c> marker cannot come out of
    /// <see cref="Of"/>, so a hashed key never equals an encoded one.
    /// </summary>
    public static string Bounded(string value, int maxLength = 200)
    {
        var key = Of(value);
        return key.Length <= maxLength ? key : "~h" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>
    /// RowKey bounds selecting exactly the keys that start with <c>prefix + '|'</c>: every such key is
    /// <c>&gt;= prefix|</c>, and <c>prefix}</c> is the smallest string above them all because <c>}</c> (0x7D)
    /// follows <c>|</c> (0x7C). <c>pat_10|…</c> stays out of <c>pat_1</c>'s range since <c>0</c> sorts before <c>|</c>.
    /// </summary>
    public static (string From, string To) RangeOf(string prefix)
    {
        var key = Of(prefix);
        return (key + "|", key + "}");
    }

    public static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return true;
        }
        return false;
    }

    private static bool IsForbidden(char c) =>
        c is '/' or '\\' or '#' or '?' or '%' or '\'' or '~' or (>= '\u0000' and <= '\u001f') or (>= '\u007f' and <= '\u009f');

    private static string LoneSurrogate(char c) => "~u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
}
