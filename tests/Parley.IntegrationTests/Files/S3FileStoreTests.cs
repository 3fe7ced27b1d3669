using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Files;

namespace Parley.IntegrationTests.Files;

/// <summary>
/// The files fixture with uploads in an S3-compatible store: the local s3rver that scripts/test.sh starts
/// (PARLEY_TEST_S3), a bucket of its own per fixture. Without PARLEY_TEST_S3 these tests fail: they are never skipped.
/// </summary>
public sealed class S3FilesFixture : FilesFixture
{
    public static string ServiceUrl => Environment.GetEnvironmentVariable("PARLEY_TEST_S3")
        ?? throw new InvalidOperationException("PARLEY_TEST_S3 is not set: start the test services with scripts/test.sh (it starts s3rver).");

    public string Bucket { get; } = $"parley-test-{Guid.NewGuid():N}"[..40];

    protected override void AddSettings(IDictionary<string, string?> settings)
    {
        // s3rver takes any credentials that are set; the SDK reads them from the environment, as in production.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? "S3RVER");
        settings["Files:S3:ServiceUrl"] = ServiceUrl;
        settings["Files:S3:Bucket"] = Bucket;
        settings["Files:S3:ForcePathStyle"] = "true";
    }
}

/// <summary>Every attachment test (download rights, ranges, tokens in the query) again, with the bytes in S3.</summary>
public sealed class S3AttachmentMessageTests(S3FilesFixture fixture, RealMedia media)
    : AttachmentMessageTests(fixture, media), IClassFixture<S3FilesFixture>
{
    [Fact]
    public async Task TheBytesAreInTheBucketNotTheLocalFolderAndGoWhenTheSweeperDeletesThem()
    {
        var server = fixture.Server;
        using var alice = await server.NewUserAsync("alice");
        var uploaded = await alice.UploadFileAsync(new MemoryStream(Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray()), "data.bin");

        var store = Assert.IsType<S3FileStore>(server.Services.GetRequiredService<IFileStore>());
        var key = FileStore.StorageNameFor(long.Parse(uploaded.FileId, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(5000, (await store.Client.GetObjectMetadataAsync(fixture.Bucket, key)).ContentLength);
        // Only the temporary folder may exist locally, and it is empty.
        var local = Directory.Exists(fixture.FilesRoot) ? Directory.GetFiles(fixture.FilesRoot, "*", SearchOption.AllDirectories) : [];
        Assert.Empty(local);

        await store.DeleteAsync(key, CancellationToken.None);
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => store.Client.GetObjectMetadataAsync(fixture.Bucket, key));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }
}
