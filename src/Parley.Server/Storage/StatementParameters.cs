using System.Data.Common;

namespace Parley.Server.Storage;

/// <summary>Named parameters for the plain ADO.NET statements (the same code for SQLite's and Npgsql's commands).</summary>
internal static class StatementParameters
{
    public static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
