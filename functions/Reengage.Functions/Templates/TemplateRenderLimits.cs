namespace Reengage.Functions.Templates;

/// <summary>
/// What one render may cost. A hostile override must not hang a worker or fill its memory, and an email beyond
/// ~100 KB of HTML is clipped by Gmail anyway.
/// </summary>
public sealed record TemplateRenderLimits
{
    /// <summary>Characters one override part may have.</summary>
    public int MaxSourceChars { get; init; } = 60_000;

    /// <summary>Wall-clock budget of one part's render (subject, HTML or text).</summary>
    public TimeSpan RenderTimePerPart { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Iterations of all loops of one part, nested loops included.</summary>
    public int LoopLimit { get; init; } = 1_000;

    /// <summary>Depth of nested function calls and includes.</summary>
    public int RecursionLimit { get; init; } = 20;

    public int MaxSubjectChars { get; init; } = 500;
    public int MaxHtmlChars { get; init; } = 150_000;
    public int MaxTextChars { get; init; } = 60_000;

    /// <summary>Rendering contexts kept for reuse; more concurrent renders than this build throwaway ones.</summary>
    public int MaxPooledContexts { get; init; } = Math.Max(4, Environment.ProcessorCount * 2);

    public static TemplateRenderLimits Default { get; } = new();
}
