// How domain records become table entities and back, the same way in every table adapter:
// - scalars are one property each; instants are UTC ISO strings of fixed width (string order is time order), as the
//   TypeScript implementation wrote them, rather than Edm.DateTime whose precision differs between service and emulator;
// - nested records and lists are one JSON string property each (camelCase, enums by their wire names);
// - null is omitted and read back as null;
// - every entity carries `schemaVersion`, so a later format change can tell old rows apart;
// - sizes are checked before the service sees them, with an error naming the property (never its value).
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Reengage.Core;
using Reengage.Core.Model;

namespace Reengage.Functions.Tables;

internal static class EntityCodec
{
    public const int SchemaVersion = 1;

    /// <summary>A string property holds at most 64 KiB, i.e. 32K UTF-16 characters; stay a little under.</summary>
    public const int MaxPropertyChars = 32_000;

    /// <summary>An entity holds at most 1 MiB, counted as the service does (UTF-16 strings plus overheads).</summary>
    public const int MaxEntityBytes = 1024 * 1024;

    /// <summary>Marks a string property stored in the <see cref="TableKeys"/> encoding (it held a lone surrogate).</summary>
    public const string EscapedSuffix = "Escaped";

    public const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string FormatInstant(DateTimeOffset value) =>
        value.UtcDateTime.ToString(InstantFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseInstant(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            // Property values are not HTML: keep accents and quotes readable in the stored JSON.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new WireEnumConverterFactory());
        options.Converters.Add(new IsoDayOfWeekConverter());
        options.Converters.Add(new WallClockTimeConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>Builds one entity, omitting nulls and checking the service's limits.</summary>
internal sealed class EntityWriter
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "PartitionKey", "RowKey", "Timestamp", "odata.etag", "ETag" };

    private readonly string _table;
    private readonly TableEntity _entity;
    private long _bytes;

    public EntityWriter(string table, string partitionKey, string rowKey)
    {
        _table = table;
        _entity = new TableEntity(partitionKey, rowKey);
        _bytes = 4 + ((partitionKey.Length + rowKey.Length) * 2L);
    }

    public EntityWriter Set(string name, string? value)
    {
        if (value is null) return this;
        if (value.Length > EntityCodec.MaxPropertyChars)
        {
            throw new ReengageException(ErrorCode.InvalidInput,
                $"{_table}: property {name} is {value.Length} characters, more than the {EntityCodec.MaxPropertyChars} a table property holds.");
        }
        if (TableKeys.HasLoneSurrogate(value))
        {
            // The SDK writes entities as UTF-8 JSON, where a lone surrogate becomes U+FFFD: such a value (an id from a
            // booking tool) is stored in the reversible key encoding instead, and marked so that the reader decodes it.
            value = TableKeys.Of(value);
            Put(name + EntityCodec.EscapedSuffix, true, 1);
        }
        return Put(name, value, 4 + (value.Length * 2L));
    }

    public EntityWriter Set(string name, int? value) => value is { } v ? Put(name, v, 4) : this;

    public EntityWriter Set(string name, bool value) => Put(name, value, 1);

    public EntityWriter Set(string name, DateTimeOffset? value) => value is { } v ? Set(name, EntityCodec.FormatInstant(v)) : this;

    public EntityWriter SetWire<T>(string name, T value) where T : struct, Enum => Set(name, Wire.Name(value));

    public EntityWriter SetWire<T>(string name, T? value) where T : struct, Enum => value is { } v ? Set(name, Wire.Name(v)) : this;

    /// <summary>A nested record or list as one JSON property; null is omitted.</summary>
    public EntityWriter SetJson<T>(string name, T? value) where T : class =>
        value is null ? this : Set(name, JsonSerializer.Serialize(value, EntityCodec.Json));

    public TableEntity Build()
    {
        Put("schemaVersion", EntityCodec.SchemaVersion, 4);
        if (_bytes > EntityCodec.MaxEntityBytes)
        {
            throw new ReengageException(ErrorCode.InvalidInput, $"{_table}: the row is {_bytes} bytes, more than the 1 MiB an entity holds.");
        }
        return _entity;
    }

    private EntityWriter Put(string name, object value, long valueBytes)
    {
        if (Reserved.Contains(name)) throw new ArgumentException($"{_table}: \"{name}\" is a reserved property name.", nameof(name));
        _entity[name] = value;
        _bytes += 8 + (name.Length * 2L) + valueBytes;
        return this;
    }
}

/// <summary>Typed reads of a stored entity; a property missing or of the wrong type is a corrupt row and throws.</summary>
internal readonly struct EntityReader(TableEntity entity, string table)
{
    public string? OptionalString(string name)
    {
        if (!entity.TryGetValue(name, out var value) || value is null) return null;
        var text = value as string ?? throw Corrupt(name, "a string");
        return entity.TryGetValue(name + EntityCodec.EscapedSuffix, out var escaped) && escaped is true ? TableKeys.Decode(text) : text;
    }

    public string String(string name) => OptionalString(name) ?? throw Corrupt(name, "a string");

    public int? OptionalInt(string name) => entity.TryGetValue(name, out var value) ? value switch
    {
        null => null,
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        // The TypeScript implementation wrote every number as a double.
        double d when d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
        _ => throw Corrupt(name, "an integer"),
    } : null;

    public int Int(string name) => OptionalInt(name) ?? throw Corrupt(name, "an integer");

    public bool Bool(string name) => entity.TryGetValue(name, out var value) && value is bool b ? b : throw Corrupt(name, "a boolean");

    /// <summary>A flag added after rows were first written: absent on those rows, where it reads as <paramref name="absent"/>.</summary>
    public bool OptionalBool(string name, bool absent = false) =>
        !entity.TryGetValue(name, out var value) || value is null ? absent : value is bool b ? b : throw Corrupt(name, "a boolean");

    public DateTimeOffset? OptionalInstant(string name)
    {
        if (!entity.TryGetValue(name, out var value) || value is null) return null;
        return value switch
        {
            string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) => parsed,
            DateTimeOffset instant => instant,
            _ => throw Corrupt(name, "an instant"),
        };
    }

    public DateTimeOffset Instant(string name) => OptionalInstant(name) ?? throw Corrupt(name, "an instant");

    public T? OptionalWire<T>(string name) where T : struct, Enum =>
        OptionalString(name) is { } text ? Wire.TryParse<T>(text, out var value) ? value : throw Corrupt(name, $"a {typeof(T).Name}") : null;

    public T WireEnum<T>(string name) where T : struct, Enum => OptionalWire<T>(name) ?? throw Corrupt(name, $"a {typeof(T).Name}");

    public T? OptionalJson<T>(string name) where T : class
    {
        if (OptionalString(name) is not { } text) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(text, EntityCodec.Json) ?? throw Corrupt(name, "JSON");
        }
        catch (JsonException error)
        {
            throw Corrupt(name, "JSON", error);
        }
    }

    public T Json<T>(string name) where T : class => OptionalJson<T>(name) ?? throw Corrupt(name, "JSON");

    private InvalidDataException Corrupt(string name, string expected, Exception? inner = null) =>
        new($"{table}: property {name} is not {expected}.", inner);
}

/// <summary>Enums with <see cref="WireNameAttribute"/> names, as values and as dictionary keys.</summary>
internal sealed class WireEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum && typeToConvert != typeof(DayOfWeek);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(WireEnumConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class WireEnumConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString());

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Wire.Name(value));

        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString());

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WritePropertyName(Wire.Name(value));

        private static T Parse(string? name) => Wire.TryParse<T>(name, out var value) ? value : throw new JsonException($"'{name}' is not a {typeof(T).Name}.");
    }
}

/// <summary>ISO day numbers (1 = Monday … 7 = Sunday), as the TypeScript implementation stored send windows.</summary>
internal sealed class IsoDayOfWeekConverter : JsonConverter<DayOfWeek>
{
    public override DayOfWeek Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var iso = reader.GetInt32();
        return iso is >= 1 and <= 7 ? (DayOfWeek)(iso % 7) : throw new JsonException($"{iso} is not an ISO day of the week.");
    }

    public override void Write(Utf8JsonWriter writer, DayOfWeek value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value == DayOfWeek.Sunday ? 7 : (int)value);
}

/// <summary>Local wall-clock times as <c>HH:mm</c> (seconds only when present).</summary>
internal sealed class WallClockTimeConverter : JsonConverter<TimeOnly>
{
    public override TimeOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeOnly.TryParse(reader.GetString(), CultureInfo.InvariantCulture, out var time) ? time : throw new JsonException("Not a time of day.");

    public override void Write(Utf8JsonWriter writer, TimeOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(value.Second == 0 && value.Millisecond == 0 && value.Microsecond == 0 ? "HH:mm" : "HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
}
