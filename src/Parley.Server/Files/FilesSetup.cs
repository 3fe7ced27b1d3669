using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Parley.Server.Files;

public static class FilesSetup
{
    public static WebApplicationBuilder AddFiles(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<FilesOptions>(builder.Configuration.GetSection(FilesOptions.Section));
        builder.Services.AddSingleton(sp => new FileStore(
            FilesOptions.ResolveRoot(sp.GetRequiredService<IOptions<FilesOptions>>().Value, builder.Configuration)));
        // With Files:S3 the bytes go to the bucket; the local folder keeps only uploads being received (tmp/).
        var s3 = S3Settings(builder.Configuration);
        if (s3.Enabled) builder.Services.AddSingleton<IFileStore>(sp => new S3FileStore(s3, sp.GetRequiredService<FileStore>()));
        else builder.Services.AddSingleton<IFileStore>(sp => sp.GetRequiredService<FileStore>());
        builder.Services.AddScoped<FileUploads>();
        builder.Services.AddScoped<AttachmentAccess>();
        // Tests put a FilesClock with a FakeTimeProvider here (registered after this one, it wins).
        builder.Services.TryAddSingleton(sp => new FilesClock(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<FileSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FileSweeper>());
        return builder;
    }

    /// <summary>Where uploads go, for the start-up summary.</summary>
    public static string Describe(IConfiguration configuration)
    {
        var s3 = S3Settings(configuration);
        return s3.Enabled
            ? $"S3 bucket {s3.Bucket} at {s3.ServiceUrl}"
            : FilesOptions.ResolveRoot(configuration.GetSection(FilesOptions.Section).Get<FilesOptions>() ?? new FilesOptions(), configuration);
    }

    private static S3Options S3Settings(IConfiguration configuration) =>
        configuration.GetSection($"{FilesOptions.Section}:S3").Get<S3Options>() ?? new S3Options();
}
