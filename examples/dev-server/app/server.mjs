// A minimal "dev server": /health for the probe, / says hello. Listens on $PORT (assigned by sbx).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  res.end(`${process.env.GREETING ?? 'hello'} (${process.env.APP_NAME ?? 'app'}, ${process.env.NODE_ENV})\n`);
}).listen(port, '127.0.0.1', () => console.log(`dev server on http://127.0.0.1:${port}`));
