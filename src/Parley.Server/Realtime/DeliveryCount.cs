namespace Parley.Server.Realtime;

/// <summary>Which fan-outs count as message deliveries: msg.new frames, told by their first bytes (Frames writes type first).</summary>
internal static class DeliveryCount
{
    private static ReadOnlySpan<byte> NewMessagePrefix => "{\"type\":\"msg.new\""u8;

    public static bool IsNewMessage(ReadOnlySpan<byte> frame) => frame.StartsWith(NewMessagePrefix);
}
