/** Text of the live timeline view (`/live/customers/:id`). */
export const live = {
  title: 'Live timeline',
  intro: 'The latest interactions with {name}. New ones appear here as they are recorded, without reloading.',
  connected: 'Live',
  disconnected: 'Reconnecting…',
  statusLabel: 'Live updates: {status}',
  empty: 'No interactions yet. They appear here as soon as someone records one.',
  notFound: 'This customer does not exist or is not shared with you.',
  listLabel: 'Latest interactions',
  scrollLabel: 'Latest interactions (scrolls sideways)',
  episode: '{episode} ({type})',
  channel: 'Channel',
  action: 'Action',
  response: 'Response',
  when: 'When',
  inEpisode: 'Episode',
  direction: {
    inbound: 'inbound',
    outbound: 'outbound',
  },
  updated: 'Updated {time}',
} as const;
