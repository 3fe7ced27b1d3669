namespace Parley.Server.Calls;

public enum CallState
{
    Ringing,
    Connected,
    Ended,
}

/// <summary>
/// One side of a call: the user, and the device that takes part for them (the caller's inviting device, the callee's
/// accepting one) with the node it is connected to, and the grace timer that runs while that device is away.
/// Read and written under <c>lock (call)</c>.
/// </summary>
internal sealed class Party(long userId)
{
    public long UserId { get; } = userId;

    /// <summary>The active device; 0 while there is none (the callee while ringing; any party while away).</summary>
    public long Device { get; private set; }

    /// <summary>Scaled out: the node of the active device when it is not this node's (null: this node).</summary>
    public string? Node { get; private set; }

    /// <summary>Runs while the active device is away (<see cref="CallsOptions.ReconnectGrace"/>); null otherwise.</summary>
    public ITimer? Grace { get; private set; }

    public bool HasDevice => Device != 0;

    /// <summary>The active device, if the party has one right now.</summary>
    public CallDevice? ActiveDevice => Device == 0 ? null : new CallDevice(UserId, Device, Node);

    public bool IsActive(CallDevice device) => Device != 0 && device.UserId == UserId && device.DeviceId == Device;

    /// <summary>The device becomes the party's active device; a running grace stops.</summary>
    public void TakeOver(CallDevice device)
    {
        StopGrace();
        Device = device.DeviceId;
        Node = device.Node;
    }

    /// <summary>The active device went away: none until one comes back, and the grace (made by the caller) runs meanwhile.</summary>
    public void Leave(ITimer grace)
    {
        Device = 0;
        Node = null;
        Grace = grace;
    }

    public void StopGrace()
    {
        Grace?.Dispose();
        Grace = null;
    }
}

/// <summary>One call in memory. Every field after construction is read and written under <c>lock (call)</c>.</summary>
internal sealed class LiveCall
{
    public required long Id { get; init; }
    public required long ConversationId { get; init; }
    public required Party Caller { get; init; }
    public required Party Callee { get; init; }
    public required string Media { get; init; }
    public required DateTimeOffset InvitedAt { get; init; }

    public CallState State { get; set; } = CallState.Ringing;
    public DateTimeOffset? AcceptedAt { get; set; }

    public ITimer? RingTimer { get; set; }

    /// <summary>Whether the parties were taken for this call (in Redis when scaled out), so that its end gives them back.</summary>
    public bool Claimed { get; set; }

    /// <summary>Whether the row in <c>ActiveCalls</c> was written (busy calls never get one). A call rings once it is.</summary>
    public bool Persisted { get; set; }

    public long CallerId => Caller.UserId;
    public long CalleeId => Callee.UserId;

    /// <summary>The user's side of the call; null when the user is not a party.</summary>
    public Party? PartyOf(long userId) => userId == Caller.UserId ? Caller : userId == Callee.UserId ? Callee : null;

    public Party Other(Party party) => party == Caller ? Callee : Caller;

    public void DisposeTimers()
    {
        RingTimer?.Dispose();
        RingTimer = null;
        Caller.StopGrace();
        Callee.StopGrace();
    }
}
