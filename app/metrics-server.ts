import { createServer } from 'node:http';

/**
 * A plain listener for Prometheus on its own port (METRICS_PORT, bound to METRICS_HOST, loopback
 * by default): scrapers inside the network read it without a credential, and the public port
 * serves metrics only to operators.
 */
export async function serveMetrics(options: {
  port: number;
  host: string;
  scrape(): Promise<{ contentType: string; body: string }>;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    options.scrape().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
