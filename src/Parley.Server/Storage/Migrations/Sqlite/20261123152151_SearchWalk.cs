using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchWalk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Search text is now stored case-folded (MessageSearcher.Fold). SQLite's lower() folds ASCII only;
            // the FTS5 index is external-content, so it is rebuilt from the folded column.
            migrationBuilder.Sql("""
                UPDATE "Messages" SET "SearchText" = lower("SearchText")
                WHERE "SearchText" IS NOT NULL AND "SearchText" <> lower("SearchText");
                """);
            migrationBuilder.Sql("""INSERT INTO "MessageSearch" ("MessageSearch") VALUES ('rebuild');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Folded text stays folded: search keeps working on it.
        }
    }
}
