/** Marks a bot: an account the service made to post as a shop or a notifier, not a person (`peer.bot`). */
export function BotBadge() {
  return (
    <span class="bot-badge" data-testid="bot-badge" title="An automated account">
      bot
    </span>
  );
}
