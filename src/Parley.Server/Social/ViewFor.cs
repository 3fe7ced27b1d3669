namespace Parley.Server.Social;

/// <summary>
/// A view as some recipients see it, in an event whose view depends on who reads it (their own role in a group,
/// their remark for a friend): one per distinct view, so a subscriber encodes each once.
/// </summary>
public sealed record ViewFor<TView>(IReadOnlyList<long> Recipients, TView View);
