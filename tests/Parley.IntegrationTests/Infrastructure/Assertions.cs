using System.Net;
using Parley.Client;

namespace Parley.IntegrationTests.Infrastructure;

public static class Refused
{
    /// <summary>Asserts that the call was refused with this status and problem code, and returns the refusal.</summary>
    public static async Task<ParleyApiException> WithAsync(HttpStatusCode status, string code, Func<Task> call)
    {
        var refusal = await Assert.ThrowsAsync<ParleyApiException>(call);
        Assert.True(refusal.Status == status && refusal.Code == code,
            $"Expected {(int)status} {code} but got {(int)refusal.Status} {refusal.Code}: {refusal.Detail}");
        return refusal;
    }
}
