using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>An ordered set of named figures: printed as a table for people and as one JSON object for tools.</summary>
public sealed class Figures
{
    private readonly List<(string Key, string Label, object? Value, string Unit)> _rows = [];

    public IReadOnlyList<(string Key, string Label, object? Value, string Unit)> Rows => _rows;

    public Figures Add(string key, string label, object? value, string unit = "")
    {
        _rows.Add((key, label, value, unit));
        return this;
    }

    public object? this[string key] => _rows.FirstOrDefault(r => r.Key == key).Value;

    public void WriteTable(TextWriter output, string title)
    {
        output.WriteLine();
        output.WriteLine(title);
        output.WriteLine(new string('-', title.Length));
        var width = _rows.Where(r => r.Value is not Figures and not IEnumerable<Figures>).Select(r => r.Label.Length).DefaultIfEmpty(10).Max();
        foreach (var (_, label, value, unit) in _rows)
        {
            if (value is Figures or IEnumerable<Figures>) continue;
            output.WriteLine($"  {label.PadRight(width)}  {Format(value)}{(unit.Length > 0 && value is not null ? " " + unit : "")}");
        }
    }

    public static string Format(object? value) => value switch
    {
        null => "n/a",
        double d when double.IsNaN(d) || double.IsInfinity(d) => "n/a",
        double d when Math.Abs(d) >= 1000 => d.ToString("N0", CultureInfo.InvariantCulture),
        double d when Math.Abs(d) >= 10 => d.ToString("N1", CultureInfo.InvariantCulture),
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        long l => l.ToString("N0", CultureInfo.InvariantCulture),
        int i => i.ToString("N0", CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        IDictionary<string, int> codes => codes.Count == 0 ? "none" : string.Join(", ", codes.Select(c => $"{c.Key} x{c.Value}")),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var (key, _, value, _) in _rows)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value);
        }
        writer.WriteEndObject();
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        // Readable output for people and tools alike ("+", non-ASCII as they are); it is printed, never put in HTML.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })) WriteJson(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case double d when double.IsNaN(d) || double.IsInfinity(d):
                writer.WriteNullValue();
                break;
            case double d:
                writer.WriteNumberValue(Math.Round(d, 3));
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case Figures f:
                f.WriteJson(writer);
                break;
            case IEnumerable<Figures> list:
                writer.WriteStartArray();
                foreach (var f in list) f.WriteJson(writer);
                writer.WriteEndArray();
                break;
            case IDictionary<string, int> codes:
                writer.WriteStartObject();
                foreach (var (code, count) in codes) writer.WriteNumber(code, count);
                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
