namespace Parley.Server.Storage;

/// <summary>
/// Answers lookups by key in batches: whoever asks while a read is under way waits for the next read, which takes
/// every key asked meanwhile in one query. A burst of thousands of asks (a reconnect storm's session checks and
/// presence audiences) then costs a few dozen queries instead of thousands; a lone ask costs one query, as before,
/// and waits for nothing else (the read runs on the thread pool at once).
/// </summary>
public sealed class BatchedLookup<TKey, TValue>(Func<IReadOnlyList<TKey>, Task<IReadOnlyDictionary<TKey, TValue>>> read, TValue absent, int maxBatch = 500)
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private Dictionary<TKey, TaskCompletionSource<TValue>> _asked = [];
    private bool _reading;

    /// <summary>The value of <paramref name="key"/> as read by the next batch (<c>absent</c> when the read found none).</summary>
    public Task<TValue> GetAsync(TKey key)
    {
        TaskCompletionSource<TValue>? answer;
        lock (_gate)
        {
            if (!_asked.TryGetValue(key, out answer))
                _asked[key] = answer = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_reading) return answer.Task;
            _reading = true;
        }
        // The loop outlives this caller's request: it must not carry its trace activity or logging scopes.
        using (ExecutionContext.SuppressFlow()) _ = Task.Run(ReadAllAsync);
        return answer.Task;
    }

    /// <summary>Reads until nobody is waiting; one such loop at a time.</summary>
    private async Task ReadAllAsync()
    {
        while (true)
        {
            Dictionary<TKey, TaskCompletionSource<TValue>> batch;
            lock (_gate)
            {
                if (_asked.Count == 0)
                {
                    _reading = false;
                    return;
                }
                batch = _asked;
                _asked = [];
            }
            foreach (var keys in batch.Keys.Chunk(maxBatch))
            {
                try
                {
                    var found = await read(keys);
                    foreach (var key in keys) batch[key].TrySetResult(found.TryGetValue(key, out var value) ? value : absent);
                }
                catch (Exception e)
                {
                    // Each asker sees the failure of its own read, as it would have without batching.
                    foreach (var key in keys) batch[key].TrySetException(e);
                }
            }
        }
    }
}
