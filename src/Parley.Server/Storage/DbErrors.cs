using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Parley.Server.Storage;

/// <summary>Recognises database errors that the features turn into answers rather than failures.</summary>
public static class DbErrors
{
    /// <summary>True when an insert or update broke a unique index, on either provider.</summary>
    public static bool IsUniqueViolation(Exception exception) => (exception is DbUpdateException ? exception.InnerException : exception) switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };
}
