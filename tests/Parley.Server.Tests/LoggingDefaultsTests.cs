using Parley.Server.Operations;

namespace Parley.Server.Tests;

public sealed class LoggingDefaultsTests
{
    [Theory]
    [InlineData(null, true, true, true)]
    [InlineData(null, true, false, false)]
    [InlineData(null, false, true, false)]
    [InlineData("json", false, false, true)]
    [InlineData("JSON", true, false, true)]
    [InlineData("plain", true, true, false)]
    public void JsonLogsAreTheProductionDefaultWhenNobodyWatchesTheConsoleAndLoggingFormatDecidesWhenSet(
        string? format, bool production, bool redirected, bool json) =>
        Assert.Equal(json, LoggingDefaults.UseJson(format, production, redirected));
}
