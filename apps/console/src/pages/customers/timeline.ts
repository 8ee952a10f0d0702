/** The relationship timeline as `GET /customers/{id}/timeline` answers it (its OpenAPI entry has no response schema). */
export interface TimelineInteraction {
  interactionId: string;
  channel: string;
  direction: string;
  actor: { kind?: string; id?: string } | null;
  action: string;
  response?: string;
  occurredAt: string;
  position: string;
}

export interface TimelineEpisode {
  episodeId: string;
  name: string;
  episodeType: string;
  owner: { kind: 'department'; department: string } | { kind: 'partner'; partnerId: string };
  openedAt: string;
  recordedAt?: string;
  stage?: string;
  closed?: { outcome: string; closedAt: string; value?: number; currency?: string; reason?: string };
  interactions: TimelineInteraction[];
  position: string;
}

export interface TimelinePage {
  customerId: string;
  asOf?: string;
  episodes: TimelineEpisode[];
  entries: number;
  nextCursor?: string;
}

export interface TimelineFilter {
  department?: string;
  partnerId?: string;
  channel?: string;
  episodeType?: string;
}

/** A page's episodes merged into the ones before: an episode spanning pages appears once, with all its interactions. */
export function mergePages(pages: TimelinePage[]): TimelineEpisode[] {
  const byId = new Map<string, TimelineEpisode>();
  for (const page of pages)
    for (const e of page.episodes) {
      const seen = byId.get(e.episodeId);
      if (seen)
        seen.interactions = [...seen.interactions, ...e.interactions.filter((i) => !seen.interactions.some((s) => s.interactionId === i.interactionId))];
      else byId.set(e.episodeId, { ...e, interactions: [...e.interactions] });
    }
  return [...byId.values()];
}
