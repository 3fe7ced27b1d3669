using System.Text;
using Parley.Server.ScaleOut;
using Parley.Server.ScaleOut.Redis;

namespace Parley.Server.Tests;

/// <summary>The bytes nodes send each other (ScaleOut/Redis/Envelopes.cs): what is written is read back as it was, and anything else is refused whole.</summary>
public sealed class EnvelopesTests
{
    private static readonly byte[] Frame = Encoding.UTF8.GetBytes("{\"type\":\"msg.new\",\"data\":{\"text\":\"a b\\nc, d\"}}");

    [Fact]
    public void EveryKindOfRecordComesBackAsItWasWritten()
    {
        var envelope = Concat(
            Envelopes.Frames(42, [7, 8, long.MaxValue], Frame),
            Envelopes.Change("social.user", 9),
            Envelopes.DeviceFrame(7, 1234567890123, Frame),
            Envelopes.CallFrame("a1b2c3d4e5f60718", 8, 55, Frame),
            Envelopes.DeviceGone("node_B-2", 8, 55));

        var records = Envelopes.Read(envelope);

        Assert.Equal(5, records.Count);
        var frames = Assert.IsType<FramesRecord>(records[0]);
        Assert.Equal(42, frames.Except);
        Assert.Equal([7L, 8L, long.MaxValue], frames.Users);
        Assert.Equal(Frame, frames.Frame.ToArray());
        Assert.Equal(new ChangeRecord("social.user", 9), records[1]);
        var device = Assert.IsType<DeviceFrameRecord>(records[2]);
        Assert.Equal((7L, 1234567890123L), (device.UserId, device.DeviceId));
        Assert.Equal(Frame, device.Frame.ToArray());
        var call = Assert.IsType<CallFrameRecord>(records[3]);
        Assert.Equal(("a1b2c3d4e5f60718", 8L, 55L), (call.Node, call.UserId, call.DeviceId));
        Assert.Equal(Frame, call.Frame.ToArray());
        Assert.Equal(new DeviceGoneRecord("node_B-2", 8, 55), records[4]);
    }

    [Fact]
    public void FramesAreSlicesOfTheEnvelopeNotCopies()
    {
        var envelope = Envelopes.DeviceFrame(1, 2, Frame);
        var record = Assert.IsType<DeviceFrameRecord>(Assert.Single(Envelopes.Read(envelope)));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(record.Frame, out var segment));
        Assert.Same(envelope, segment.Array);
    }

    [Fact]
    public void EdgeCasesRoundTrip()
    {
        // An empty frame, no device to skip, one user, the largest id, a frame that looks like records itself.
        var lookalike = Encoding.ASCII.GetBytes("F1 2 3\nxyzC a 1\n");
        var envelope = Concat(
            Envelopes.Frames(0, [1], []),
            Envelopes.Frames(0, [long.MaxValue], lookalike),
            Envelopes.Change(new string('a', ChangeTopics.MaxLength), 0),
            Envelopes.DeviceGone(new string('Z', Envelopes.MaxNodeLength), 0, 0));

        var records = Envelopes.Read(envelope);

        Assert.Equal(4, records.Count);
        var empty = Assert.IsType<FramesRecord>(records[0]);
        Assert.Equal((0L, 0), (empty.Except, empty.Frame.Length));
        var looks = Assert.IsType<FramesRecord>(records[1]);
        Assert.Equal(lookalike, looks.Frame.ToArray());
        Assert.Equal([long.MaxValue], looks.Users);
        Assert.Equal(ChangeTopics.MaxLength, Assert.IsType<ChangeRecord>(records[2]).Topic.Length);
        Assert.Equal(Envelopes.MaxNodeLength, Assert.IsType<DeviceGoneRecord>(records[3]).Node.Length);
    }

    [Fact]
    public void TheScriptsFormatIsTheCodecs()
    {
        // What the Publish script concatenates for a frame: 'F' .. except .. ' ' .. users .. ' ' .. #frame .. '\n' .. frame.
        var script = Encoding.UTF8.GetBytes("F5 10,11 ").Concat(Encoding.ASCII.GetBytes($"{Frame.Length}\n")).Concat(Frame).ToArray();
        Assert.Equal(Envelopes.Frames(5, [10, 11], Frame), script);
    }

    [Theory]
    [InlineData("")]
    [InlineData("X1 2\n")] // unknown kind
    [InlineData("F1 2 3\nab")] // frame shorter than its length
    [InlineData("F1 2 99999999999\nab")] // length far past the end
    [InlineData("F1 2 2\nabF")] // a truncated second record
    [InlineData("F1 2 2\nab\n")] // trailing byte
    [InlineData("F-1 2 2\nab")] // a sign
    [InlineData("F+1 2 2\nab")]
    [InlineData("F 1 2 2\nab")] // an empty number
    [InlineData("F1  2 2\nab")] // two spaces
    [InlineData("F1 2, 2\nab")] // an empty user
    [InlineData("F1 ,2 2\nab")]
    [InlineData("F1 2,,3 2\nab")]
    [InlineData("F1 2;3 2\nab")] // a wrong separator
    [InlineData("F1 2 2ab")] // no newline
    [InlineData("F1 2 0")] // no newline at the very end
    [InlineData("F1 9223372036854775808 0\n")] // past long.MaxValue
    [InlineData("F1 00000000000000000001 0\n")] // 20 digits
    [InlineData("F1")]
    [InlineData("Csocial.user 1")] // no newline
    [InlineData("CSocial.User 1\n")] // a topic in capitals
    [InlineData("C 1\n")] // no topic
    [InlineData("Csocial user 1\n")] // a space in the topic
    [InlineData("Csocial.user 1x\n")]
    [InlineData("D1 2\nab")] // no length
    [InlineData("Rnode 1 2\nab")] // no length
    [InlineData("Rno/de 1 2 2\nab")] // a node with a bad character
    [InlineData("R 1 2 2\nab")] // no node
    [InlineData("Gnode 1\n")] // no device
    [InlineData("Gnode 1 2 3\n")] // one number too many
    public void MalformedEnvelopesAreRefusedWhole(string envelope)
    {
        Assert.Throws<FormatException>(() => Envelopes.Read(Encoding.ASCII.GetBytes(envelope)));
    }

    [Fact]
    public void AGoodRecordBeforeABadOneIsNotDelivered()
    {
        var envelope = Concat(Envelopes.Change("session.revoked", 3), Encoding.ASCII.GetBytes("C?? 4\n"));
        Assert.Throws<FormatException>(() => Envelopes.Read(envelope));
    }

    [Fact]
    public void TheWriterRefusesWhatItCouldNotReadBack()
    {
        Assert.Throws<ArgumentException>(() => Envelopes.Frames(0, [], Frame));
        Assert.Throws<ArgumentOutOfRangeException>(() => Envelopes.Frames(-1, [1], Frame));
        Assert.Throws<ArgumentOutOfRangeException>(() => Envelopes.DeviceFrame(1, -2, Frame));
        Assert.Throws<ArgumentException>(() => Envelopes.Change("Social", 1));
        Assert.Throws<ArgumentException>(() => Envelopes.Change(new string('a', ChangeTopics.MaxLength + 1), 1));
        Assert.Throws<ArgumentException>(() => Envelopes.CallFrame("a b", 1, 2, Frame));
        Assert.Throws<ArgumentException>(() => Envelopes.DeviceGone("", 1, 2));
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
