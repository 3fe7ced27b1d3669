namespace Parley.Server.Calls;

/// <summary>Configuration section <c>Calls</c>: timeouts, limits and the ICE servers handed to clients (docs/calls.md).</summary>
public sealed class CallsOptions
{
    public const string Section = "Calls";

    /// <summary>How long a call rings before it ends as <c>no_answer</c>.</summary>
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How long a party's active device may be gone (a network blip, a page reload) before the call ends as <c>dropped</c>.</summary>
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Invites one user may start per minute; more get <c>rate_limited</c>.</summary>
    public int InvitesPerMinute { get; set; } = 10;

    /// <summary>Largest <c>sdp</c> of a <c>call.signal</c>, in bytes of its JSON.</summary>
    public int MaxSdpBytes { get; set; } = 16 * 1024;

    /// <summary>Largest <c>candidate</c> of a <c>call.signal</c>, in bytes of its JSON.</summary>
    public int MaxCandidateBytes { get; set; } = 2 * 1024;

    /// <summary>STUN (or static TURN) urls handed to every client, e.g. <c>stun:stun.example.org:3478</c>. None by default.</summary>
    public List<string>? IceServers { get; set; }

    /// <summary>TURN urls that get short-lived credentials (coturn's REST-API scheme) when <see cref="TurnSecret"/> is set.</summary>
    public List<string>? TurnUrls { get; set; }

    /// <summary>The secret shared with the TURN server (coturn <c>static-auth-secret</c>). Never logged.</summary>
    public string? TurnSecret { get; set; }

    /// <summary>How long a TURN credential stays valid.</summary>
    public TimeSpan TurnTtl { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// The clock of calls (ring timeouts, reconnect grace, durations), apart from the server's
/// <see cref="TimeProvider"/> so that a test can drive calls with a fake clock and leave tokens and rate limits alone.
/// </summary>
public sealed class CallClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
