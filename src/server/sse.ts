import type { ServerResponse } from 'node:http';
import type { RunEvent } from '../runs/events.ts';
import type { Run } from '../runs/run.ts';
import { pumpRunEvents } from './event-pump.ts';

function frame(id: number, event: RunEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Streams a run's events after `afterId` as Server-Sent Events, pulling from the run's buffer at
 * the pace the socket drains. Ends after `exit`. The client's departure (FIN, RST or a failed
 * write) detaches it from the run, which decides what that means.
 */
export function streamRun(run: Run, res: ServerResponse, afterId: number): void {
  pumpRunEvents(run, res, afterId, {
    write: (id, event) => res.write(frame(id, event)),
    end: (id, event) => res.end(frame(id, event)),
  });
}
