namespace Reengage.Core;

/// <summary>One invalid field: a JSON path such as <c>patient.email</c> (or <c>(body)</c>) and what is wrong with it.</summary>
public sealed record FieldProblem(string Field, string Message);
