// The demo API: GET /health for the probe, GET /api/hello for the web front. Listens on $PORT (assigned by sbx).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 4100);
const greeting = process.env.GREETING ?? 'hello';

const server = createServer((req, res) => {
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/health') return send(200, { status: 'ok' });
  if (req.url === '/api/hello') return send(200, { message: `${greeting} from the api`, pid: process.pid, at: new Date().toISOString() });
  return send(404, { error: 'not found' });
});

server.listen(port, '127.0.0.1', () => console.log(`api listening on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
