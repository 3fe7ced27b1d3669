using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class SweptSeq : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "SweptSeq",
                table: "Conversations",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Conversations that already have holes (fewer stored rows than seqs): the list counts their rows above
            // any read pointer below their last seq, as before; the rest take the seqs.
            migrationBuilder.Sql(
                "UPDATE \"Conversations\" SET \"SweptSeq\" = \"LastSeq\" " +
                "WHERE \"LastSeq\" > (SELECT count(*) FROM \"Messages\" AS m WHERE m.\"ConversationId\" = \"Conversations\".\"Id\")");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SweptSeq",
                table: "Conversations");
        }
    }
}
