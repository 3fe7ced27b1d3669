using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Http;
using Parley.Server.Messaging;
using Parley.Server.Storage;

namespace Parley.Server.Calls;

/// <summary>
/// What outlives a call (docs/calls.md, "Records" and "Restarts"): its row in <c>ActiveCalls</c> while it is live
/// (written at invite, updated at accept, deleted once the record is stored), and its record, a <c>call</c> message
/// in the two users' direct conversation, stored through the <see cref="MessageCommitter"/> like any message (so both
/// users' devices get it as <c>msg.new</c>). At start-up, rows a crash left behind are recorded as <c>dropped</c>.
/// <para>None of the row writes takes a cancellation token: a write cut short by the stop could leave a call that
/// rang without its row, or the reverse. Once begun, it runs to its end.</para>
/// </summary>
public sealed partial class CallRecords(
    IServiceScopeFactory scopes,
    MessageCommitter committer,
    CallClock clock,
    IdGenerator ids,
    IConfiguration configuration,
    ILogger<CallRecords> logger)
{
    /// <summary>The row of a call that is about to ring. Throws when it cannot be written (the call must not ring then).</summary>
    internal async Task AddRowAsync(LiveCall call)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        db.ActiveCalls.Add(new ActiveCall
        {
            Id = call.Id,
            ConversationId = call.ConversationId,
            CallerId = call.CallerId,
            CalleeId = call.CalleeId,
            Media = call.Media,
            InvitedAt = call.InvitedAt,
        });
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Notes the accept, so that a crash records the call with its start. A failure is logged (only that duration depends on it).</summary>
    internal async Task MarkAcceptedAsync(long callId, DateTimeOffset acceptedAt)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ParleyDb>().ActiveCalls.Where(c => c.Id == callId)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.AcceptedAt, acceptedAt), CancellationToken.None);
        }
        catch (Exception e)
        {
            LogRowFailed(logger, e, callId);
        }
    }

    internal async Task DeleteRowAsync(long callId)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ParleyDb>().ActiveCalls.Where(c => c.Id == callId).ExecuteDeleteAsync(CancellationToken.None);
    }

    /// <summary>
    /// Stores the record of an ended call (idempotent: its clientMsgId is <c>call:&lt;callId&gt;</c>), then deletes
    /// its row if it has one. Never throws: on failure the row stays, and the next start records the call as dropped.
    /// </summary>
    internal Task StoreAsync(CallEnded ended, bool deleteRow) =>
        StoreAsync(ended.CallId, ended.ConversationId, ended.CallerId, ended.CalleeId,
            new CallRecord(ended.Media, Ids.Format(ended.CallerId), ended.StartedAt, ended.EndedAt, ended.DurationMs, CallEndReasons.Name(ended.Reason)),
            deleteRow);

    private async Task StoreAsync(long callId, long conversationId, long callerId, long calleeId, CallRecord record, bool deleteRow)
    {
        try
        {
            var pending = new PendingMessage(senderDeviceId: 0)
            {
                ConversationId = conversationId,
                SenderId = callerId,
                ClientMsgId = $"call:{Ids.Format(callId)}",
                Type = MessageType.Call,
                Content = JsonSerializer.Serialize(record, CallsJsonContext.Default.CallRecord),
                Recipients = [callerId, calleeId],
            };
            await committer.EnqueueAsync(pending, CancellationToken.None);
            await pending.Stored.Task;
            if (deleteRow) await DeleteRowAsync(callId);
        }
        catch (Exception e)
        {
            LogRecordFailed(logger, e, callId);
        }
    }

    /// <summary>
    /// At start-up, before the server listens: each call that was live when the server last died (a row left in
    /// <c>ActiveCalls</c>) is recorded as <c>dropped</c>. The server cannot know when it died, so the end is now.
    /// Scaled out, the other nodes' calls are in the table too, and alive: only this node's own (a call's id carries
    /// the worker id of the node that made it) are recorded. See docs/calls.md, "Limits".
    /// </summary>
    internal async Task RecordLeftoversAsync(CancellationToken cancellationToken)
    {
        List<ActiveCall> leftovers;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            leftovers = await scope.ServiceProvider.GetRequiredService<ParleyDb>().ActiveCalls.AsNoTracking().ToListAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database is down or not migrated yet (Database:MigrateOnStartup=false): the server still starts,
            // and /readyz says what is wrong. The rows wait for the next start.
            LogLeftoversUnread(logger, e);
            return;
        }
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")))
            leftovers = leftovers.Where(c => IdGenerator.WorkerOf(c.Id) == ids.WorkerId).ToList();
        if (leftovers.Count == 0) return;
        LogLeftovers(logger, leftovers.Count);
        // All queued at once: the committer stores them in one batch.
        await Task.WhenAll(leftovers.Select(RecordLeftoverAsync));
    }

    /// <summary>One leftover row, recorded as <c>dropped</c> (the row is deleted once the record is stored).</summary>
    internal Task RecordLeftoverAsync(ActiveCall row)
    {
        var endedAt = clock.Time.GetUtcNow();
        var durationMs = row.AcceptedAt is null ? 0 : Math.Max(0, (long)(endedAt - row.AcceptedAt.Value).TotalMilliseconds);
        var record = new CallRecord(row.Media, Ids.Format(row.CallerId), row.AcceptedAt, endedAt, durationMs, CallEndReasons.Name(CallEndReason.Dropped));
        return StoreAsync(row.Id, row.ConversationId, row.CallerId, row.CalleeId, record, deleteRow: true);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing the record of call {CallId} failed; it will be recorded as dropped at the next start")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, long callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the row of call {CallId} failed")]
    private static partial void LogRowFailed(ILogger logger, Exception exception, long callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calls left over from the last run could not be read; they will be recorded as dropped at a later start")]
    private static partial void LogLeftoversUnread(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {Count} calls that were live when the server stopped as dropped")]
    private static partial void LogLeftovers(ILogger logger, int count);
}
