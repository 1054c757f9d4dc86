namespace Reengage.LocalHost.Tests;

/// <summary>Test classes that need queue storage join this collection and share one Azurite.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
