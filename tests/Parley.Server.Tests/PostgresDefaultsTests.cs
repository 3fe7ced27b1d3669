using Npgsql;
using Parley.Server.Storage;

namespace Parley.Server.Tests;

public sealed class PostgresDefaultsTests
{
    [Fact]
    public void EachNodeOpensAtMostThirtyConnectionsUnlessTheConnectionStringSaysOtherwise()
    {
        var defaults = new NpgsqlConnectionStringBuilder(StorageSetup.WithPostgresDefaults("Host=db;Username=parley;Database=parley"));
        Assert.Equal(30, defaults.MaxPoolSize);
        Assert.True(defaults.NoResetOnClose);
        Assert.Equal(64, defaults.MaxAutoPrepare);

        foreach (var spelling in new[] { "Maximum Pool Size", "MaxPoolSize" })
        {
            var given = new NpgsqlConnectionStringBuilder(StorageSetup.WithPostgresDefaults($"Host=db;Database=parley;{spelling}=7;No Reset On Close=false"));
            Assert.Equal(7, given.MaxPoolSize);
            Assert.False(given.NoResetOnClose);
        }
    }
}
