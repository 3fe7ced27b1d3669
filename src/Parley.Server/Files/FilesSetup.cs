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
        builder.Services.AddScoped<FileUploads>();
        builder.Services.AddScoped<AttachmentAccess>();
        // Tests put a FilesClock with a FakeTimeProvider here (registered after this one, it wins).
        builder.Services.TryAddSingleton(sp => new FilesClock(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<FileSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FileSweeper>());
        return builder;
    }

    /// <summary>Where uploads go, for the start-up summary.</summary>
    public static string Describe(IConfiguration configuration) =>
        FilesOptions.ResolveRoot(configuration.GetSection(FilesOptions.Section).Get<FilesOptions>() ?? new FilesOptions(), configuration);
}
