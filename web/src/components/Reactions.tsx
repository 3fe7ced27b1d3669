// A message's reactions: a count per emoji (mine highlighted; clicking one adds mine or takes it back), and the
// picker of common emoji that a message's "React" action opens.
import { reactionChoices, toggleReaction } from '../store';
import type { Message } from '../types';

export function ReactionCounts({ m }: { m: Message }) {
  if (!m.reactions?.length || m.recalled) return null;
  return (
    <div class="reactions" role="group" aria-label="Reactions" data-testid="reactions">
      {m.reactions.map((r) => (
        <button
          type="button"
          key={r.emoji}
          class={'reaction' + (r.me ? ' me' : '')}
          aria-pressed={r.me}
          aria-label={`${r.emoji} ${r.count}`}
          title={r.me ? 'Take back your reaction' : `React with ${r.emoji}`}
          data-testid="reaction"
          data-emoji={r.emoji}
          onClick={() => void toggleReaction(m, r.emoji)}
        >
          {r.emoji} <span class="count">{r.count}</span>
        </button>
      ))}
    </div>
  );
}

export function ReactionPicker({ m, onDone }: { m: Message; onDone: () => void }) {
  return (
    <div
      class="reaction-picker"
      role="group"
      aria-label="Pick a reaction"
      data-testid="reaction-picker"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onDone();
      }}
    >
      {reactionChoices.map((emoji) => {
        const mine = !!m.reactions?.some((r) => r.emoji === emoji && r.me);
        return (
          <button
            type="button"
            key={emoji}
            class={'emoji-btn' + (mine ? ' me' : '')}
            aria-label={mine ? `Take back ${emoji}` : `React with ${emoji}`}
            aria-pressed={mine}
            onClick={() => {
              void toggleReaction(m, emoji);
              onDone();
            }}
          >
            {emoji}
          </button>
        );
      })}
    </div>
  );
}
