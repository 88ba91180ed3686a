// A TCP relay in its own process (so the test's event loop cannot skew its clock) that writes
// the time of every accepted connection to a log file, one line each (ms, high resolution),
// and forwards the bytes to the target. Usage: node accept-log-relay.mjs TARGET_HOST TARGET_PORT LOG
// Prints the port it listens on (127.0.0.1, ephemeral) on stdout.
import fs from 'node:fs';
import net from 'node:net';

const [host, port, log] = process.argv.slice(2);
fs.writeFileSync(log, '');
const server = net.createServer((client) => {
  fs.appendFileSync(log, `${(performance.timeOrigin + performance.now()).toFixed(3)}\n`);
  const upstream = net.connect(Number(port), host);
  const drop = () => {
    client.destroy();
    upstream.destroy();
  };
  client.setTimeout(60_000, drop);
  client.on('error', drop);
  upstream.on('error', drop);
  client.pipe(upstream);
  upstream.pipe(client);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
