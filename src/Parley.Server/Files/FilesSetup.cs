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
        return builder;
    }
}
