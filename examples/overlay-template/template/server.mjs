// Serves the template's index.html; runs from the overlay's target, never from the template itself.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const port = Number(process.env.PORT ?? 5000);
createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(readFileSync(new URL('./index.html', import.meta.url)));
}).listen(port, '127.0.0.1', () => console.log(`serving ${process.cwd()} on http://127.0.0.1:${port}`));
