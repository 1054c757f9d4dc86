// Patient import files: decoding, RFC 4180 reading (CsvHelper), column mapping, and per-line validation into
// canonical patient records with the generic webhook's own field rules. Pure.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsvHelper;
using NodaTime;
using Reengage.Core.Booking;
using Reengage.Core.Model;
using Reengage.Core.Outreach;

namespace Reengage.Core.Import;

/// <summary>How the bytes of a file were read.</summary>
public enum CsvEncoding
{
    [WireName("utf-8")] Utf8,
    [WireName("utf-16le")] Utf16LE,
    [WireName("windows-1252")] Windows1252,
}

/// <summary>A date of the file: the instant, the practice-local day, and whether the cell gave a time.</summary>
public sealed record ImportDate(DateTimeOffset At, LocalDate Date, bool HasTime);

/// <summary>A valid line as canonical data: present cells only; an empty cell leaves the stored value alone.</summary>
public sealed record ImportedPatient
{
    public required string Id { get; init; }
    public string? FirstName { get; init; }
    public string? Email { get; init; }
    /// <summary>Present with null: a language without templates (the practice's applies).</summary>
    public Optional<Locale?> Locale { get; init; }
    public string? TherapistId { get; init; }
    public bool? EmailConsent { get; init; }
    public CareStatus? CareStatus { get; init; }
    public ContactPreference? ContactPreference { get; init; }
    public string? FocusArea { get; init; }
    public ImportDate? LastVisitAt { get; init; }
    public ImportDate? NextBookingAt { get; init; }
}

/// <summary>A problem of one line: the field and the header of its column (null for the line as a whole).</summary>
public sealed record LineError(ImportField? Field, string? Column, string Message);

public sealed record ImportLine(int Line, string? PatientId, ImportedPatient? Patient, IReadOnlyList<LineError> Errors);

/// <summary>A problem with the file as a whole (no id column, unclosed quote...): no line can be imported.</summary>
public sealed record FileError(int? Line, string Message);

public sealed record ImportTherapist(string Id, string DisplayName);

/// <summary>What a line's values are checked against.</summary>
/// <param name="TimeZone">The practice's IANA time zone: dates without an offset are local times there.</param>
/// <param name="Now">Decides "in the future" for a last visit.</param>
public sealed record ImportContext(string TimeZone, DateTimeOffset Now, IReadOnlyList<ImportTherapist> Therapists);

public sealed record ImportFileOptions(char? Separator = null, IReadOnlyDictionary<ImportField, string>? Mapping = null);

public sealed record ValidatedImport(
    char Separator,
    IReadOnlyList<KeyValuePair<ImportField, string>> Columns,
    IReadOnlyList<string> IgnoredColumns,
    IReadOnlyList<FileError> FileErrors,
    IReadOnlyList<ImportLine> Lines);

public static partial class CsvImport
{
    /// <summary>A file holding more data lines than this is refused as a whole (the HTTP body limit comes first).</summary>
    public const int MaxLines = 100_000;

    private const string DateFormatsText = "yyyy-MM-dd, dd/MM/yyyy (optionally with HH:mm) or an ISO 8601 date-time";

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// UTF-8 with or without BOM. A file that is not valid UTF-8 is read as Windows-1252, which is what Excel's French
    /// "CSV (séparateur: point-virgule)" writes; a UTF-16 BOM is honoured too.
    /// </summary>
    public static (string Text, CsvEncoding Encoding) Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return (Encoding.Unicode.GetString(bytes[2..]), CsvEncoding.Utf16LE);
        var body = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes;
        try
        {
            return (StrictUtf8.GetString(body), CsvEncoding.Utf8);
        }
        catch (DecoderFallbackException)
        {
            return (Windows1252.GetString(bytes), CsvEncoding.Windows1252);
        }
    }

    private static Encoding Windows1252 { get; } = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    /// <summary>
    /// The separator of the header line: whichever of <c>,</c> and <c>;</c> occurs more often outside quotes (a French
    /// Excel export uses <c>;</c> because <c>,</c> is its decimal mark). A tie, including none at all, means <c>,</c>.
    /// </summary>
    public static char DetectSeparator(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (commas, semicolons, quoted) = (0, 0, false);
        foreach (var c in text)
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted && c is '\n' or '\r') break;
            else if (!quoted && c == ',') commas++;
            else if (!quoted && c == ';') semicolons++;
        }
        return semicolons > commas ? ';' : ',';
    }

    /// <summary>One record of the file: the line it starts on (as an editor counts), its cells, and its quoting problem.</summary>
    public sealed record CsvRecord(int Line, IReadOnlyList<string> Cells, string? Error);

    /// <summary>
    /// RFC 4180 records, read by CsvHelper: CRLF or LF line ends, <c>""</c> inside quotes is one quote, separators and
    /// line breaks inside quotes are data, a quote inside an unquoted field is kept as a character. Empty lines are
    /// skipped. An unterminated quote fails the whole file (its line in <paramref name="unclosedQuoteLine"/>), since
    /// everything after it would otherwise be swallowed into one field.
    /// </summary>
    public static IReadOnlyList<CsvRecord> ReadRecords(string text, char separator, out int? unclosedQuoteLine)
    {
        var malformed = new Dictionary<long, CsvMalformedReason>();
        var options = CsvReaderOptions.Default with
        {
            Separator = separator,
            HasHeader = false,
            Mode = CsvMode.Rfc4180,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            OnMalformedRecord = record => malformed.TryAdd(record.LineNumber, record.Reason),
        };
        var records = new List<CsvRecord>();
        unclosedQuoteLine = null;
        using var reader = CsvReader.FromText(text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text, options);
        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            var cells = new string[reader.FieldCount];
            for (var i = 0; i < cells.Length; i++) cells[i] = reader.GetString(i);
            string? error = null;
            if (malformed.TryGetValue(line, out var reason))
            {
                if (reason == CsvMalformedReason.UnterminatedQuote)
                {
                    unclosedQuoteLine = line;
                    return records;
                }
                if (reason == CsvMalformedReason.TextAfterClosingQuote)
                {
                    error = "text after the closing quote of a field (write a quote inside quotes as \"\")";
                }
            }
            records.Add(new CsvRecord(line, cells, error));
        }
        var unclosed = malformed.FirstOrDefault(m => m.Value == CsvMalformedReason.UnterminatedQuote);
        if (unclosed.Value == CsvMalformedReason.UnterminatedQuote) unclosedQuoteLine = (int)unclosed.Key;
        return records;
    }

    /// <summary>Lower case, no accents, no spaces or punctuation: "N° de dossier" -> "ndedossier".</summary>
    public static string NormalizeHeader(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var builder = new StringBuilder(header.Length);
        foreach (var c in header.Normalize(NormalizationForm.FormD))
        {
            var lower = char.ToLowerInvariant(c);
            if (lower is >= 'a' and <= 'z' or >= '0' and <= '9') builder.Append(lower);
        }
        return builder.ToString();
    }

    public sealed record ColumnResolution(
        IReadOnlyDictionary<ImportField, int> Indexes,
        IReadOnlyList<KeyValuePair<ImportField, string>> Columns,
        IReadOnlyList<string> Ignored,
        IReadOnlyList<string> Errors);

    public static ColumnResolution ResolveColumns(IReadOnlyList<string> header, IReadOnlyDictionary<ImportField, string>? mapping = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        mapping ??= new Dictionary<ImportField, string>();
        var indexes = new Dictionary<ImportField, int>();
        var errors = new List<string>();
        var normalized = header.Select(h => NormalizeHeader(h.Normalize())).ToList();
        var taken = new HashSet<int>();
        var idMappingFailed = false;
        // Explicit mapping first, so that it can claim a header that a default would otherwise take.
        foreach (var field in ImportFields.All)
        {
            if (!mapping.TryGetValue(field, out var wanted)) continue;
            var index = normalized.IndexOf(NormalizeHeader(wanted.Normalize()));
            if (index < 0 || taken.Contains(index))
            {
                errors.Add(index < 0
                    ? $"the mapping names column \"{wanted}\" for {ImportFields.Name(field)}, but the header has none"
                    : $"the mapping gives column \"{wanted}\" to two fields");
                if (field == ImportField.Id) idMappingFailed = true;
            }
            else
            {
                indexes[field] = index;
                taken.Add(index);
            }
        }
        foreach (var field in ImportFields.All)
        {
            if (mapping.ContainsKey(field)) continue;
            var matches = normalized
                .Select((name, index) => (name, index))
                .Where(m => !taken.Contains(m.index) && ImportFields.DefaultHeaders[field].Contains(m.name))
                .ToList();
            if (matches.Count > 1)
            {
                var names = string.Join(", ", matches.Select(m => $"\"{header[m.index]}\""));
                errors.Add($"several columns could be {ImportFields.Name(field)} ({names}): name one in the mapping");
                continue;
            }
            if (matches.Count == 1)
            {
                indexes[field] = matches[0].index;
                taken.Add(matches[0].index);
            }
        }
        if (!indexes.ContainsKey(ImportField.Id) && !idMappingFailed)
        {
            var names = string.Join(", ", header.Select(h => $"\"{h}\""));
            errors.Add($"no patient id column: name one \"id\", \"identifiant\" or \"numéro dossier\", or map it (header: {names})");
        }
        var columns = ImportFields.All
            .Where(indexes.ContainsKey)
            .Select(f => KeyValuePair.Create(f, header[indexes[f]]))
            .ToList();
        var ignored = header.Where((h, index) => !taken.Contains(index) && h.Trim().Length > 0).ToList();
        return new ColumnResolution(indexes, columns, ignored, errors);
    }

    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})(?:[T ](.+))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDatePattern();

    [GeneratedRegex(@"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?: (.+))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DayFirstDatePattern();

    [GeneratedRegex(@"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TimePattern();

    /// <summary>
    /// Dates as practices write them: <c>yyyy-MM-dd</c>, <c>dd/MM/yyyy</c> (also with <c>.</c> or <c>-</c>), either
    /// optionally followed by <c>HH:mm[:ss]</c>, or an ISO 8601 date-time with or without offset. Without an offset the
    /// time is the practice's local time; a date alone is noon there. Day first only: <c>03/11/2026</c> is 3 November.
    /// </summary>
    public static ImportDate? ParseDate(string raw, string timeZone)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var text = raw.Trim();
        int year, month, day;
        string? rest;
        var iso = IsoDatePattern().Match(text);
        if (iso.Success)
        {
            (year, month, day) = (Number(iso.Groups[1].Value), Number(iso.Groups[2].Value), Number(iso.Groups[3].Value));
            rest = iso.Groups[4].Success ? iso.Groups[4].Value : null;
        }
        else
        {
            var dayFirst = DayFirstDatePattern().Match(text);
            if (!dayFirst.Success) return null;
            (day, month, year) = (Number(dayFirst.Groups[1].Value), Number(dayFirst.Groups[3].Value), Number(dayFirst.Groups[4].Value));
            rest = dayFirst.Groups[5].Success ? dayFirst.Groups[5].Value : null;
        }
        var (hour, minute, second, millisecond) = (12, 0, 0, 0);
        string? offset = null;
        if (rest is not null)
        {
            var time = TimePattern().Match(rest);
            if (!time.Success) return null;
            hour = Number(time.Groups[1].Value);
            minute = Number(time.Groups[2].Value);
            second = time.Groups[3].Success ? Number(time.Groups[3].Value) : 0;
            millisecond = time.Groups[4].Success ? Number(time.Groups[4].Value.PadRight(3, '0')[..3]) : 0;
            offset = time.Groups[5].Success ? time.Groups[5].Value : null;
        }
        if (year is < 1900 or > 2200 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        if (hour > 23 || minute > 59 || second > 59) return null;
        var local = new LocalDateTime(year, month, day, hour, minute, second, millisecond);
        var zone = Cadence.ZoneOf(timeZone);
        Instant instant;
        if (offset is null)
        {
            instant = zone.AtLeniently(local).ToInstant();
        }
        else
        {
            var span = TimeSpan.Zero;
            if (!offset.Equals("Z", StringComparison.OrdinalIgnoreCase))
            {
                var digits = offset[1..].Replace(":", "", StringComparison.Ordinal);
                var hours = Number(digits[..2]);
                var minutes = digits.Length > 2 ? Number(digits[2..]) : 0;
                if (hours > 18 || minutes > 59) return null;
                span = new TimeSpan(hours, minutes, 0) * (offset[0] == '-' ? -1 : 1);
            }
            instant = local.WithOffset(Offset.FromTimeSpan(span)).ToInstant();
        }
        var at = instant.ToDateTimeOffset();
        return new ImportDate(at, instant.InZone(zone).Date, rest is not null);
    }

    private static int Number(string digits) => int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Accent- and case-insensitive key of a free value: "Plan terminé" -> "plan_termine".</summary>
    private static string ValueKey(string raw)
    {
        var builder = new StringBuilder(raw.Length);
        var lastWasSeparator = false;
        foreach (var c in raw.Normalize(NormalizationForm.FormD).Trim().ToLowerInvariant())
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsWhiteSpace(c) || c == '-')
            {
                if (!lastWasSeparator) builder.Append('_');
                lastWasSeparator = true;
                continue;
            }
            lastWasSeparator = false;
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static readonly Dictionary<string, string> LanguageNames = new(StringComparer.Ordinal)
    {
        ["francais"] = "fr",
        ["french"] = "fr",
        ["anglais"] = "en",
        ["english"] = "en",
    };

    private static readonly Dictionary<string, bool> ConsentValues = new(StringComparer.Ordinal)
    {
        ["oui"] = true,
        ["yes"] = true,
        ["true"] = true,
        ["vrai"] = true,
        ["y"] = true,
        ["o"] = true,
        ["1"] = true,
        ["non"] = false,
        ["no"] = false,
        ["false"] = false,
        ["faux"] = false,
        ["n"] = false,
        ["0"] = false,
    };

    private static readonly Dictionary<string, CareStatus> CareStatusValues = new(StringComparer.Ordinal)
    {
        ["in_care"] = CareStatus.InCare,
        ["en_cours"] = CareStatus.InCare,
        ["en_soins"] = CareStatus.InCare,
        ["suivi"] = CareStatus.InCare,
        ["en_suivi"] = CareStatus.InCare,
        ["actif"] = CareStatus.InCare,
        ["active"] = CareStatus.InCare,
        ["plan_completed"] = CareStatus.PlanCompleted,
        ["plan_termine"] = CareStatus.PlanCompleted,
        ["termine"] = CareStatus.PlanCompleted,
        ["completed"] = CareStatus.PlanCompleted,
        ["discharged"] = CareStatus.Discharged,
        ["sorti"] = CareStatus.Discharged,
        ["sortie"] = CareStatus.Discharged,
        ["cloture"] = CareStatus.Discharged,
        ["clos"] = CareStatus.Discharged,
        ["fin_de_suivi"] = CareStatus.Discharged,
        ["closed"] = CareStatus.Discharged,
    };

    private static readonly Dictionary<string, ContactPreference> ContactPreferenceValues = new(StringComparer.Ordinal)
    {
        ["default"] = ContactPreference.Default,
        ["defaut"] = ContactPreference.Default,
        ["par_defaut"] = ContactPreference.Default,
        ["standard"] = ContactPreference.Default,
        ["direct"] = ContactPreference.Direct,
        ["directe"] = ContactPreference.Direct,
    };

    /// <summary>Parses, maps and validates a whole file; every problem is reported, none stops the others.</summary>
    public static ValidatedImport Validate(string text, ImportContext context, ImportFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(context);
        options ??= new ImportFileOptions();
        var separator = options.Separator ?? DetectSeparator(text);
        ValidatedImport Failed(string message, int? line) => new(separator, [], [], [new FileError(line, message)], []);

        var parsed = ReadRecords(text, separator, out var unclosedQuoteLine);
        if (unclosedQuoteLine is { } quoteLine) return Failed("a quoted field is never closed", quoteLine);
        var records = parsed.Where(r => !r.Cells.All(c => c.Trim().Length == 0)).ToList();
        if (records.Count == 0) return Failed("the file is empty: a header line is expected", null);
        var headerRecord = records[0];
        var dataRecords = records.Skip(1).ToList();
        var header = headerRecord.Cells.Select(h => h.Normalize().Trim()).ToList();
        var resolution = ResolveColumns(header, options.Mapping);
        var fileErrors = resolution.Errors.Select(message => new FileError(headerRecord.Line, message)).ToList();
        if (dataRecords.Count == 0) fileErrors.Add(new FileError(null, "the file has a header but no patient line"));
        if (dataRecords.Count > MaxLines)
        {
            fileErrors.Add(new FileError(null, $"the file has {dataRecords.Count} lines; split it into files of at most {MaxLines}"));
        }
        if (fileErrors.Count > 0) return new ValidatedImport(separator, resolution.Columns, resolution.Ignored, fileErrors, []);

        var therapists = new TherapistIndex(context.Therapists);
        var today = Cadence.LocalDateOf(context.Now, context.TimeZone);
        var read = dataRecords.Select(r => ReadLine(r, header, resolution, context.TimeZone, today, therapists)).ToList();
        var columnOf = resolution.Columns.ToDictionary(c => c.Key, c => c.Value);
        var lines = read.Select(r => r.Line).ToList();
        MarkDuplicates(lines, ImportField.Id, [.. read.Select(r => r.Line.PatientId)], columnOf.GetValueOrDefault(ImportField.Id));
        MarkDuplicates(lines, ImportField.Email, [.. read.Select(r => r.EmailKey)], columnOf.GetValueOrDefault(ImportField.Email));
        return new ValidatedImport(separator, resolution.Columns, resolution.Ignored, [], lines);
    }

    private sealed class TherapistIndex(IReadOnlyList<ImportTherapist> therapists)
    {
        private readonly HashSet<string> ids = [.. therapists.Select(t => t.Id)];
        private readonly ILookup<string, string> names = therapists.ToLookup(t => NormalizeHeader(t.DisplayName), t => t.Id);

        public (string? Id, string? Problem) Resolve(string value)
        {
            if (ids.Contains(value)) return (value, null);
            var byName = names[NormalizeHeader(value)].ToList();
            if (byName.Count == 1) return (byName[0], null);
            if (byName.Count > 1) return (null, $"\"{value}\" names several therapists: use the therapist id");
            return (null, $"\"{value}\" is not a therapist of this practice (give an id or a name)");
        }
    }

    private static (ImportLine Line, string? EmailKey) ReadLine(
        CsvRecord record,
        IReadOnlyList<string> header,
        ColumnResolution resolution,
        string timeZone,
        LocalDate today,
        TherapistIndex therapists)
    {
        var errors = new List<LineError>();
        var columns = resolution.Columns.ToDictionary(c => c.Key, c => c.Value);
        string? Cell(ImportField field)
        {
            if (!resolution.Indexes.TryGetValue(field, out var index) || index >= record.Cells.Count) return null;
            var value = record.Cells[index].Normalize().Trim();
            return value.Length == 0 ? null : value;
        }
        void Fail(ImportField? field, string message) =>
            errors.Add(new LineError(field, field is { } f ? columns.GetValueOrDefault(f) : null, message));

        if (record.Error is { } recordError) Fail(null, recordError);
        if (record.Cells.Skip(header.Count).Any(c => c.Trim().Length > 0))
        {
            Fail(null, $"has {record.Cells.Count} cells but the header has {header.Count} columns");
        }

        var id = Cell(ImportField.Id);
        if (id is null) Fail(ImportField.Id, "is required");

        // Cells that need reading first, then the generic webhook's own patient rules over the result.
        var input = new JsonObject { ["id"] = id ?? "" };
        foreach (var (field, name) in new[] { (ImportField.FirstName, "firstName"), (ImportField.Email, "email"), (ImportField.FocusArea, "focusArea") })
        {
            if (Cell(field) is { } value) input[name] = value;
        }
        if (Cell(ImportField.Locale) is { } locale) input["locale"] = LanguageNames.GetValueOrDefault(ValueKey(locale)) ?? locale;
        if (Cell(ImportField.EmailConsent) is { } consent)
        {
            if (ConsentValues.TryGetValue(ValueKey(consent), out var granted)) input["emailConsent"] = granted;
            else Fail(ImportField.EmailConsent, "must be oui/non, yes/no, true/false or 1/0");
        }
        if (Cell(ImportField.CareStatus) is { } status)
        {
            if (CareStatusValues.TryGetValue(ValueKey(status), out var careStatus)) input["careStatus"] = Wire.Name(careStatus);
            else Fail(ImportField.CareStatus, "must be in_care (en cours), plan_completed (terminé) or discharged (sorti)");
        }
        if (Cell(ImportField.ContactPreference) is { } preference)
        {
            if (ContactPreferenceValues.TryGetValue(ValueKey(preference), out var contact)) input["contactPreference"] = Wire.Name(contact);
            else Fail(ImportField.ContactPreference, "must be default or direct");
        }
        if (Cell(ImportField.TherapistId) is { } therapist)
        {
            var (therapistId, problem) = therapists.Resolve(therapist);
            if (therapistId is not null) input["therapistId"] = therapistId;
            else Fail(ImportField.TherapistId, problem!);
        }

        ImportedPatient? patient = null;
        var probe = new JsonObject
        {
            ["id"] = "import",
            ["type"] = "patient.upserted",
            ["occurredAt"] = "2000-01-01T00:00:00Z",
            ["patient"] = input,
        };
        switch (GenericBookingEventParser.Parse(probe))
        {
            case BookingEventParse.Invalid invalid:
                foreach (var problem in invalid.Problems)
                {
                    var name = problem.Field.StartsWith("patient.", StringComparison.Ordinal) ? problem.Field["patient.".Length..] : problem.Field;
                    var dot = name.IndexOf('.', StringComparison.Ordinal);
                    ImportField? field = ImportFields.TryParse(dot < 0 ? name : name[..dot], out var f) ? f : null;
                    // The id's own "is required" is already reported above.
                    if (field == ImportField.Id && id is null) continue;
                    Fail(field, problem.Message);
                }
                break;
            case BookingEventParse.Valid valid:
                var p = valid.Event.Patient;
                patient = new ImportedPatient
                {
                    Id = id ?? "",
                    FirstName = p.FirstName.Value,
                    Email = p.Email.Value?.Trim(),
                    Locale = p.Locale,
                    TherapistId = p.TherapistId.Value,
                    EmailConsent = p.EmailConsent.IsPresent ? p.EmailConsent.Value.Granted : null,
                    CareStatus = p.CareStatus.IsPresent ? p.CareStatus.Value : null,
                    ContactPreference = p.ContactPreference.IsPresent ? p.ContactPreference.Value : null,
                    FocusArea = string.IsNullOrEmpty(p.FocusArea.Value) ? null : p.FocusArea.Value,
                };
                break;
            default:
                throw new InvalidOperationException("A JSON object always parses to Valid or Invalid.");
        }

        foreach (var field in new[] { ImportField.LastVisitAt, ImportField.NextBookingAt })
        {
            if (Cell(field) is not { } raw) continue;
            var date = ParseDate(raw, timeZone);
            if (date is null) Fail(field, $"is not a date: use {DateFormatsText}");
            else if (field == ImportField.LastVisitAt && date.Date > today) Fail(field, "is in the future");
            else if (patient is not null)
            {
                patient = field == ImportField.LastVisitAt ? patient with { LastVisitAt = date } : patient with { NextBookingAt = date };
            }
        }

        // In the order of the columns, as the user reads the line; line-wide problems first.
        int Order(LineError e) => e.Field is not { } f ? -1 : resolution.Indexes.TryGetValue(f, out var i) ? i : header.Count;
        var sorted = errors.OrderBy(Order).ToList();
        var line = new ImportLine(record.Line, id, sorted.Count == 0 ? patient : null, sorted);
        return (line, Cell(ImportField.Email)?.ToLowerInvariant());
    }

    /// <summary>Every line sharing a key with another line gets an error naming the other lines.</summary>
    private static void MarkDuplicates(List<ImportLine> lines, ImportField field, IReadOnlyList<string?> keys, string? column)
    {
        var groups = lines
            .Select((line, index) => (line, key: keys[index]))
            .Where(x => x.key is not null)
            .GroupBy(x => x.key!, StringComparer.Ordinal)
            .Where(g => g.Count() > 1);
        var what = field == ImportField.Id ? "patient id" : "email address";
        foreach (var group in groups)
        {
            var members = group.Select(x => x.line.Line).ToList();
            foreach (var (line, _) in group)
            {
                var index = lines.FindIndex(l => l.Line == line.Line);
                var others = members.Where(m => m != line.Line).ToList();
                var current = lines[index];
                var message = $"the same {what} is on line{(others.Count > 1 ? "s" : "")} {string.Join(", ", others)}";
                lines[index] = current with { Patient = null, Errors = [.. current.Errors, new LineError(field, column, message)] };
            }
        }
    }
}
