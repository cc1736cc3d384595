import { connect } from 'node:net';

/**
 * One redis command over its own connection (RESP), answered by the first line of the
 * reply: `+OK`, `+PONG`, `-OOM command not allowed when used memory > 'maxmemory'.`, `:1`.
 * Enough for the e2e fixtures and tests to write and to reconfigure a real `redis-server`
 * without depending on `redis-cli`.
 * @example await redisCommand(6379, ['CONFIG', 'SET', 'maxmemory', '1']) // '+OK'
 * @example await redisCommand(6379, ['SET', 'k', 'v']) // '-OOM command not allowed …' when full
 */
export function redisCommand(port: number, args: string[], timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`redis on port ${port} did not answer ${args[0]} within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end < 0) return;
      socket.end();
      resolve(reply.slice(0, end));
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}
