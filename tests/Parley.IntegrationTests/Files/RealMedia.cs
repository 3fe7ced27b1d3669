using System.ComponentModel;
using System.Diagnostics;

namespace Parley.IntegrationTests.Files;

/// <summary>
/// Real media files, made at test time by ffmpeg and ImageMagick (Debian's <c>ffmpeg</c> and <c>imagemagick</c>
/// packages, which scripts/test.sh installs) into a temporary folder, so that what the server reads from headers is
/// checked against what real encoders write, not against bytes this code base builds. A class fixture: each file is
/// made on first use in a test class, and the folder is deleted after the class. A missing tool fails the test that
/// needs it, saying what to install: it is never skipped.
/// </summary>
public sealed class RealMedia : IDisposable
{
    /// <summary>The picture every image is made from: 320×240, a red disc on sky blue (small in every format).</summary>
    private static readonly string[] Picture = ["-size", "320x240", "xc:skyblue", "-fill", "red", "-draw", "circle 160,120 200,120"];

    /// <summary>2.5 seconds of a 440 Hz tone.</summary>
    private static readonly string[] Tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2.5"];

    /// <summary>1.5 seconds of 160×120 test pattern at 20 frames a second (30 whole frames).</summary>
    private static readonly string[] Clip = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=20:duration=1.5", "-pix_fmt", "yuv420p"];

    /// <summary>How each file is made: the tool, then its arguments without the output file, which comes last.</summary>
    private static readonly Dictionary<string, (string Tool, string[] Arguments)> Recipes = new()
    {
        ["picture.png"] = ("convert", Picture),
        ["picture.jpg"] = ("convert", Picture),
        ["picture.gif"] = ("convert", Picture),
        ["picture.webp"] = ("convert", [.. Picture, "-quality", "80"]), // lossy: a VP8 chunk
        ["lossless.webp"] = ("convert", [.. Picture, "-define", "webp:lossless=true"]), // a VP8L chunk
        ["transparent.webp"] = ("convert", ["-size", "320x240", "xc:none", "-fill", "red", "-draw", "circle 160,120 200,120"]), // VP8X, ALPH, VP8
        ["small.bmp"] = ("convert", ["-size", "80x60", "xc:skyblue"]), // uncompressed, so small enough for the test's image limit
        ["tone.opus"] = ("ffmpeg", [.. Tone, "-c:a", "libopus"]),
        ["tone.ogg"] = ("ffmpeg", [.. Tone, "-c:a", "libvorbis"]),
        ["tone.mp3"] = ("ffmpeg", [.. Tone, "-c:a", "libmp3lame"]),
        ["tone.wav"] = ("ffmpeg", [.. Tone, "-c:a", "pcm_s16le"]),
        ["tone.m4a"] = ("ffmpeg", [.. Tone, "-c:a", "aac"]),
        ["tone.webm"] = ("ffmpeg", [.. Tone, "-c:a", "libopus"]),
        ["tone.flac"] = ("ffmpeg", [.. Tone, "-c:a", "flac"]),
        ["tone.aac"] = ("ffmpeg", [.. Tone, "-c:a", "aac", "-f", "adts"]),
        ["clip.mp4"] = ("ffmpeg", [.. Clip, "-c:v", "libx264"]), // moov after mdat, ffmpeg's default
        ["faststart.mp4"] = ("ffmpeg", [.. Clip, "-c:v", "libx264", "-movflags", "+faststart"]), // moov first
        ["clip.mov"] = ("ffmpeg", [.. Clip, "-c:v", "libx264"]),
        ["clip.webm"] = ("ffmpeg", [.. Clip, "-c:v", "libvpx"]),
        ["clip.ogv"] = ("ffmpeg", [.. Clip, "-c:v", "libtheora"]),
        // 2 seconds of lossless video: about 1.2 MB, above the server's 1 MiB body limit for JSON.
        ["large.mp4"] = ("ffmpeg", ["-f", "lavfi", "-i", "testsrc2=size=640x480:rate=25:duration=2", "-pix_fmt", "yuv420p",
            "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast"]),
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("parley-media-").FullName;
    private readonly Lock _making = new();

    /// <summary>The bytes of a file named in the recipes, made on first use.</summary>
    public byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public string PathOf(string name)
    {
        if (!Recipes.TryGetValue(name, out var recipe)) throw new ArgumentOutOfRangeException(nameof(name), name, "No recipe for this file.");
        var path = Path.Combine(_folder, name);
        lock (_making)
        {
            if (!File.Exists(path)) Make(recipe.Tool, recipe.Arguments, path);
        }
        return path;
    }

    private static void Make(string tool, string[] arguments, string path)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (tool == "ffmpeg") foreach (var a in (string[])["-nostdin", "-hide_banner", "-loglevel", "error", "-y"]) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        var partial = path + ".part" + Path.GetExtension(path); // the tools choose the format by the extension
        start.ArgumentList.Add(partial);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{tool}' is not installed, and the media metadata tests need it to make real media files: " +
                "apt-get install -y ffmpeg imagemagick (scripts/test.sh does this).", e);
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{tool} did not make {Path.GetFileName(path)} within 120 s.");
            }
            if (process.ExitCode != 0 || !File.Exists(partial))
                throw new InvalidOperationException(
                    $"{tool} {string.Join(' ', start.ArgumentList)} failed (exit code {process.ExitCode}): {errors.Result}");
        }
        File.Move(partial, path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
