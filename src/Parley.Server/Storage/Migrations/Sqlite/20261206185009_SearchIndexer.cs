using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchIndexer : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The full-text index is now filled behind the committer (Messaging/SearchIndexer.cs); this is its
            // high-water mark. Everything stored so far was indexed in its commit. Not in the EF model: only raw SQL reads it.
            migrationBuilder.Sql("""
                CREATE TABLE "SearchIndexState" ("Id" INTEGER NOT NULL PRIMARY KEY CHECK ("Id" = 1), "IndexedThrough" INTEGER NOT NULL);
                """);
            migrationBuilder.Sql("""
                INSERT INTO "SearchIndexState" ("Id", "IndexedThrough") SELECT 1, COALESCE(MAX("Id"), 0) FROM "Messages";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back to indexing in the commit: what was not indexed yet is indexed now.
            migrationBuilder.Sql("""
                INSERT INTO "MessageSearch" (rowid, "SearchText")
                SELECT "Id", "SearchText" FROM "Messages"
                WHERE "Id" > (SELECT "IndexedThrough" FROM "SearchIndexState") AND "SearchText" IS NOT NULL;
                """);
            migrationBuilder.Sql("""DROP TABLE "SearchIndexState";""");
        }
    }
}
