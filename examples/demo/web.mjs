// The demo web front: serves STATIC_DIR (laid down by the web-template overlay) and forwards /api/* to API_URL.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const port = Number(process.env.PORT ?? 4101);
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:4100';
const staticDir = process.env.STATIC_DIR ?? '.';
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript' };

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') return res.end('ok');
  if (url.pathname.startsWith('/api/')) {
    try {
      const upstream = await fetch(new URL(url.pathname, apiUrl));
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      return res.end(await upstream.text());
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      return res.end(`api unreachable at ${apiUrl}: ${error.message}`);
    }
  }
  const file = normalize(url.pathname === '/' ? '/index.html' : url.pathname).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = await readFile(join(staticDir, file));
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
});

server.listen(port, '127.0.0.1', () => console.log(`web listening on http://127.0.0.1:${port} (api: ${apiUrl})`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
