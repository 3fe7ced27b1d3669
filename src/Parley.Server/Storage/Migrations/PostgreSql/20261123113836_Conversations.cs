using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Conversations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "FileId",
                table: "Messages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Mentions",
                table: "Messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReplyTo",
                table: "Messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SearchText",
                table: "Messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MentionAllSeq",
                table: "Conversations",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ClearedSeq",
                table: "ConversationMembers",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "HiddenAtSeq",
                table: "ConversationMembers",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MentionSeq",
                table: "ConversationMembers",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<bool>(
                name: "Muted",
                table: "ConversationMembers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Pinned",
                table: "ConversationMembers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "Files",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    OwnerId = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    ContentType = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Width = table.Column<int>(type: "integer", nullable: true),
                    Height = table.Column<int>(type: "integer", nullable: true),
                    DurationMs = table.Column<long>(type: "bigint", nullable: true),
                    StorageName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Files", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Files_Users_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MessageDeletions",
                columns: table => new
                {
                    UserId = table.Column<long>(type: "bigint", nullable: false),
                    ConversationId = table.Column<long>(type: "bigint", nullable: false),
                    Seq = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MessageDeletions", x => new { x.UserId, x.ConversationId, x.Seq });
                    table.ForeignKey(
                        name: "FK_MessageDeletions_Conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalTable: "Conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_MessageDeletions_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Messages_FileId",
                table: "Messages",
                column: "FileId",
                filter: "\"FileId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Files_OwnerId",
                table: "Files",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_MessageDeletions_ConversationId",
                table: "MessageDeletions",
                column: "ConversationId");

            // Groups made before this migration get their conversation and one list row per current member.
            migrationBuilder.Sql("""
                INSERT INTO "Conversations" ("Id", "Kind", "DirectKey", "LastSeq", "CreatedAt", "LastMessageAt", "MentionAllSeq")
                SELECT g."Id", 1, NULL, 0, g."CreatedAt", g."CreatedAt", 0 FROM "Groups" g
                WHERE g."DissolvedAt" IS NULL AND NOT EXISTS (SELECT 1 FROM "Conversations" c WHERE c."Id" = g."Id");
                """);
            migrationBuilder.Sql("""
                INSERT INTO "ConversationMembers" ("ConversationId", "UserId", "ReadSeq", "Pinned", "Muted", "HiddenAtSeq", "ClearedSeq", "MentionSeq")
                SELECT m."GroupId", m."UserId", 0, FALSE, FALSE, NULL, 0, 0 FROM "GroupMembers" m
                WHERE EXISTS (SELECT 1 FROM "Conversations" c WHERE c."Id" = m."GroupId")
                  AND NOT EXISTS (SELECT 1 FROM "ConversationMembers" x WHERE x."ConversationId" = m."GroupId" AND x."UserId" = m."UserId");
                """);
            migrationBuilder.Sql("""
                DELETE FROM "ConversationMembers"
                WHERE "ConversationId" IN (SELECT "Id" FROM "Conversations" WHERE "Kind" = 1)
                  AND NOT EXISTS (SELECT 1 FROM "GroupMembers" m WHERE m."GroupId" = "ConversationMembers"."ConversationId" AND m."UserId" = "ConversationMembers"."UserId");
                """);

            // Full-text search over text messages: a trigram index, so that substrings match in any script, Chinese
            // included (PostgreSQL's word-based full-text search cannot split Chinese into words).
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("""
                CREATE INDEX "IX_Messages_SearchText_Trigram" ON "Messages" USING gin ("SearchText" gin_trgm_ops) WHERE "SearchText" IS NOT NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_Messages_SearchText_Trigram\";");
            migrationBuilder.DropTable(
                name: "Files");

            migrationBuilder.DropTable(
                name: "MessageDeletions");

            migrationBuilder.DropIndex(
                name: "IX_Messages_FileId",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "FileId",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "Mentions",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "ReplyTo",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "SearchText",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "MentionAllSeq",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "ClearedSeq",
                table: "ConversationMembers");

            migrationBuilder.DropColumn(
                name: "HiddenAtSeq",
                table: "ConversationMembers");

            migrationBuilder.DropColumn(
                name: "MentionSeq",
                table: "ConversationMembers");

            migrationBuilder.DropColumn(
                name: "Muted",
                table: "ConversationMembers");

            migrationBuilder.DropColumn(
                name: "Pinned",
                table: "ConversationMembers");
        }
    }
}
