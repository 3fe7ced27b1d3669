using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchIndexWithoutPositions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The search index keeps only which messages hold each trigram (detail=none), not where, and no
            // per-message sizes (columnsize=0, used only by ranking, which search does not do). Positions were
            // most of the index's size and of the committer's cost of writing it (docs/benchmarks.md); a query
            // now asks for messages holding all of its trigrams and checks the substring itself
            // (MessageSearcher). Rebuilt from Messages.SearchText: the table is external-content.
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "MessageSearch";""");
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "MessageSearch" USING fts5("SearchText", content='Messages', content_rowid='Id', tokenize='trigram', detail=none, columnsize=0);
                """);
            migrationBuilder.Sql("""INSERT INTO "MessageSearch" ("MessageSearch") VALUES ('rebuild');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "MessageSearch";""");
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "MessageSearch" USING fts5("SearchText", content='Messages', content_rowid='Id', tokenize='trigram');
                """);
            migrationBuilder.Sql("""INSERT INTO "MessageSearch" ("MessageSearch") VALUES ('rebuild');""");
        }
    }
}
