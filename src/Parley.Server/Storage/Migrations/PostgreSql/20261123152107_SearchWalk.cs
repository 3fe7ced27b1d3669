using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class SearchWalk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Search text is now stored case-folded (MessageSearcher.Fold) and matched with LIKE.
            migrationBuilder.Sql("""
                UPDATE "Messages" SET "SearchText" = lower("SearchText")
                WHERE "SearchText" IS NOT NULL AND "SearchText" <> lower("SearchText");
                """);
            // Index-only scans need the visibility map; a message table only grows, so vacuum it after every 2%
            // of new rows rather than PostgreSQL's default 20%.
            migrationBuilder.Sql("""ALTER TABLE "Messages" SET (autovacuum_vacuum_insert_scale_factor = 0.02);""");

            migrationBuilder.DropIndex(
                name: "IX_Messages_ConversationId_Seq",
                table: "Messages");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_ConversationId_Seq",
                table: "Messages",
                columns: new[] { "ConversationId", "Seq" },
                unique: true)
                .Annotation("Npgsql:IndexInclude", new[] { "SearchText" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "Messages" RESET (autovacuum_vacuum_insert_scale_factor);""");
            migrationBuilder.DropIndex(
                name: "IX_Messages_ConversationId_Seq",
                table: "Messages");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_ConversationId_Seq",
                table: "Messages",
                columns: new[] { "ConversationId", "Seq" },
                unique: true);
        }
    }
}
