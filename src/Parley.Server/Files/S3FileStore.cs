using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Parley.Server.Files;

/// <summary><c>Files:S3</c>: an S3-compatible bucket for the bytes of uploads (docs/files.md#storage).</summary>
public sealed class S3Options
{
    /// <summary>The store's endpoint, e.g. <c>http://minio:9000</c>; empty keeps files in the local folder.</summary>
    public string? ServiceUrl { get; set; }

    public string? Bucket { get; set; }

    /// <summary>Bucket in the path (<c>host/bucket/key</c>), as MinIO, s3rver and most self-hosted stores need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Create the bucket at the first upload when it does not exist.</summary>
    public bool CreateBucket { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(ServiceUrl) && !string.IsNullOrWhiteSpace(Bucket);
}

/// <summary>
/// Uploads in an S3-compatible bucket, so that every node serves every file. Credentials and region come from
/// the standard AWS chain (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_REGION</c>, profiles).
/// Checksums only when the operation requires them and uploads without chunk signing: S3-compatible stores
/// (s3rver, older MinIO) reject or store the newer trailing checksums and chunk signatures.
/// </summary>
public sealed class S3FileStore : IFileStore, IDisposable
{
    private readonly AmazonS3Client _s3;
    private readonly string _bucket;
    private readonly FileStore _temp;
    private readonly Lazy<Task> _bucketReady;

    public S3FileStore(S3Options options, FileStore temp)
    {
        _bucket = options.Bucket!;
        _temp = temp;
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        _s3 = new AmazonS3Client(config);
        _bucketReady = new Lazy<Task>(() => options.CreateBucket ? EnsureBucketAsync() : Task.CompletedTask);
    }

    public IAmazonS3 Client => _s3;

    public string Description => $"S3 bucket {_bucket} at {_s3.Config.ServiceURL}";

    public (string Path, FileStream Stream) CreateTemp() => _temp.CreateTemp();

    public async Task SaveAsync(string tempPath, string storageName, string contentType, CancellationToken cancellationToken)
    {
        await _bucketReady.Value;
        await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket,
            Key = storageName,
            FilePath = tempPath,
            ContentType = contentType,
            UseChunkEncoding = false,
        }, cancellationToken);
        FileStore.TryDelete(tempPath);
    }

    public Stream? OpenRead(string storageName, long length) => new S3ObjectStream(_s3, _bucket, storageName, length);

    public async Task DeleteAsync(string storageName, CancellationToken cancellationToken) =>
        await _s3.DeleteObjectAsync(_bucket, storageName, cancellationToken);

    private async Task EnsureBucketAsync()
    {
        try
        {
            await _s3.PutBucketAsync(_bucket);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }
    }

    public void Dispose() => _s3.Dispose();
}

/// <summary>
/// An object read lazily from where the stream was positioned: ASP.NET Core's range handling seeks to the range's
/// start and reads its length, and this asks the store for exactly that (a ranged GET), so a range costs no more
/// than its bytes. Async reads only (the server never reads synchronously).
/// </summary>
internal sealed class S3ObjectStream(IAmazonS3 s3, string bucket, string key, long length) : Stream
{
    private GetObjectResponse? _response;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => length + offset };
        if (target != _position) Close(ref _response);
        return _position = target;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.Length == 0) return 0;
        _response ??= await s3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = key,
            ByteRange = _position == 0 ? null : new ByteRange(_position, length - 1),
        }, cancellationToken);
        var read = await _response.ResponseStream.ReadAsync(buffer, cancellationToken);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the object asynchronously.");
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close(ref _response);
        base.Dispose(disposing);
    }

    private static void Close(ref GetObjectResponse? response)
    {
        response?.Dispose();
        response = null;
    }
}
