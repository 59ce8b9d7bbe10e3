// Live events over Server-Sent Events (GET /v1/events/subscribe?from=P), read with fetch and a
// ReadableStream: EventSource cannot send the Authorization header, and the token must never go
// in a URL. The frames are parsed as the SSE standard says (fields, comments, blank line ends an
// event), and a dropped stream is resumed from the position after the last event seen.
import { request } from './api.js';

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

// Streams events from position `from` until `signal` aborts. onEvent({id, type, data}) gets each
// event (data: the parsed JSON event of API.md); onStatus(state, error?) hears 'connecting',
// 'live', 'retrying' (the stream dropped: it resumes) and 'stopped' (a refusal it cannot resume
// from, such as 401 or 403).
export async function subscribe({ from, signal, onEvent, onStatus = () => {} }) {
  let next = from;
  let retryMs = 2000;
  while (!signal.aborted) {
    onStatus('connecting');
    try {
      const response = await request('/v1/events/subscribe', {
        params: { from: next }, signal, headers: { Accept: 'text/event-stream' } });
      onStatus('live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let frame = { id: null, type: 'message', data: [] };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, end).replace(/\r$/, '');
          buffer = buffer.slice(end + 1);
          if (line === '') {  // a blank line ends the event
            if (frame.data.length) {
              const data = JSON.parse(frame.data.join('\n'));
              if (frame.type === 'error') throw Object.assign(new Error(data.detail || 'stream error'), data);
              if (frame.id !== null) next = Number(frame.id) + 1;
              onEvent({ id: frame.id, type: frame.type, data });
            }
            frame = { id: null, type: 'message', data: [] };
            continue;
          }
          if (line.startsWith(':')) continue;  // a keep-alive comment
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') frame.data.push(text);
          else if (field === 'event') frame.type = text;
          else if (field === 'id') frame.id = text;
          else if (field === 'retry' && /^\d+$/.test(text)) retryMs = Number(text);
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      // A refusal is final: the token is wrong or lacks the audit scope.
      if ([400, 401, 403].includes(error.status)) {
        onStatus('stopped', error);
        return;
      }
      onStatus('retrying', error);
      await sleep(retryMs, signal);
      continue;
    }
    if (!signal.aborted) onStatus('retrying');  // the server ended the stream (a restart): resume
    await sleep(retryMs, signal);
  }
}
