using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Parley.Server.Storage;

// Used only by `dotnet ef migrations add`, which needs a context of each provider without running the server.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteParleyDb>
{
    public SqliteParleyDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteParleyDb>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresParleyDb>
{
    public PostgresParleyDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresParleyDb>().UseNpgsql("Host=localhost;Database=parley_design").Options);
}
