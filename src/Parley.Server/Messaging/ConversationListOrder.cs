using System.Data.Common;
using Parley.Server.Storage;

namespace Parley.Server.Messaging;

/// <summary>
/// Where a page of the conversation list falls in its order (pinned first, then newest activity, then newest id), from
/// the member rows' sort key (<see cref="ConversationMember.ListActivityAt"/>), whatever the number of conversations:
/// the <c>count</c> rows with the newest keys (an index range over the user's own rows,
/// IX_ConversationMembers_UserId_List, with a primary-key lookup of each conversation), then, because a key may lag its
/// conversation's activity (by less than <see cref="ConversationMember.ListActivityLag"/>, never ahead of it), every row
/// of the last one's pinned class whose key is within that lag of the last one's, all sorted by the exact activity.
/// The page's rows are among those: the first rows are at least as active as the last one's key, so every row of the
/// page is too, and its key is less than the lag below its activity.
/// <para>It is the <c>page</c> of <see cref="ConversationRows"/>' statement (common table expressions), so that a page is
/// one statement: measured (docs/benchmarks.md, twelfth session), each statement of a list page cost about 0.9 ms on
/// this machine in EF Core's pipeline and the round trip, more than the database's own work here.</para>
/// </summary>
internal static class ConversationListOrder
{
    /// <summary>
    /// The common table expressions that end in <c>page</c> (the <c>"Id"</c>s of the next <paramref name="count"/> rows,
    /// after the row at <paramref name="after"/> if given); adds their parameters to <paramref name="command"/>, which
    /// must already have <c>@me</c> and <c>@group</c>.
    /// </summary>
    public static string PageExpressions(DbCommand command, bool sqlite, int count, (bool Pinned, DateTimeOffset Activity, long Id)? after)
    {
        StatementParameters.Add(command, "@count", count);
        StatementParameters.Add(command, "@lag", sqlite ? (long)ConversationMember.ListActivityLag.TotalMilliseconds : ConversationMember.ListActivityLag);

        // After a cursor: the exact condition on the activity; the same on the key (never later than the activity)
        // bounds the index range.
        var afterCondition = "";
        if (after is { } position)
        {
            StatementParameters.Add(command, "@at", sqlite ? position.Activity.ToUnixTimeMilliseconds() : position.Activity);
            StatementParameters.Add(command, "@id", position.Id);
            const string beyond = """m."ListActivityAt" <= @at AND (COALESCE(c."LastMessageAt", c."CreatedAt") < @at """ +
                """OR (COALESCE(c."LastMessageAt", c."CreatedAt") = @at AND c."Id" < @id))""";
            afterCondition = position.Pinned ? $"AND (NOT m.\"Pinned\" OR ({beyond}))" : $"AND NOT m.\"Pinned\" AND {beyond}";
        }

        return $"""
            listed AS NOT MATERIALIZED (
                SELECT c."Id", m."Pinned", m."ListActivityAt" AS "Key", COALESCE(c."LastMessageAt", c."CreatedAt") AS "Activity"
                FROM "ConversationMembers" AS m JOIN "Conversations" AS c ON c."Id" = m."ConversationId"
                WHERE m."UserId" = @me AND (m."HiddenAtSeq" IS NULL OR m."HiddenAtSeq" < c."LastSeq") AND (c."Kind" = @group OR c."LastSeq" > 0)
                  {afterCondition}),
            newest AS MATERIALIZED (SELECT "Id", "Pinned", "Key", "Activity" FROM listed ORDER BY "Pinned" DESC, "Key" DESC LIMIT @count),
            last AS (SELECT "Pinned", "Key" FROM newest ORDER BY "Pinned", "Key" LIMIT 1),
            page AS (
                SELECT "Id", "Pinned", "Activity" FROM newest
                UNION
                SELECT l."Id", l."Pinned", l."Activity" FROM listed AS l JOIN last ON l."Pinned" = last."Pinned" AND l."Key" > last."Key" - @lag
                WHERE (SELECT count(*) FROM newest) = @count
                ORDER BY "Pinned" DESC, "Activity" DESC, "Id" DESC
                LIMIT @count)
            """;
    }
}
