using Parley.Server.Messaging;

namespace Parley.IntegrationTests.Conversations;

/// <summary>The one-line labels of the list preview and reply quotes, for the types the tests cannot yet send through the API.</summary>
public sealed class MessagePreviewTests
{
    [Theory]
    [InlineData(MessageType.Image, "\"\"", "{\"name\":\"cat.png\"}", "[image]")]
    [InlineData(MessageType.Voice, "\"\"", "{\"name\":\"a.ogg\"}", "[voice]")]
    [InlineData(MessageType.Video, "\"\"", "{\"name\":\"b.mp4\"}", "[video]")]
    [InlineData(MessageType.File, "\"\"", "{\"name\":\"report.pdf\"}", "[file] report.pdf")]
    [InlineData(MessageType.Emoji, "\"👍\"", null, "👍")]
    [InlineData(MessageType.Call, "{\"media\":\"video\",\"durationMs\":65000,\"endReason\":\"hangup\"}", null, "[video call] 1:05")]
    [InlineData(MessageType.Call, "{\"media\":\"audio\",\"durationMs\":0,\"endReason\":\"missed\"}", null, "[voice call]")]
    [InlineData(MessageType.System, "{\"text\":\"bob joined the group\"}", null, "bob joined the group")]
    [InlineData(MessageType.System, "\"group created\"", null, "group created")]
    [InlineData(MessageType.System, "{\"event\":\"x\"}", null, "[system]")]
    [InlineData(MessageType.System, "{\"event\":\"member.joined\",\"actorId\":\"1\",\"actorName\":\"Olive\",\"userIds\":[\"2\",\"3\"],\"userNames\":[\"Ann\",\"Ben\"],\"via\":\"invitation\"}", null, "Olive added Ann, Ben")]
    [InlineData(MessageType.System, "{\"event\":\"member.joined\",\"actorId\":\"2\",\"actorName\":\"Ben\",\"userIds\":[\"2\"],\"userNames\":[\"Ben\"],\"via\":\"request\"}", null, "Ben joined")]
    [InlineData(MessageType.System, "{\"event\":\"member.left\",\"actorId\":\"2\",\"actorName\":\"Ann\"}", null, "Ann left")]
    [InlineData(MessageType.System, "{\"event\":\"role.changed\",\"actorName\":\"Olive\",\"userNames\":[\"Ann\"],\"role\":\"admin\"}", null, "Olive made Ann an admin")]
    [InlineData(MessageType.System, "{\"event\":\"notice.changed\",\"actorName\":\"Olive\"}", null, "Olive cleared the notice")]
    [InlineData(MessageType.Text, "\"tab\\tand\\r\\nnewline\"", null, "tab and  newline")]
    public void EachTypeHasItsLabel(MessageType type, string content, string? file, string expected) =>
        Assert.Equal(expected, MessagePreview.Of(type, content, file, recalled: false));

    [Fact]
    public void ARecalledMessageSaysSoWhateverItWas() =>
        Assert.Equal("[recalled]", MessagePreview.Of(MessageType.Text, "\"secret\"", null, recalled: true));

    [Fact]
    public void CuttingNeverSplitsASurrogatePair()
    {
        var text = new string('a', 78) + "😀😀";
        var preview = MessagePreview.Shorten(text);
        Assert.Equal(new string('a', 78) + "…", preview);
    }
}
