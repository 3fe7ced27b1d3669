using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ListActivityKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ConversationMembers_UserId_List",
                table: "ConversationMembers");

            migrationBuilder.AddColumn<long>(
                name: "ListActivityAt",
                table: "Conversations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ListActivityAt",
                table: "ConversationMembers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Every conversation's key is its activity now, and every member row holds its conversation's key.
            migrationBuilder.Sql("UPDATE \"Conversations\" SET \"ListActivityAt\" = COALESCE(\"LastMessageAt\", \"CreatedAt\")");
            migrationBuilder.Sql("UPDATE \"ConversationMembers\" SET \"ListActivityAt\" = (SELECT c.\"ListActivityAt\" FROM \"Conversations\" AS c WHERE c.\"Id\" = \"ConversationMembers\".\"ConversationId\")");

            migrationBuilder.CreateIndex(
                name: "IX_ConversationMembers_UserId_List",
                table: "ConversationMembers",
                columns: new[] { "UserId", "Pinned", "ListActivityAt", "ConversationId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ConversationMembers_UserId_List",
                table: "ConversationMembers");

            migrationBuilder.DropColumn(
                name: "ListActivityAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "ListActivityAt",
                table: "ConversationMembers");

            migrationBuilder.CreateIndex(
                name: "IX_ConversationMembers_UserId_List",
                table: "ConversationMembers",
                columns: new[] { "UserId", "Pinned", "HiddenAtSeq", "ConversationId" });
        }
    }
}
