using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Server.Accounts;
using Parley.Server.Files;
using Parley.Server.Messaging;
using Parley.Server.Social.Friends;
using Parley.Server.Social.Groups;

namespace Parley.Server.Http;

/// <summary>Source-generated JSON for the API's types: no reflection at run time on these paths.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AuthResponse))]
[JsonSerializable(typeof(Calls.IceServersResponse))]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(VerificationCodeRequest))]
[JsonSerializable(typeof(VerificationCodeResponse))]
[JsonSerializable(typeof(PasswordResetRequest))]
[JsonSerializable(typeof(DeleteAccountRequest))]
[JsonSerializable(typeof(PasswordResetConfirmRequest))]
[JsonSerializable(typeof(UpdateProfileRequest))]
[JsonSerializable(typeof(OwnProfile))]
[JsonSerializable(typeof(UserProfile))]
[JsonSerializable(typeof(List<UserProfile>))]
[JsonSerializable(typeof(FriendRequestBody))]
[JsonSerializable(typeof(RemarkBody))]
[JsonSerializable(typeof(BlockBody))]
[JsonSerializable(typeof(FriendRequestView))]
[JsonSerializable(typeof(List<FriendRequestView>))]
[JsonSerializable(typeof(FriendView))]
[JsonSerializable(typeof(List<FriendView>))]
[JsonSerializable(typeof(BlockedUserView))]
[JsonSerializable(typeof(List<BlockedUserView>))]
[JsonSerializable(typeof(CreateGroupBody))]
[JsonSerializable(typeof(UpdateGroupBody))]
[JsonSerializable(typeof(InviteBody))]
[JsonSerializable(typeof(RoleBody))]
[JsonSerializable(typeof(MuteBody))]
[JsonSerializable(typeof(JoinRequestBody))]
[JsonSerializable(typeof(GroupView))]
[JsonSerializable(typeof(List<GroupView>))]
[JsonSerializable(typeof(GroupMemberView))]
[JsonSerializable(typeof(List<GroupMemberView>))]
[JsonSerializable(typeof(InviteResult))]
[JsonSerializable(typeof(JoinRequestView))]
[JsonSerializable(typeof(List<JoinRequestView>))]
[JsonSerializable(typeof(SendMessageBody))]
[JsonSerializable(typeof(MessageAck))]
[JsonSerializable(typeof(MessageView))]
[JsonSerializable(typeof(EditMessageBody))]
[JsonSerializable(typeof(ForwardRef))]
[JsonSerializable(typeof(MergedForwardRef))]
[JsonSerializable(typeof(List<MessageView>))]
[JsonSerializable(typeof(ReadBody))]
[JsonSerializable(typeof(ReadReceipt))]
[JsonSerializable(typeof(ConversationPage))]
[JsonSerializable(typeof(ConversationView))]
[JsonSerializable(typeof(UpdateConversationBody))]
[JsonSerializable(typeof(ReceiptsView))]
[JsonSerializable(typeof(FileView))]
internal sealed partial class ParleyJsonContext : JsonSerializerContext;
