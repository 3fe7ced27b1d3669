// A fast local webhook receiver for bench/webhooks.sh (Node.js 20, no packages).
//
//   node bench/webhook-receiver.mjs PORT_FILE
//
// Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening). Every POST is answered at once:
// {"action":"allow"} for message.before_send, an empty 200 for anything else. It does not check signatures: the
// bench measures the server, not the receiver.
//
// GET /stats answers the counts so far, per event type: {"message.created": {"count", "first", "last"}, ...} with
// first and last the arrival times (ms since the epoch) of the first and last event of that type, and the number
// of POSTs received per whole second (for a delivery-rate curve). POST /reset (not a webhook: no Parley-Event-Id)
// forgets them, between runs.
import http from "node:http";
import fs from "node:fs";

const portFile = process.argv[2];
let byType = new Map();
let perSecond = new Map();

function record(type) {
  const now = Date.now();
  let entry = byType.get(type);
  if (!entry) byType.set(type, (entry = { count: 0, first: now, last: now }));
  entry.count++;
  entry.last = now;
  const second = Math.floor(now / 1000);
  perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ types: Object.fromEntries(byType), perSecond: Object.fromEntries(perSecond) }));
    return;
  }
  if (req.method === "POST" && req.url === "/reset") {
    byType = new Map();
    perSecond = new Map();
    res.writeHead(204).end();
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let type = "unknown";
    try {
      type = JSON.parse(Buffer.concat(chunks).toString("utf8")).type ?? "unknown";
    } catch {
      // Not JSON: counted as "unknown".
    }
    record(type);
    if (type === "message.before_send") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"action":"allow"}');
    } else {
      res.writeHead(200).end();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  fs.writeFileSync(portFile, String(server.address().port));
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
