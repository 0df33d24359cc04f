// manifest.json is what an operator pastes into Slack to create the app: Slack's limits, our routes, and a
// description that says what the agent really does (it pauses on zero delivery too, and asks when unsure).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fakes/pacing-cli.js';

interface Manifest {
  display_information: { name: string; description: string; long_description: string };
  features: { slash_commands: { command: string; url: string; usage_hint: string }[] };
  settings: {
    event_subscriptions: { request_url: string };
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
  };
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as Manifest;
const { description, long_description: long } = manifest.display_information;

describe('manifest.json', () => {
  it("keeps to Slack's length limits for the descriptions", () => {
    expect(description.length).toBeLessThanOrEqual(140);
    expect(long.length).toBeGreaterThanOrEqual(175);
    expect(long.length).toBeLessThanOrEqual(4000);
  });

  it('describes what the agent does: alerts, pauses when sure (overspend or no delivery), asks when unsure', () => {
    expect(description).toMatch(/\basks an approver when it is unsure\.$/);
    expect(long).toMatch(/pauses a campaign on its own only when it is confident/);
    expect(long).toMatch(/not delivering/);
    expect(long).toMatch(/asks an approver/);
  });

  it('reads as written text: no doubled words, no space before punctuation, sentences closed', () => {
    for (const text of [description, long]) {
      expect(text).not.toMatch(/\b(\w+) \1\b/i);
      expect(text).not.toMatch(/ [,.;:]/);
      expect(text).toMatch(/[.!]$/);
    }
  });

  it("sends commands, interactions and events to Bolt's /slack/events", () => {
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/pacing']);
  });
});
