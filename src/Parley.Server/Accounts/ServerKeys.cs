using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>
/// The server's secret: the JWT signing key, from configuration or, when none is configured, made once and
/// kept under the data folder so that tokens survive a restart. Other keys (for hashing verification codes)
/// are derived from it, so there is one secret to rotate.
/// </summary>
public sealed partial class ServerKeys
{
    private const string KeyFileName = "jwt-signing.key";

    public ServerKeys(IOptions<JwtOptions> options, IConfiguration configuration, ILogger<ServerKeys> logger)
    {
        var configured = options.Value.SigningKey;
        byte[] key;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            key = Convert.FromBase64String(configured);
            if (key.Length < 32) throw new InvalidOperationException("Jwt:SigningKey must be the base64 of at least 32 bytes.");
        }
        else
        {
            key = LoadOrCreate(Path.Combine(StorageSetup.DataDirectory(configuration), KeyFileName), logger);
        }
        SigningKey = new SymmetricSecurityKey(key) { KeyId = Convert.ToHexString(SHA256.HashData(key))[..16] };
        CodeHashingKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: "parley verification codes"u8.ToArray());
    }

    public SymmetricSecurityKey SigningKey { get; }
    public byte[] CodeHashingKey { get; }

    private static byte[] LoadOrCreate(string path, ILogger logger)
    {
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(64);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
            writer.Write(Convert.ToBase64String(key));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process made it first; use theirs.
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        Log.SigningKeyCreated(logger, path);
        return key;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "No Jwt:SigningKey configured: created a signing key at {Path}. Configure one shared key when running several nodes.")]
        public static partial void SigningKeyCreated(ILogger logger, string path);
    }
}
