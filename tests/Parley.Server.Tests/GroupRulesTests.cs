using Parley.Server.Social.Groups;

namespace Parley.Server.Tests;

public sealed class GroupRulesTests
{
    [Theory]
    [InlineData(GroupRole.Owner, GroupRole.Admin, true)]
    [InlineData(GroupRole.Owner, GroupRole.Member, true)]
    [InlineData(GroupRole.Admin, GroupRole.Member, true)]
    [InlineData(GroupRole.Admin, GroupRole.Admin, false)]
    [InlineData(GroupRole.Admin, GroupRole.Owner, false)]
    [InlineData(GroupRole.Member, GroupRole.Member, false)]
    public void OnlyAHigherRoleActsOnAMember(GroupRole actor, GroupRole target, bool allowed) =>
        Assert.Equal(allowed, GroupRules.Outranks(actor, target));

    [Theory]
    [InlineData(GroupRole.Owner, true)]
    [InlineData(GroupRole.Admin, true)]
    [InlineData(GroupRole.Member, false)]
    public void OwnersAndAdminsManageTheGroup(GroupRole role, bool manages) => Assert.Equal(manages, GroupRules.Manages(role));
}
