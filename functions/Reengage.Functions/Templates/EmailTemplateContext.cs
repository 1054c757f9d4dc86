using Reengage.Core.Ports;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Reengage.Functions.Templates;

/// <summary>
/// A Scriban context set up for emails: strict variables, loop, recursion, time and size limits, and every value
/// written into an HTML part escaped here, whatever the template says. Built once and reused (see the renderer's
/// pool): building one costs more than a whole render.
/// </summary>
internal sealed class EmailTemplateContext : TemplateContext
{
    private readonly TemplateRenderLimits _limits;
    private CancellationTokenSource _budget = new();

    public EmailTemplateContext(ScriptObject builtins, TemplateRenderLimits limits)
        : base(builtins)
    {
        _limits = limits;
        StrictVariables = true;
        EnableRelaxedMemberAccess = false;
        EnableRelaxedTargetAccess = false;
        EnableRelaxedFunctionAccess = false;
        LoopLimit = limits.LoopLimit;
        RecursiveLimit = limits.RecursionLimit;
        LimitToString = limits.MaxHtmlChars;
        OnStringLimit = ScriptLimitBehavior.Throw;
        OnOutputLimit = ScriptLimitBehavior.Throw;
        NewLine = "\n";
        // An include keeps no indentation: the HTML and text parts are laid out by their own lines.
        AutoIndent = false;
    }

    public TemplatePart Part { get; private set; }

    /// <summary>Renders one part with <paramref name="variables"/>; the context is clean again afterwards.</summary>
    public string RenderPart(Template template, TemplatePart part, ScriptObject variables)
    {
        Reset();
        Part = part;
        OutputLimit = part switch
        {
            TemplatePart.Subject => _limits.MaxSubjectChars,
            TemplatePart.Html => _limits.MaxHtmlChars,
            _ => _limits.MaxTextChars,
        };
        PushGlobal(variables);
        // Assignments land here, not in the shared, read-only variables.
        PushGlobal(new ScriptObject());
        if (!_budget.TryReset())
        {
            _budget.Dispose();
            _budget = new CancellationTokenSource();
        }
        CancellationToken = _budget.Token;
        _budget.CancelAfter(_limits.RenderTimePerPart);
        try
        {
            var output = template.Render(this);
            // A pooled context keeps nothing of the patient it last rendered for.
            Reset();
            return output;
        }
        finally
        {
            CancellationToken = CancellationToken.None;
            // A cancelled source cannot be reset: the next render replaces it.
            _budget.TryReset();
        }
    }

    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        switch (textAsObject)
        {
            case null:
                return this;
            case RenderedPartial partial:
                // A library partial's own values were escaped as it rendered; its markup is written as is.
                Write(partial.Output);
                return this;
            default:
                var text = ObjectToString(textAsObject);
                Write(Part == TemplatePart.Html && text is not null ? HtmlText.Escape(text) : text);
                return this;
        }
    }

    public override ValueTask<TemplateContext> WriteAsync(SourceSpan span, object? textAsObject) =>
        ValueTask.FromResult(Write(span, textAsObject));
}

/// <summary>The output of a library partial: the only value an HTML part writes without escaping it.</summary>
internal sealed record RenderedPartial(string Output)
{
    public override string ToString() => Output;
}

/// <summary>
/// <c>include "_partials/…"</c>: renders one of the library's partials, parsed once, with the caller's variables
/// and its named arguments (<c>$url</c>, <c>$label</c>). Nothing else can be included: no file system, no URL.
/// </summary>
internal sealed class PartialFunction(IReadOnlyDictionary<string, Template> partials) : IScriptCustomFunction
{
    public const string Name = "include";

    public IReadOnlyDictionary<string, Template> Partials { get; } = partials;

    public int RequiredParameterCount => 1;

    public int ParameterCount => 1;

    public ScriptVarParamKind VarParamKind => ScriptVarParamKind.Direct;

    public Type ReturnType => typeof(object);

    public ScriptParameterInfo GetParameterInfo(int index) =>
        index == 0 ? new ScriptParameterInfo(typeof(string), "name") : new ScriptParameterInfo(typeof(object), "value");

    public object? Invoke(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement)
    {
        var name = arguments.Count > 0 ? arguments[0] as string : null;
        if (name is null || !Partials.TryGetValue(name, out var template))
        {
            throw new ScriptRuntimeException(
                callerContext?.Span ?? context.CurrentSpan,
                $"includes \"{name}\", which is not one of the library's partials ({string.Join(", ", Partials.Keys.Order(StringComparer.Ordinal))})");
        }
        // Without its final line break, a partial sits in its caller like inline text: the caller's lines decide the layout.
        return new RenderedPartial(context.RenderTemplate(template, arguments, callerContext).TrimEnd('\n'));
    }

    public ValueTask<object?> InvokeAsync(TemplateContext context, ScriptNode? callerContext, ScriptArray arguments, ScriptBlockStatement? blockStatement) =>
        ValueTask.FromResult(Invoke(context, callerContext, arguments, blockStatement));
}
