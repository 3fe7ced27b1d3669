// Problem `code`s (docs/errors.md) in words a person understands. Unknown codes fall back to the server's
// `detail`, then to a generic sentence: a code is never shown on its own.
const messages: Record<string, string> = {
  validation_failed: 'Some of what you entered is not valid.',
  invalid_json: 'The app sent something the server did not understand. Please reload the page.',
  bad_request: 'That request was not understood. Please reload the page.',
  unauthorized: 'You are signed out. Please sign in again.',
  not_found: 'That no longer exists.',
  forbidden: 'You are not allowed to do that.',
  rate_limited: 'Too many attempts. Please wait a moment and try again.',
  payload_too_large: 'That file is too large.',
  message_too_large: 'That message is too long.',
  unsupported_media_type: 'That kind of file is not supported.',
  phone_taken: 'An account with this phone number already exists.',
  email_taken: 'An account with this e-mail address already exists.',
  username_taken: 'That username is taken. Please choose another.',
  email_unavailable: 'E-mail sign-up is not available on this server.',
  invalid_code: 'That code is wrong or has expired. Ask for a new one.',
  invalid_credentials: 'The login or password is wrong.',
  wrong_password: 'Your current password is wrong.',
  invalid_refresh_token: 'Your session has ended. Please sign in again.',
  refresh_token_expired: 'Your session has expired. Please sign in again.',
  refresh_token_reused: 'Your session was ended for safety. Please sign in again.',
  session_revoked: 'Your session was ended. Please sign in again.',
  user_not_found: 'That person was not found.',
  already_friends: 'You are already friends.',
  cannot_add_self: 'You cannot add yourself.',
  cannot_block_self: 'You cannot block yourself.',
  not_blocked: 'That person is not blocked.',
  blocked: 'You cannot message this person.',
  not_friends: 'You can only do that with friends.',
  friend_request_not_found: 'That friend request no longer exists.',
  not_request_addressee: 'Only the person who was asked can answer that request.',
  request_already_handled: 'That request was already answered.',
  group_not_found: 'That group does not exist (any more).',
  group_full: 'The group is full.',
  already_member: 'Already a member of the group.',
  not_group_member: 'You are not a member of this group.',
  not_group_admin: 'Only the group owner and admins can do that.',
  not_group_owner: 'Only the group owner can do that.',
  insufficient_role: 'Your role in the group does not allow that.',
  cannot_change_own_role: 'You cannot change your own role.',
  owner_must_transfer: 'Hand the group to someone else before leaving it.',
  member_not_found: 'That person is not in the group.',
  join_request_not_found: 'That join request no longer exists.',
  removed_from_group: 'You were removed from this group. Only its owner or an admin can let you back in.',
  muted: 'You are muted in this group.',
  group_muted: 'Only admins can post while the group is muted.',
  cannot_message_self: 'You cannot message yourself.',
  conversation_not_found: 'That conversation does not exist.',
  message_not_found: 'That message no longer exists.',
  recall_expired: 'It is too late to recall that message.',
  not_message_sender: 'Only the sender can recall a message.',
  file_not_found: 'That file is not available.',
  file_too_large: 'That file is too large.',
  not_stored: 'The message could not be stored. It will be retried.',
  server_stopping: 'The server is restarting. Reconnecting…',
  busy: 'They are already in a call.',
  call_not_found: 'That call has ended.',
  not_call_party: 'You are not part of that call.',
  internal_error: 'Something went wrong on the server. Please try again.',
  network: 'Cannot reach the server. Check your connection.',
  timeout: 'The server did not answer in time. Please try again.',
};

export function describeError(code: string | undefined, detail?: string): string {
  if (code && messages[code]) {
    // A validation problem's detail names the field and is written for people: it is the better message.
    if (code === 'validation_failed' && detail) return detail;
    return messages[code];
  }
  return detail || 'Something went wrong. Please try again.';
}

export const endReasons: Record<string, string> = {
  no_answer: 'No answer',
  rejected: 'Declined',
  cancelled: 'Cancelled',
  hung_up: 'Call ended',
  busy: 'Busy',
  dropped: 'Call dropped',
};
