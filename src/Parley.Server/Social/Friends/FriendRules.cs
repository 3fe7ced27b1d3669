namespace Parley.Server.Social.Friends;

public static class FriendRules
{
    public const int MaxRemarkLength = 64;
    public const int MaxRequestMessageLength = 200;
}
