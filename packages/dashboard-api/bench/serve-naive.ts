// Benchmark child: the naive approach the index replaces. Every request walks the root and
// reads and parses every progress.json; SSE polls the whole set every 2 s (as the tool it
// replaces did) and sends the runs whose record changed.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { parseRunRecord } from '@runboard/launcher';
import type { RunRecord } from '@runboard/launcher';

const root = process.argv[2];
const POLL_MS = 2000;

async function readAll(): Promise<Map<string, { record: RunRecord; text: string }>> {
  const runs = new Map<string, { record: RunRecord; text: string }>();
  const visit = async (dir: string, id: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    if (id && entries.some((entry) => entry.name === 'progress.json')) {
      try {
        const text = await readFile(join(dir, 'progress.json'), 'utf8');
        runs.set(id, { record: parseRunRecord(JSON.parse(text)), text });
      } catch {
        // The naive reader has no better answer than to skip it.
      }
      return;
    }
    await Promise.all(
      entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => visit(join(dir, entry.name), id ? `${id}/${entry.name}` : entry.name)),
    );
  };
  await visit(root, '');
  return runs;
}

const app = new Hono();
app.get('/api/runs', async (c) => {
  const limit = Number(c.req.query('limit') ?? 100);
  const runs = [...(await readAll()).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return c.json({
    runs: runs.slice(0, limit).map(([id, { record }]) => ({ id, record })),
    total: runs.length,
  });
});
app.get('/api/events', (c) => {
  let timer: NodeJS.Timeout | undefined;
  let previous: Map<string, { text: string }> | undefined;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(': connected\n\n'));
      const tick = async (): Promise<void> => {
        const current = await readAll();
        if (previous) {
          for (const [id, run] of current) {
            if (previous.get(id)?.text !== run.text) {
              controller.enqueue(
                encoder.encode(
                  `event: run\ndata: ${JSON.stringify({ id, record: run.record })}\n\n`,
                ),
              );
            }
          }
        }
        previous = current;
        controller.enqueue(encoder.encode(': polled\n\n'));
        timer = setTimeout(() => void tick(), POLL_MS);
      };
      void tick();
    },
    cancel() {
      clearTimeout(timer);
    },
  });
  return c.body(body, 200, { 'content-type': 'text/event-stream' });
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  console.log(JSON.stringify({ port: info.port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
