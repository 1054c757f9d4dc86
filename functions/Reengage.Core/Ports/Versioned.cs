namespace Reengage.Core.Ports;

/// <summary>A row together with the ETag to pass back for a conditional write.</summary>
public sealed record Versioned<T>(T Value, string ETag);
