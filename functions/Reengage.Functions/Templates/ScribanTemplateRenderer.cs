using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Reengage.Core;
using Reengage.Core.Model;
using Reengage.Core.Ports;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Reengage.Functions.Templates;

/// <summary>
/// Renders the shared template library (Scriban files embedded in this assembly) and practices' overrides of it:
/// parsed once and cached, strict variables, loop, recursion, time and size limits, every value of an HTML part
/// HTML-escaped. Thread-safe; one instance per process.
/// </summary>
public sealed partial class ScribanTemplateRenderer : ITemplateRenderer
{
    private const string ResourcePrefix = "Reengage.Templates/";
    private const string PartialsFolder = "_partials/";
    private const int OverrideCacheSize = 200;

    // Only these builtins: no date (a render must not depend on the clock), no object.eval, no regex, no html
    // (values are escaped already; html.escape would escape them twice).
    private static readonly string[] BuiltinObjects = ["string", "array", "math"];

    private static readonly TemplatePart[] Parts = [TemplatePart.Subject, TemplatePart.Html, TemplatePart.Text];

    private readonly TemplateRenderLimits _limits;
    private readonly IReadOnlyDictionary<string, string> _files;
    private readonly Dictionary<string, Template> _partials;
    private readonly PartialFunction _partialFunction;
    private readonly IReadOnlySet<string> _builtinNames;
    private readonly Dictionary<(TemplateId, Locale), CompiledTemplate> _library = [];
    private readonly ConcurrentDictionary<string, CompiledTemplate> _overrides = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<EmailTemplateContext> _pool = [];
    private int _pooled;

    /// <summary>The library embedded in this assembly.</summary>
    public ScribanTemplateRenderer()
        : this(LoadEmbeddedLibrary(), TemplateRenderLimits.Default)
    {
    }

    public ScribanTemplateRenderer(TemplateRenderLimits limits)
        : this(LoadEmbeddedLibrary(), limits)
    {
    }

    /// <summary>
    /// A library given as files: <c>&lt;template&gt;/&lt;locale&gt;/{subject,html,text}</c> and <c>_partials/…</c>
    /// (paths without the <c>.scriban</c> extension) to their sources. A file that does not parse fails here, at start-up.
    /// </summary>
    public ScribanTemplateRenderer(IReadOnlyDictionary<string, string> files, TemplateRenderLimits limits)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
        _files = files;
        _partials = files
            .Where(file => file.Key.StartsWith(PartialsFolder, StringComparison.Ordinal))
            .ToDictionary(file => file.Key, file => ParseLibraryFile(file.Key, file.Value), StringComparer.Ordinal);
        _partialFunction = new PartialFunction(_partials);
        // for, while and tablerow also name the loop being run (for.index, for.last).
        _builtinNames = new HashSet<string>([.. BuiltinObjects, PartialFunction.Name, "for", "while", "tablerow"], StringComparer.Ordinal);
        foreach (var templateId in Enum.GetValues<TemplateId>())
        {
            foreach (var locale in Enum.GetValues<Locale>())
            {
                if (Parts.All(part => files.ContainsKey(LibraryPath(templateId, locale, part))))
                {
                    _library[(templateId, locale)] = new CompiledTemplate(
                        $"{Wire.Name(templateId)}/{Wire.Name(locale)}",
                        Parts.ToDictionary(part => part, part => ParseLibraryFile(LibraryPath(templateId, locale, part), InlinePartials(files[LibraryPath(templateId, locale, part)], 0))));
                }
            }
        }
    }

    public RenderedEmail Render(TemplateId templateId, Locale locale, RenderContext context)
    {
        AssertKnown(templateId, locale);
        ArgumentNullException.ThrowIfNull(context);
        if (!_library.TryGetValue((templateId, locale), out var compiled))
        {
            throw new ReengageException(ErrorCode.RenderFailed, $"template {Wire.Name(templateId)}/{Wire.Name(locale)} is missing from the library");
        }
        return RenderCompiled(compiled, context);
    }

    public RenderedEmail RenderOverride(TemplateId templateId, Locale locale, TemplateSources sources, RenderContext context)
    {
        AssertKnown(templateId, locale);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(context);
        var key = OverrideKey(templateId, locale, sources);
        if (!_overrides.TryGetValue(key, out var compiled))
        {
            var label = $"override {Wire.Name(templateId)}/{Wire.Name(locale)}";
            var parts = new Dictionary<TemplatePart, Template>();
            foreach (var part in Parts)
            {
                var template = Parse(sources[part], $"{label}/{PartName(part)}");
                if (template.HasErrors)
                {
                    throw new ReengageException(ErrorCode.RenderFailed, $"{label} {PartName(part)}: syntax error: {DescribeParseErrors(template)}");
                }
                parts[part] = template;
            }
            compiled = new CompiledTemplate(label, parts);
            if (_overrides.Count >= OverrideCacheSize)
            {
                // Overrides change rarely; dropping one at random keeps the cache bounded without bookkeeping.
                foreach (var stale in _overrides.Keys.Take(_overrides.Count - OverrideCacheSize + 1))
                {
                    _overrides.TryRemove(stale, out _);
                }
            }
            _overrides[key] = compiled;
        }
        return RenderCompiled(compiled, context);
    }

    public TemplateSources GetLibrarySources(TemplateId templateId, Locale locale)
    {
        AssertKnown(templateId, locale);
        string Read(TemplatePart part) => _files.TryGetValue(LibraryPath(templateId, locale, part), out var source)
            ? source
            : throw new ReengageException(ErrorCode.RenderFailed, $"template {LibraryPath(templateId, locale, part)} is missing from the library");
        return new TemplateSources(Read(TemplatePart.Subject), Read(TemplatePart.Html), Read(TemplatePart.Text));
    }

    public void ValidateOverride(TemplateId templateId, Locale locale, TemplateSources sources)
    {
        AssertKnown(templateId, locale);
        if (sources is null)
        {
            throw new ReengageException(ErrorCode.InvalidInput, "subject: is missing or empty");
        }
        foreach (var part in Parts)
        {
            var source = sources[part];
            if (string.IsNullOrWhiteSpace(source))
            {
                throw Invalid(part, "is missing or empty");
            }
            if (source.Length > _limits.MaxSourceChars)
            {
                throw Invalid(part, $"is too long ({source.Length} characters; at most {_limits.MaxSourceChars})");
            }
        }
        var parts = new Dictionary<TemplatePart, Template>();
        foreach (var part in Parts)
        {
            var template = Parse(sources[part], PartName(part));
            if (template.HasErrors)
            {
                throw Invalid(part, $"syntax error: {DescribeParseErrors(template)}");
            }
            if (template.Page is { } page && TemplateVariableCheck.FindProblem(page, part, _builtinNames, _partials) is { } problem)
            {
                throw Invalid(part, problem);
            }
            parts[part] = template;
        }
        var compiled = new CompiledTemplate("override", parts);
        foreach (var (sampleName, sample) in new[] { ("full", SampleContexts.Full(locale, templateId)), ("minimal", SampleContexts.Minimal(locale, templateId)) })
        {
            var (body, subject) = RenderScope.Build(sample);
            foreach (var part in Parts)
            {
                string output;
                try
                {
                    output = RenderPart(compiled.Parts[part], part, part == TemplatePart.Subject ? subject : body);
                }
                catch (RenderException failure)
                {
                    throw Invalid(part, $"cannot be rendered with the {sampleName} sample data: {failure.Message}", failure.InnerException);
                }
                if (OutputProblem(part, output, sample, templateId) is { } problem)
                {
                    throw Invalid(part, $"{problem} (with the {sampleName} sample data)");
                }
            }
        }
    }

    private RenderedEmail RenderCompiled(CompiledTemplate compiled, RenderContext context)
    {
        var (body, subjectVariables) = RenderScope.Build(context);
        var rendered = new string[Parts.Length];
        foreach (var part in Parts)
        {
            try
            {
                rendered[(int)part] = RenderPart(compiled.Parts[part], part, part == TemplatePart.Subject ? subjectVariables : body);
            }
            catch (RenderException failure)
            {
                throw new ReengageException(ErrorCode.RenderFailed, $"{compiled.Label} {PartName(part)}: {failure.Message}", inner: failure.InnerException);
            }
        }
        return new RenderedEmail(rendered[(int)TemplatePart.Subject], rendered[(int)TemplatePart.Html], rendered[(int)TemplatePart.Text]);
    }

    /// <summary>Renders one part on a pooled context, and tidies its output.</summary>
    private string RenderPart(Template template, TemplatePart part, ScriptObject variables)
    {
        var context = RentContext();
        string output;
        try
        {
            output = context.RenderPart(template, part, variables);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // Whatever a template makes Scriban throw is a template that cannot be rendered, never a crash of the
            // caller: bad input gets a clear refusal (SPEC §9). The context may be left mid-render (pushed scopes,
            // open loops): it is dropped, never pooled again.
            throw new RenderException(Describe(error), error);
        }
        ReturnContext(context);
        return part switch
        {
            TemplatePart.Subject => ToSingleLine(output),
            TemplatePart.Text => TidyText(output),
            _ => output.Trim() + "\n",
        };
    }

    private EmailTemplateContext RentContext()
    {
        if (_pool.TryTake(out var context))
        {
            Interlocked.Decrement(ref _pooled);
            return context;
        }
        return new EmailTemplateContext(CreateBuiltins(), _limits);
    }

    private void ReturnContext(EmailTemplateContext context)
    {
        if (Interlocked.Increment(ref _pooled) <= _limits.MaxPooledContexts)
        {
            _pool.Add(context);
        }
        else
        {
            Interlocked.Decrement(ref _pooled);
        }
    }

    /// <summary>Each context gets its own, read-only builtins: a template cannot change what the next render sees.</summary>
    private ScriptObject CreateBuiltins()
    {
        var defaults = TemplateContext.GetDefaultBuiltinObject();
        var builtins = new ScriptObject();
        foreach (var name in BuiltinObjects)
        {
            var functions = (ScriptObject)(defaults[name] ?? throw new InvalidOperationException($"Scriban has no builtin '{name}'"));
            functions.IsReadOnly = true;
            builtins.SetValue(name, functions, readOnly: true);
        }
        builtins.SetValue(PartialFunction.Name, _partialFunction, readOnly: true);
        builtins.IsReadOnly = true;
        return builtins;
    }

    /// <summary>
    /// Writes a library partial into its caller's source, as the include would render it: its named arguments
    /// become the <c>$</c> variables it reads, its final line break goes. An include costs more than the rest of a
    /// render; the library's own emails are parsed this way once, and read the same (the golden tests hold them to
    /// it). Overrides and the sources practices see are left as written.
    /// </summary>
    private string InlinePartials(string source, int depth) =>
        depth > _limits.RecursionLimit
            ? source
            : InlinableInclude().Replace(source, include =>
            {
                if (!_files.TryGetValue(include.Groups["name"].Value, out var partial))
                {
                    return include.Value;
                }
                var arguments = string.Join("; ", include.Groups["key"].Captures.Zip(include.Groups["value"].Captures, (key, value) => $"${key.Value} = {value.Value}"));
                var body = InlinePartials(partial, depth + 1).TrimEnd('\n');
                return arguments.Length == 0 ? body : $"{{{{ {arguments} }}}}{body}";
            });

    private Template ParseLibraryFile(string path, string source)
    {
        var template = Parse(source, path);
        if (template.HasErrors)
        {
            throw new ReengageException(ErrorCode.InvalidConfiguration, $"template {path} does not parse: {DescribeParseErrors(template)}");
        }
        return template;
    }

    private static Template Parse(string source, string path) =>
        Template.Parse(source, path, new ParserOptions { ExpressionDepthLimit = 64 });

    private static string DescribeParseErrors(Template template) =>
        string.Join("; ", template.Messages.Select(message =>
            $"{message.Message} (line {message.Span.Start.Line + 1}, column {message.Span.Start.Column + 1})"));

    private string Describe(Exception error) => error switch
    {
        ScriptAbortException or OperationCanceledException =>
            $"the template takes too long to render (more than {_limits.RenderTimePerPart.TotalMilliseconds} ms)",
        InsufficientExecutionStackException => "the template nests too deeply",
        ScriptRuntimeException runtime when runtime.InnerException is ScriptRuntimeException inner =>
            $"{inner.OriginalMessage} (line {inner.Span.Start.Line + 1}, column {inner.Span.Start.Column + 1})",
        ScriptRuntimeException runtime =>
            $"{runtime.OriginalMessage} (line {runtime.Span.Start.Line + 1}, column {runtime.Span.Start.Column + 1})",
        _ => error.Message,
    };

    /// <summary>What makes a rendered part unacceptable, in words a practice manager can act on; null when fine.</summary>
    private static string? OutputProblem(TemplatePart part, string output, RenderContext sample, TemplateId templateId)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            return "renders to nothing";
        }
        var visible = part == TemplatePart.Html ? VisibleText(output) : output;
        if (Leftover().Match(output) is { Success: true } leftover)
        {
            return $"contains a literal \"{leftover.Value}\" in its output";
        }
        if (MissingValue().Match(visible) is { Success: true } word)
        {
            return $"shows the word \"{word.Value}\": a variable is missing or misspelled";
        }
        if (Placeholder().Match(visible) is { Success: true } placeholder)
        {
            return $"contains the placeholder \"{placeholder.Value}\": use a variable instead of brackets";
        }
        if (part == TemplatePart.Subject)
        {
            return output.Contains(SampleContexts.ProgressNote, StringComparison.Ordinal) || output.Contains(SampleContexts.PlanSummary, StringComparison.Ordinal)
                ? "contains health data, which never goes in a subject"
                : null;
        }
        var required = new List<(string Name, string? Url)>
        {
            ("the booking link (links.book)", sample.Links.Book),
            ("the \"not now\" link (links.later)", sample.Links.Later),
            ("the unsubscribe link (links.unsubscribe)", sample.Links.Unsubscribe),
        };
        if (templateId == TemplateId.Feedback)
        {
            required.Add(("the feedback link (links.feedback)", sample.Links.Feedback));
        }
        foreach (var (name, url) in required)
        {
            if (url is not null && !output.Contains(part == TemplatePart.Html ? HtmlText.Escape(url) : url, StringComparison.Ordinal))
            {
                return $"does not contain {name}";
            }
        }
        return null;
    }

    /// <summary>Text a reader sees in an HTML part: no comments (Outlook conditionals), no style or script, no tags.</summary>
    internal static string VisibleText(string html) =>
        Tags().Replace(StyleOrScript().Replace(Comments().Replace(html, " "), " "), " ");

    /// <summary>A subject is one header line: folding whitespace and control characters go (header injection).</summary>
    private static string ToSingleLine(string subject) =>
        Spaces().Replace(ControlCharacters().Replace(subject, " "), " ").Trim();

    private static string TidyText(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd());
        return ExtraBlankLines().Replace(string.Join('\n', lines), "\n\n").Trim() + "\n";
    }

    private static string OverrideKey(TemplateId templateId, Locale locale, TemplateSources sources)
    {
        var text = new StringBuilder()
            .Append(Wire.Name(templateId)).Append('\0').Append(Wire.Name(locale)).Append('\0');
        foreach (var part in Parts)
        {
            text.Append(sources[part].Length).Append('\0').Append(sources[part]);
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    internal static IReadOnlyDictionary<string, string> LoadEmbeddedLibrary()
    {
        var assembly = typeof(ScribanTemplateRenderer).Assembly;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new ReengageException(ErrorCode.InvalidConfiguration, $"embedded template {name} cannot be read");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            files[Path.ChangeExtension(path, null)] = reader.ReadToEnd();
        }
        if (!files.Keys.Any(key => key.StartsWith(PartialsFolder, StringComparison.Ordinal)))
        {
            throw new ReengageException(ErrorCode.InvalidConfiguration, $"no templates embedded in {assembly.GetName().Name}");
        }
        return files;
    }

    private static string LibraryPath(TemplateId templateId, Locale locale, TemplatePart part) =>
        $"{Wire.Name(templateId)}/{Wire.Name(locale)}/{PartName(part)}";

    internal static string PartName(TemplatePart part) => part switch
    {
        TemplatePart.Subject => "subject",
        TemplatePart.Html => "html",
        TemplatePart.Text => "text",
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, null),
    };

    private static void AssertKnown(TemplateId templateId, Locale locale)
    {
        if (!Enum.IsDefined(templateId))
        {
            throw new ArgumentOutOfRangeException(nameof(templateId), templateId, "unknown template id");
        }
        if (!Enum.IsDefined(locale))
        {
            throw new ArgumentOutOfRangeException(nameof(locale), locale, "unknown locale");
        }
    }

    private static ReengageException Invalid(TemplatePart part, string problem, Exception? inner = null) =>
        new(ErrorCode.InvalidInput, $"{PartName(part)}: {problem}", inner: inner);

    private sealed record CompiledTemplate(string Label, IReadOnlyDictionary<TemplatePart, Template> Parts);

    /// <summary>A part that could not be rendered; its message says why, in a practice manager's words.</summary>
    private sealed class RenderException(string message, Exception inner) : Exception(message, inner);

    // {{ include "_partials/…" name: "text" other: a.path }}: literal names, string or variable arguments only.
    [GeneratedRegex(@"\{\{\s*include\s+""(?<name>_partials/[^""]+)""(?:\s+(?<key>[A-Za-z_]\w*):\s*(?<value>""[^""\\]*""|[A-Za-z_][\w.]*))*\s*\}\}")]
    private static partial Regex InlinableInclude();

    [GeneratedRegex(@"\{\{|\}\}|\{%|%\}")]
    private static partial Regex Leftover();

    [GeneratedRegex(@"\b(undefined|null|NaN)\b")]
    private static partial Regex MissingValue();

    [GeneratedRegex(@"\[[^\]\n]{0,80}\]")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"<!--[\s\S]*?-->")]
    private static partial Regex Comments();

    [GeneratedRegex(@"<(style|script)\b[\s\S]*?</\1\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex StyleOrScript();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"[\p{Cc}\u2028\u2029]")]
    private static partial Regex ControlCharacters();

    [GeneratedRegex(" {2,}")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex ExtraBlankLines();
}
