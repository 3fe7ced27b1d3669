using Microsoft.Extensions.Options;
using Parley.Server.Http;

namespace Parley.Server.Messaging;

/// <summary>
/// The per-user message limit (<c>RateLimits:MessagesPerSecondPerUser</c>, <c>RateLimits:MessageBurstPerUser</c>):
/// one bucket per user, shared by HTTP and every socket of theirs, and by every node with Redis. On the send path:
/// on the fast path it is a lock and a subtraction, with no await (see <see cref="IRateBuckets"/>).
/// </summary>
public sealed class SendAllowance(IRateBuckets buckets, IOptions<RateLimitOptions> options)
{
    private readonly BucketRule _rule = options.Value.Messages();

    /// <summary>Takes one send of the user's allowance, or throws 429 <c>rate_limited</c>.</summary>
    public ValueTask TakeAsync(long senderId)
    {
        var taken = buckets.TryTakeAsync(_rule, senderId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!taken.IsCompletedSuccessfully) return WaitAsync(taken);
        if (!taken.Result) throw Refused();
        return ValueTask.CompletedTask;
    }

    private async ValueTask WaitAsync(ValueTask<bool> taken)
    {
        if (!await taken) throw Refused();
    }

    private ApiProblem Refused() =>
        ApiProblem.TooManyRequests("Too many messages from this user; slow down and send the rest again in a moment.", _rule.OneToken);
}
