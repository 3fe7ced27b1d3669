using NetArchTest.Rules;
using Parley.Server.Social.Groups;

namespace Parley.Server.Tests;

/// <summary>
/// Messaging depends on Social (who may post where), so Social must not depend on Messaging, nor speak the wire:
/// it raises domain events, and Realtime turns them into frames.
/// </summary>
public sealed class SocialDependencyTests
{
    [Fact]
    public void SocialKnowsNeitherMessagingNorRealtime()
    {
        var result = Types.InAssembly(typeof(GroupRules).Assembly)
            .That().ResideInNamespace("Parley.Server.Social")
            .ShouldNot().HaveDependencyOnAny("Parley.Server.Messaging", "Parley.Server.Realtime")
            .GetResult();
        Assert.True(result.IsSuccessful, "Social types that depend on Messaging or Realtime: " + string.Join(", ", result.FailingTypes?.Select(t => t.FullName) ?? []));
    }
}
