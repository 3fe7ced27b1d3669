using System.Data.Common;

namespace Parley.Server.Storage;

/// <summary>Named parameters for the plain ADO.NET statements (the same code for SQLite's and Npgsql's commands).</summary>
internal static class StatementParameters
{
    /// <summary>Adds the parameter and returns it, for a statement run again with new values.</summary>
    public static DbParameter Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
