using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations.PostgreSql
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

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ListActivityAt",
                table: "Conversations",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ListActivityAt",
                table: "ConversationMembers",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            // Every conversation's key is its activity now, and every member row holds its conversation's key.
            migrationBuilder.Sql("UPDATE \"Conversations\" SET \"ListActivityAt\" = COALESCE(\"LastMessageAt\", \"CreatedAt\")");
            migrationBuilder.Sql("UPDATE \"ConversationMembers\" AS m SET \"ListActivityAt\" = c.\"ListActivityAt\" FROM \"Conversations\" AS c WHERE c.\"Id\" = m.\"ConversationId\"");
            // No default from here on: a row inserted without its key would sort as the oldest; better refused.
            migrationBuilder.Sql("ALTER TABLE \"Conversations\" ALTER COLUMN \"ListActivityAt\" DROP DEFAULT");
            migrationBuilder.Sql("ALTER TABLE \"ConversationMembers\" ALTER COLUMN \"ListActivityAt\" DROP DEFAULT");

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
