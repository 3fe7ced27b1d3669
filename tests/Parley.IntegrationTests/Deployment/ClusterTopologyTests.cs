using System.Diagnostics;
using System.Security.Cryptography;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Deployment;

/// <summary>
/// deploy/compose.yaml's topology as processes: two server nodes on the test PostgreSQL and Redis, files in the
/// test s3rver, nginx from apt in front with WebSocket upgrade. nginx's <c>/</c> balances over both nodes;
/// <c>/n1/</c> and <c>/n2/</c> pin a client to one node, so that the test knows which node each client is on.
/// </summary>
public sealed class ClusterTopologyTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-cluster-").FullName;
    private readonly List<ServerProcess> _nodes = [];
    private Process? _nginx;
    private int _nginxPort;
    private string? _database;

    public async Task InitializeAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("PARLEY_TEST_POSTGRES") ?? throw new InvalidOperationException("PARLEY_TEST_POSTGRES is not set (scripts/test.sh)");
        var redis = Environment.GetEnvironmentVariable("PARLEY_TEST_REDIS") ?? throw new InvalidOperationException("PARLEY_TEST_REDIS is not set (scripts/test.sh)");
        var s3 = Files.S3FilesFixture.ServiceUrl;
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? "S3RVER");
        var unique = Guid.NewGuid().ToString("N")[..12];
        _database = $"parley_cluster_{unique}";
        var database = new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = _database }.ConnectionString;
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        for (var node = 1; node <= 2; node++)
        {
            var directory = Directory.CreateDirectory(Path.Combine(_root, $"node{node}")).FullName;
            _nodes.Add(await ServerProcess.StartAsync(directory, ServerProcess.FreePort(),
                "--Database:Provider=postgres", $"--ConnectionStrings:Database={database}", $"--ConnectionStrings:Redis={redis}",
                $"--ScaleOut:KeyPrefix=cluster-{unique}:", $"--Jwt:SigningKey={key}", $"--Ids:WorkerId={node}",
                $"--Files:S3:ServiceUrl={s3}", $"--Files:S3:Bucket=cluster-{unique}", "--Files:S3:ForcePathStyle=true"));
        }
        _nginxPort = ServerProcess.FreePort();
        _nginx = StartNginx(_nodes[0].BaseAddress.Port, _nodes[1].BaseAddress.Port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_nginxPort}/") };
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if ((await http.GetAsync("healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("nginx did not answer");
    }

    private Process StartNginx(int node1, int node2)
    {
        var prefix = Directory.CreateDirectory(Path.Combine(_root, "nginx")).FullName;
        Directory.CreateDirectory(Path.Combine(prefix, "logs"));
        var proxy = """
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection $connection_upgrade;
                proxy_set_header Host $host;
                proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                proxy_read_timeout 1h;
                proxy_request_buffering off;
                proxy_buffering off;
                add_header X-Upstream $upstream_addr always;
        """;
        File.WriteAllText(Path.Combine(prefix, "nginx.conf"), $$"""
            daemon off;
            master_process off;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/logs/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/body; proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi; uwsgi_temp_path {{prefix}}/uwsgi; scgi_temp_path {{prefix}}/scgi;
                upstream parley { server 127.0.0.1:{{node1}}; server 127.0.0.1:{{node2}}; }
                map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                server {
                    listen 127.0.0.1:{{_nginxPort}};
                    client_max_body_size 50m;
                    location /n1/ { proxy_pass http://127.0.0.1:{{node1}}/; {{proxy}} }
                    location /n2/ { proxy_pass http://127.0.0.1:{{node2}}/; {{proxy}} }
                    location / { proxy_pass http://parley; {{proxy}} }
                }
            }
            """);
        var nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : throw new InvalidOperationException("nginx is not installed (apt-get install nginx-light)");
        var info = new ProcessStartInfo(nginx) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", prefix, "-c", Path.Combine(prefix, "nginx.conf") }) info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    [Fact]
    public async Task AMessageCrossesFromNodeOneToNodeTwoThroughNginxAndAFileUploadedOnOneDownloadsFromTheOther()
    {
        var proxy = $"http://127.0.0.1:{_nginxPort}";
        using var alice = new ParleyClient(new Uri($"{proxy}/n1/"));
        using var bob = new ParleyClient(new Uri($"{proxy}/n2/"));
        await alice.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "cluster 123", Nickname = "alice" });
        await bob.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "cluster 123", Nickname = "bob" });
        await TestServer.MakeFriendsAsync(alice, bob);

        await using var bobSocket = await ParleyRealtime.ConnectAsync(bob);
        await using var aliceSocket = await ParleyRealtime.ConnectAsync(alice);
        var ack = await aliceSocket.SendMessageAsync(SendTarget.User(bob.UserId), "text", "across the cluster");
        var delivered = await bobSocket.NextEventAsync("msg.new");
        Assert.Equal(ack.MessageId, delivered.Data.GetProperty("id").GetString());

        var bytes = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 13)).ToArray();
        var uploaded = await alice.UploadFileAsync(new MemoryStream(bytes), "shared.bin");
        // Uploaded through node 1; bob, on node 2, may read it once a message carries it, and node 2 serves the bytes.
        await alice.SendMessageAsync(SendTarget.User(bob.UserId), "file", null, new { fileId = uploaded.FileId });
        using var download = await bob.DownloadFileAsync(uploaded.FileId);
        Assert.Equal(System.Net.HttpStatusCode.OK, download.Status);
        Assert.Equal(bytes, await download.ReadAllBytesAsync());

        // nginx's / balances: plain requests reach both nodes.
        using var http = new HttpClient { BaseAddress = new Uri(proxy + "/") };
        var upstreams = new HashSet<string>();
        for (var i = 0; i < 6; i++) upstreams.Add((await http.GetAsync("healthz")).Headers.GetValues("X-Upstream").Single());
        Assert.Equal(2, upstreams.Count);
    }

    /// <summary>
    /// Issue 16's failover: one node SIGKILLed while every sender has messages in flight. The devices that were on
    /// it reconnect through nginx (which now reaches only the other node), resend what had no ack (same clientMsgId)
    /// and sync; every conversation ends with every message stored once, in a gapless seq, and delivered once.
    /// </summary>
    [Fact]
    public async Task WhenANodeIsKilledUnderLoadItsDevicesMoveToTheOtherAndNoAckedMessageIsLost()
    {
        const int pairs = 4, perSender = 150;
        var balanced = new Uri($"http://127.0.0.1:{_nginxPort}/");
        var senders = new List<ParleyClient>();
        var receivers = new List<ParleyClient>();
        for (var i = 0; i < pairs; i++)
        {
            var sender = new ParleyClient(balanced);
            var receiver = new ParleyClient(balanced);
            await sender.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "cluster 123", Nickname = $"s{i}" });
            await receiver.RegisterAsync(new RegisterRequest { Phone = $"+8613{Random.Shared.Next(100_000_000, 999_999_999)}", Password = "cluster 123", Nickname = $"r{i}" });
            await TestServer.MakeFriendsAsync(sender, receiver);
            senders.Add(sender);
            receivers.Add(receiver);
        }

        // nginx's round robin alternates the upgrades: s0 r0 r1 s1 s2 r2 r3 s3 puts half the senders and half the
        // receivers on each node, so the kill below moves senders (resending) and receivers (syncing) alike.
        var devices = new ParleyChat[pairs * 2];
        for (var i = 0; i < pairs; i++)
        {
            var (first, second) = i % 2 == 0 ? (senders[i], receivers[i]) : (receivers[i], senders[i]);
            var a = await ParleyChat.StartAsync(first);
            var b = await ParleyChat.StartAsync(second);
            devices[2 * i] = i % 2 == 0 ? a : b;
            devices[2 * i + 1] = i % 2 == 0 ? b : a;
        }
        try
        {
            var sends = new List<Task<MessageAck>>[pairs];
            for (var i = 0; i < pairs; i++)
                sends[i] = Enumerable.Range(0, perSender).Select(n => devices[2 * i].SendAsync(SendTarget.User(receivers[i].UserId), "text", $"p{i} m{n}")).ToList();
            var all = sends.SelectMany(s => s).ToList();
            while (all.Count(s => s.IsCompleted) < all.Count / 4) await Task.Delay(5);
            var ackedBeforeKill = all.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result.MessageId).ToHashSet();
            _nodes[1].Kill();

            var acks = await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(120));
            // The chat goes on: one more message per pair. A frame the killed node had stored and acked but not yet
            // passed to the other node reaches a receiver that stayed connected when the next message shows the gap
            // (docs/protocol.md, "Server to client (events)"): without a next message it would wait for a reconnect.
            var finals = await Task.WhenAll(Enumerable.Range(0, pairs).Select(i => devices[2 * i].SendAsync(SendTarget.User(receivers[i].UserId), "text", $"p{i} final")))
                .WaitAsync(TimeSpan.FromSeconds(120));

            var delivered = new HashSet<string>();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            for (var i = 0; i < pairs; i++)
            {
                var pairAcks = sends[i].Select(s => s.Result).Append(finals[i]).ToList();
                const int total = perSender + 1;
                Assert.Equal(Enumerable.Range(1, total).Select(n => (long)n), pairAcks.Select(a => a.Seq).Order());
                var receiver = devices[2 * i + 1];
                var received = new List<MessageView>();
                try
                {
                    while (received.Count < total) received.Add(await receiver.Messages.ReadAsync(deadline.Token));
                }
                catch (OperationCanceledException)
                {
                    var missing = Enumerable.Range(1, total).Select(n => (long)n).Except(received.Select(m => m.Seq));
                    Assert.Fail($"pair {i}: the receiver (reconnects: {receiver.Reconnects}, last error: {receiver.LastError?.GetType().Name}: {receiver.LastError?.Message}) never got seqs {string.Join(", ", missing)}\n{NodeWarnings()}");
                }
                Assert.Equal(Enumerable.Range(1, total).Select(n => (long)n), received.Select(m => m.Seq).Order());
                Assert.Equal(Enumerable.Range(0, perSender).Select(n => $"p{i} m{n}").Append($"p{i} final").Order(), received.Select(m => m.Content.GetString()!).Order());
                Assert.False(receiver.Messages.TryRead(out var extra), $"pair {i}: a message came twice: seq {extra?.Seq}");
                delivered.UnionWith(received.Select(m => m.Id));
            }
            Assert.Subset(delivered, ackedBeforeKill);
            Assert.Equal(acks.Concat(finals).Select(a => a.MessageId).ToHashSet(), delivered);
            // Half the devices were on the killed node: each of them reconnected (to the other; there is no other).
            Assert.True(devices.Count(d => d.Reconnects > 0) >= pairs, $"only {devices.Count(d => d.Reconnects > 0)} devices reconnected");
        }
        finally
        {
            foreach (var device in devices) await device.DisposeAsync();
            foreach (var client in senders.Concat(receivers)) client.Dispose();
        }
    }

    /// <summary>For a failure's message: each node's last warnings and errors (the killed node's up to its death).</summary>
    private string NodeWarnings() => string.Join("\n", _nodes.Select((node, k) => $"node {k + 1}:\n  " + string.Join("\n  ",
        node.Output.Split('\n').Where(line => line.Contains("\"LogLevel\":\"Warning\"", StringComparison.Ordinal) ||
            line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal))
            .TakeLast(20))));

    public async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false }) _nginx.Kill();
        _nginx?.Dispose();
        foreach (var node in _nodes) await node.DisposeAsync();
        if (_database is not null)
        {
            // The nodes created it on start (migrations); nothing else drops it.
            await using var connection = new Npgsql.NpgsqlConnection(Environment.GetEnvironmentVariable("PARLEY_TEST_POSTGRES"));
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
