using Microsoft.EntityFrameworkCore;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// SQLite: the changes an edit, a recall or an expiry makes to a message's entry in the full-text index, inside the
/// caller's transaction. The index is an external-content FTS5 table, so an entry can only be dropped with the
/// text it was made from (read it in the same transaction). A message still in the search backlog has no entry
/// yet: both do nothing for it, and <see cref="SearchIndexer"/> indexes whatever text it holds when its turn comes.
/// </summary>
internal static class SearchIndexEntries
{
    public static async Task DropAsync(ParleyDb db, long messageId, string text, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "MessageSearch" ("MessageSearch", rowid, "SearchText")
            SELECT 'delete', {messageId}, {text}
            WHERE NOT EXISTS (SELECT 1 FROM "SearchBacklog" b WHERE b."FirstId" <= {messageId} AND b."LastId" >= {messageId})
            """, cancellationToken);

    public static async Task AddAsync(ParleyDb db, long messageId, string text, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "MessageSearch" (rowid, "SearchText")
            SELECT {messageId}, {text}
            WHERE NOT EXISTS (SELECT 1 FROM "SearchBacklog" b WHERE b."FirstId" <= {messageId} AND b."LastId" >= {messageId})
            """, cancellationToken);
}
