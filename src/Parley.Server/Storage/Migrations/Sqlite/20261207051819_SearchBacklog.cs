using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchBacklog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The message ids of committed batches whose text is not in the search index yet (first, last, and how many
            // messages with text the range holds): the committer adds one row per batch, the search indexer (Messaging/SearchIndexer) indexes them and deletes the row in one
            // transaction, and search reads these ranges' messages directly. Every message stored before this
            // migration was indexed in its commit, so the backlog starts empty.
            migrationBuilder.Sql("""
                CREATE TABLE "SearchBacklog" ("FirstId" INTEGER NOT NULL CONSTRAINT "PK_SearchBacklog" PRIMARY KEY, "LastId" INTEGER NOT NULL, "Messages" INTEGER NOT NULL);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Index what is left, as the commit used to, before the backlog goes.
            migrationBuilder.Sql("""
                INSERT INTO "MessageSearch" (rowid, "SearchText")
                SELECT m."Id", m."SearchText" FROM "SearchBacklog" b CROSS JOIN "Messages" m ON m."Id" BETWEEN b."FirstId" AND b."LastId"
                WHERE m."SearchText" IS NOT NULL;
                """);
            migrationBuilder.Sql("""DROP TABLE "SearchBacklog";""");
        }
    }
}
