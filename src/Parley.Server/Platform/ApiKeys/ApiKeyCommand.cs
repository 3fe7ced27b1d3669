using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Storage;

namespace Parley.Server.Platform.ApiKeys;

/// <summary>
/// <c>Parley.Server api-key create NAME | list | revoke NAME</c>: run on the server's host against its database, then
/// exits. A revoked key is deleted, and since every admin call looks its key up in the database (no cache), it stops
/// working at once on every node.
/// </summary>
public static partial class ApiKeyCommand
{
    public const string Verb = "api-key";

    /// <summary>The command's words when <paramref name="args"/> hold one (<c>api-key</c> and what follows it), else null.</summary>
    public static string[]? Find(string[] args)
    {
        var at = Array.IndexOf(args, Verb);
        return at < 0 ? null : args[at..].Where(a => !a.StartsWith('-')).ToArray();
    }

    /// <summary>Runs the command; the exit code (0 done, 1 refused, 2 usage).</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] words, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        await services.MigrateDatabaseAsync(cancellationToken);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        switch (words)
        {
            case [_, "create", var name]:
                if (!NameShape().IsMatch(name))
                {
                    await error.WriteLineAsync($"A key's name has 1 to {ApiKey.MaxNameLength} letters, digits, '_', '-' or '.'.");
                    return 2;
                }
                if (await db.ApiKeys.AnyAsync(k => k.Name == name, cancellationToken))
                {
                    await error.WriteLineAsync($"There is already a key named {name}; revoke it first or choose another name.");
                    return 1;
                }
                var secret = ApiKey.NewSecret();
                db.ApiKeys.Add(new ApiKey
                {
                    Id = scope.ServiceProvider.GetRequiredService<IdGenerator>().Next(),
                    Name = name,
                    KeyHash = ApiKey.Hash(secret),
                    Hint = secret[..9],
                    CreatedAt = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(),
                });
                await db.SaveChangesAsync(cancellationToken);
                // The only time the key is shown: only its hash is kept.
                await output.WriteLineAsync(secret);
                return 0;
            case [_, "list"]:
                foreach (var key in await db.ApiKeys.AsNoTracking().OrderBy(k => k.Name).ToListAsync(cancellationToken))
                    await output.WriteLineAsync($"{key.Name}\t{key.Hint}…\t{key.CreatedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
                return 0;
            case [_, "revoke", var name]:
                if (await db.ApiKeys.Where(k => k.Name == name).ExecuteDeleteAsync(cancellationToken) == 0)
                {
                    await error.WriteLineAsync($"There is no key named {name}.");
                    return 1;
                }
                await output.WriteLineAsync($"Revoked {name}.");
                return 0;
            default:
                await error.WriteLineAsync("Usage: Parley.Server api-key create NAME | api-key list | api-key revoke NAME");
                return 2;
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}$")]
    private static partial Regex NameShape();
}
