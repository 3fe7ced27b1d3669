using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>
/// The read side at scale: one user with <see cref="BenchOptions.Conversations"/> conversations holding
/// <see cref="BenchOptions.Messages"/> messages, seeded through the product's own API (REST for accounts and
/// groups, pipelined <c>msg.send</c> for messages, so the search index and read pointers are filled the way
/// production fills them). Then, one request at a time (closed loop, so each figure is the server's own
/// latency, not queueing), it times what a client does on opening the app: the conversation list (first and
/// deep pages), a history page, a per-conversation sync, and search within one conversation and across all.
/// </summary>
public static class HistoryScenario
{
    private const int DeepConversations = 10;
    private const int SendWindow = 256;

    public static async Task<(string Title, Figures Figures)> RunAsync(ServerHost server, BenchOptions o, CancellationToken ct)
    {
        using var setup = new Setup(server, o);
        var friendCount = Math.Min(o.Friends, o.Conversations);
        var users = await setup.RegisterAsync(friendCount + 1, ct);
        var me = users[0];
        var friends = users[1..];
        await setup.MakeFriendsAsync(friends.Select(f => (f, me)).ToList(), ct);

        // Conversations: one direct conversation per friend, the rest groups of me and one friend.
        var started = Stopwatch.GetTimestamp();
        var groupCount = o.Conversations - friendCount;
        var groupIds = new string[groupCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, groupCount),
            new ParallelOptions { MaxDegreeOfParallelism = o.SetupConcurrency, CancellationToken = ct },
            async (g, token) =>
            {
                var friend = friends[g % friends.Length];
                var group = await Setup.RetryAsync(() => me.Client.CreateGroupAsync($"group {g}", [friend.Id], cancellationToken: token), token);
                groupIds[g] = group.Id;
            });
        Log.Info($"created {groupCount} groups in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");

        // Who sends where: conversation k's messages come from one friend (so they are unread for me).
        var targets = new List<(int Friend, string To)>();
        for (var f = 0; f < friends.Length; f++) targets.Add((f, $"{{\"userId\":\"{me.Id}\"}}"));
        for (var g = 0; g < groupCount; g++) targets.Add((g % friends.Length, $"{{\"groupId\":\"{groupIds[g]}\"}}"));

        // A few deep conversations (long histories to page through), the rest share what is left evenly.
        var deep = Math.Min(DeepConversations, targets.Count);
        var perDeep = o.Messages * 3 / 10 / Math.Max(1, deep);
        var perOther = targets.Count > deep ? (o.Messages - perDeep * deep) / (targets.Count - deep) : 0;
        var counts = targets.Select((_, k) => k < deep ? perDeep : perOther).ToArray();
        counts[^1] += o.Messages - counts.Sum();

        started = Stopwatch.GetTimestamp();
        var text = new TextMaker(seed: 7);
        var sent = 0L;
        await Parallel.ForEachAsync(Enumerable.Range(0, friends.Length),
            new ParallelOptions { MaxDegreeOfParallelism = friends.Length, CancellationToken = ct },
            async (f, token) =>
            {
                var plan = new List<(string To, int Count)>();
                for (var k = 0; k < targets.Count; k++)
                    if (targets[k].Friend == f && counts[k] > 0) plan.Add((targets[k].To, counts[k]));
                var n = await SeedAsync(server, setup, friends[f].Token, plan, text, token);
                Interlocked.Add(ref sent, n);
            });
        var seedSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Log.Info($"sent {sent:N0} messages in {seedSeconds:F1} s ({sent / seedSeconds:N0}/s)");

        // Every conversation as my list sees it; read most of them up to a few messages from the end.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", me.Token);
        var (rows, cursors) = await WalkListAsync(http, ct);
        Log.Info($"my list has {rows.Count} conversations in {cursors.Count} pages");
        var random = new Random(11);
        await Parallel.ForEachAsync(rows.Where((_, i) => i % 4 != 0),
            new ParallelOptions { MaxDegreeOfParallelism = o.SetupConcurrency, CancellationToken = ct },
            async (row, token) =>
            {
                var seq = Math.Max(0, row.LastSeq - (row.LastSeq % 7));
                using var body = new StringContent($"{{\"seq\":{seq}}}", Encoding.UTF8, "application/json");
                (await http.PostAsync($"api/v1/conversations/{row.Id}/read", body, token)).EnsureSuccessStatusCode();
            });

        if (o.SettleSeconds > 0)
        {
            // A live database has statistics for its rows; right after a bulk load PostgreSQL's planner has not
            // (autovacuum analyses within a minute or so), and its plans differ.
            Log.Info($"settling for {o.SettleSeconds} s");
            await Task.Delay(TimeSpan.FromSeconds(o.SettleSeconds), ct);
        }

        var figures = new Figures();
        figures.Add("conversations", "conversations", (long)rows.Count);
        figures.Add("messages", "messages", sent);
        figures.Add("seed_per_s", "seeding rate (msg.send, acked)", sent / seedSeconds, "msgs/s");

        var deepRows = rows.OrderByDescending(r => r.LastSeq).Take(deep).ToList();
        var samples = o.Samples;
        var warmUp = o.WarmUp ?? samples / 10;
        await MeasureAsync(figures, "list_first", "list, first page (50)", server, samples, warmUp, async () =>
            await GetAsync(http, "api/v1/conversations?limit=50", ct));
        // A list of 200 conversations or fewer is one page of the walk (limit 200): there is no later page to time.
        if (cursors.Count > 0)
            await MeasureAsync(figures, "list_deep", "list, a later page (50)", server, samples, warmUp, async () =>
                await GetAsync(http, $"api/v1/conversations?limit=50&cursor={Uri.EscapeDataString(cursors[random.Next(cursors.Count)])}", ct));
        else
            Log.Info("list, a later page: not timed (the list has one page of 200)");
        await MeasureAsync(figures, "history", "history page (50, beforeSeq)", server, samples, warmUp, async () =>
        {
            var row = random.Next(2) == 0 ? deepRows[random.Next(deepRows.Count)] : rows[random.Next(rows.Count)];
            var before = 2 + random.NextInt64(Math.Max(1, row.LastSeq));
            await GetAsync(http, $"api/v1/conversations/{row.Id}/messages?beforeSeq={before}&limit=50", ct);
        });

        using (var socket = await ConnectAsync(server, setup, me.Token, ct))
        {
            var frameId = 0;
            await MeasureAsync(figures, "sync", "sync one conversation (50 missed)", server, samples, warmUp, async () =>
            {
                var row = random.Next(2) == 0 ? deepRows[random.Next(deepRows.Count)] : rows[random.Next(rows.Count)];
                var id = (++frameId).ToString(CultureInfo.InvariantCulture);
                var frame = $"{{\"type\":\"msg.sync\",\"id\":\"{id}\",\"data\":{{\"conversations\":{{\"{row.Id}\":{Math.Max(0, row.LastSeq - 50)}}}}}}}";
                await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, ct);
                await ReadUntilAsync(socket, "\"msg.synced\"", ct);
            });
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", ct);
        }

        await MeasureAsync(figures, "search_one", "search in one conversation", server, samples, warmUp, async () =>
        {
            var row = deepRows[random.Next(deepRows.Count)];
            await GetAsync(http, $"api/v1/conversations/{row.Id}/messages/search?q={Uri.EscapeDataString(text.Query(random))}&limit=20", ct);
        });
        await MeasureAsync(figures, "search_all", "search across all conversations", server, samples, warmUp, async () =>
            await GetAsync(http, $"api/v1/messages/search?q={Uri.EscapeDataString(text.Query(random))}&limit=20", ct));
        // A typical user: one friend, who sees only the conversations shared with me, among everyone's messages. The last
        // friend has no deep conversation (those are the first ones' direct conversations).
        using var friendHttp = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.BaseAddress };
        friendHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", friends[^1].Token);
        var friendPlan = targets.Select((t, k) => (t.Friend, Count: counts[k])).Where(t => t.Friend == friends.Length - 1).ToList();
        Log.Info($"the last friend sees {friendPlan.Sum(t => (long)t.Count):N0} messages in {friendPlan.Count} conversations");
        // A fifth of the samples and at most 100 warm-up requests: before the thirteenth session each took 0.3-1.5 s.
        await MeasureAsync(figures, "search_friend", "search across, a friend's conversations", server, Math.Max(10, samples / 5), Math.Min(warmUp, 100), async () =>
            await GetAsync(friendHttp, $"api/v1/messages/search?q={Uri.EscapeDataString(text.Query(random))}&limit=20", ct));
        if (o.Export) await ExportRun.MeasureAsync(figures, server, me.Token, ct);
        return ($"history: {rows.Count:N0} conversations, {sent:N0} messages, one request at a time", figures);
    }

    /// <summary>Sends each conversation's messages over one socket, at most <see cref="SendWindow"/> unacknowledged.</summary>
    private static async Task<long> SeedAsync(ServerHost server, Setup setup, string token, List<(string To, int Count)> plan, TextMaker text, CancellationToken ct)
    {
        using var socket = await ConnectAsync(server, setup, token, ct);
        using var window = new SemaphoreSlim(SendWindow);
        var acked = 0L;
        var failures = 0;
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close) break;
                if (!result.EndOfMessage) continue;
                var frame = buffer.AsSpan(0, result.Count);
                if (frame.IndexOf("\"msg.ack\""u8) >= 0)
                {
                    Interlocked.Increment(ref acked);
                    window.Release();
                }
                else if (frame.IndexOf("\"error\""u8) >= 0)
                {
                    // Rate limits and back-pressure: counted, and the message is not retried (the count is what was stored).
                    if (Interlocked.Increment(ref failures) <= 3) Log.Info($"seeding error: {Encoding.UTF8.GetString(frame)}");
                    window.Release();
                }
            }
        }, ct);

        var n = 0;
        foreach (var (to, count) in plan)
        {
            for (var i = 0; i < count; i++)
            {
                await window.WaitAsync(ct);
                string content;
                lock (text) content = text.Sentence();
                var frame = $"{{\"type\":\"msg.send\",\"id\":\"{++n}\",\"data\":{{\"to\":{to},\"clientMsgId\":\"seed-{n}\",\"type\":\"text\",\"content\":{JsonSerializer.Serialize(content)}}}}}";
                await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, ct);
            }
        }
        for (var i = 0; i < SendWindow; i++) await window.WaitAsync(ct);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", ct);
        await reading.WaitAsync(TimeSpan.FromSeconds(10), ct).ContinueWith(_ => { }, TaskScheduler.Default);
        return Interlocked.Read(ref acked);
    }

    private static async Task<ClientWebSocket> ConnectAsync(ServerHost server, Setup setup, string token, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await socket.ConnectAsync(server.WebSocketAddress, setup.Handshakes, ct);
        return socket;
    }

    private static async Task ReadUntilAsync(ClientWebSocket socket, string marker, CancellationToken ct)
    {
        var buffer = new byte[256 * 1024];
        var needle = Encoding.UTF8.GetBytes(marker);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException("The server closed the socket during a sync.");
            if (buffer.AsSpan(0, result.Count).IndexOf(needle) >= 0 && result.EndOfMessage) return;
            if (buffer.AsSpan(0, result.Count).IndexOf("\"error\""u8) >= 0) throw new InvalidOperationException(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }

    private static async Task<string> GetAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    private sealed record Row(string Id, long LastSeq);

    /// <summary>All my conversations, following the list's cursor, and the cursor of each page after the first.</summary>
    private static async Task<(List<Row> Rows, List<string> Cursors)> WalkListAsync(HttpClient http, CancellationToken ct)
    {
        var rows = new List<Row>();
        var cursors = new List<string>();
        string? cursor = null;
        do
        {
            var body = await GetAsync(http, "api/v1/conversations?limit=200" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), ct);
            using var page = JsonDocument.Parse(body);
            var items = page.RootElement.GetProperty("conversations");
            foreach (var item in items.EnumerateArray())
                rows.Add(new Row(item.GetProperty("id").GetString()!, item.GetProperty("lastSeq").GetInt64()));
            cursor = page.RootElement.TryGetProperty("nextCursor", out var next)
                && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            if (cursor is not null) cursors.Add(cursor);
        }
        while (cursor is not null);
        return (rows, cursors);
    }

    /// <summary>Runs <paramref name="request"/> one at a time: <paramref name="warmUp"/> untimed, then <paramref name="samples"/> timed.</summary>
    private static async Task MeasureAsync(Figures figures, string key, string label, ServerHost server, int samples, int warmUp, Func<Task> request)
    {
        for (var i = 0; i < warmUp; i++) await request();
        var histogram = new Histogram();
        var cpuBefore = server.Sample();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < samples; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await request();
            histogram.RecordTicks(Stopwatch.GetTimestamp() - t);
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = ProcSample.CpuBetween(cpuBefore, server.Sample());
        figures.Add($"{key}_p50_ms", $"{label}: p50", histogram.PercentileMs(0.50), "ms");
        figures.Add($"{key}_p99_ms", $"{label}: p99", histogram.PercentileMs(0.99), "ms");
        figures.Add($"{key}_max_ms", $"{label}: max", histogram.MaxMs, "ms");
        figures.Add($"{key}_cpu_ms", $"{label}: server CPU per request", cpu is { } c ? c * 1000 / samples : null, "ms");
        Log.Info($"{label}: {samples} in {seconds:F1} s, p50 {Figures.Format(histogram.PercentileMs(0.5))} ms, p99 {Figures.Format(histogram.PercentileMs(0.99))} ms");
    }

    /// <summary>
    /// Chat-like text: words drawn with a Zipf-like skew from a made-up vocabulary, some sentences in Chinese.
    /// Queries are words of middling frequency (each in roughly 0.05% to 0.5% of messages): what people search for.
    /// </summary>
    private sealed class TextMaker
    {
        private static readonly string[] Chinese = ["你好吗", "今天晚上一起吃饭", "明天开会", "周末去爬山", "收到文件了", "谢谢你的帮助", "我们在路上", "生日快乐"];
        private readonly Random _random;
        private readonly string[] _words;
        private readonly double[] _cumulative;

        public TextMaker(int seed)
        {
            _random = new Random(seed);
            string[] syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "zen", "pa", "qui", "dor", "fel", "gan", "hu", "jor"];
            var words = new HashSet<string>();
            var wordRandom = new Random(seed + 1);
            while (words.Count < 5000)
                words.Add(string.Concat(Enumerable.Range(0, 2 + wordRandom.Next(3)).Select(_ => syllables[wordRandom.Next(syllables.Length)])));
            _words = [.. words];
            _cumulative = new double[_words.Length];
            var total = 0.0;
            for (var i = 0; i < _words.Length; i++) _cumulative[i] = total += 1.0 / Math.Pow(i + 1, 1.0);
            for (var i = 0; i < _cumulative.Length; i++) _cumulative[i] /= total;
        }

        public string Sentence()
        {
            if (_random.Next(10) == 0) return Chinese[_random.Next(Chinese.Length)] + Chinese[_random.Next(Chinese.Length)];
            var n = 3 + _random.Next(10);
            var sentence = new StringBuilder();
            for (var i = 0; i < n; i++)
            {
                if (i > 0) sentence.Append(' ');
                var index = Array.BinarySearch(_cumulative, _random.NextDouble());
                sentence.Append(_words[index < 0 ? Math.Min(~index, _words.Length - 1) : index]);
            }
            return sentence.ToString();
        }

        public string Query(Random random) => random.Next(5) == 0 ? Chinese[random.Next(Chinese.Length)] : _words[50 + random.Next(450)];
    }
}
