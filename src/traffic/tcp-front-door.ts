import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Balancer, type Upstream } from './balancer.js';
import type { FrontDoorDeps } from './http-front-door.js';
import { listenOn } from './listen.js';

/**
 * A service's TCP front door: each connection is piped, both ways and with half-closes
 * kept, to one ready replica. A connection a replica refuses goes to another one (nothing
 * was sent yet: the caller's bytes wait unread until a replica accepted); once piped, a
 * replica that dies takes the connection with it — bytes already sent cannot be known to
 * have been handled, so nothing is replayed. No ready replica: the connection is closed.
 *
 * @example const door = new TcpFrontDoor(deps); await door.listen(); … await door.close();
 */
export class TcpFrontDoor {
  private readonly server: Server;
  private readonly balancer: Balancer;
  private readonly open = new Set<Socket>();

  constructor(private readonly deps: FrontDoorDeps) {
    this.balancer = new Balancer(deps.expose.balance, deps.inFlight);
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
      this.open.add(client);
      client.once('close', () => this.open.delete(client));
      client.on('error', () => client.destroy());
      this.connect(client, new Set());
    });
  }

  listen(): Promise<void> {
    return listenOn(this.server, this.deps.expose.port, this.deps.expose.host);
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `tcp://${this.deps.expose.host}:${port}`;
  }

  /** Nothing to forget: a TCP connection is never reused for another caller. */
  forget(): void {}

  /** Stop accepting; connections still open are closed (`up` stops after its replicas drained). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.open) socket.destroy();
    await closed;
  }

  private connect(client: Socket, tried: Set<string>): void {
    const { service, metrics } = this.deps;
    const target = this.balancer.pick(this.deps.upstreams(), tried);
    if (!target) {
      metrics.failed.inc({ service, reason: tried.size === 0 ? 'no_ready_replica' : 'upstream_failed' });
      client.destroy();
      return;
    }
    if (tried.size > 0) metrics.retries.inc({ service });
    tried.add(target.instance);
    this.pipe(client, target, tried);
  }

  private pipe(client: Socket, target: Upstream, tried: Set<string>): void {
    const { service, metrics } = this.deps;
    const done = this.deps.inFlight.begin(target.instance);
    const upstream = connect({ host: '127.0.0.1', port: target.port, allowHalfOpen: true });
    let piped = false;
    upstream.once('connect', () => {
      piped = true;
      this.deps.outcomes.record(target.instance, { ok: true });
      metrics.connections.inc({ service, replica: target.instance });
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      metrics.upstreamErrors.inc({ service, replica: target.instance });
      if (!piped) this.deps.outcomes.record(target.instance, { ok: false });
      if (!piped && !client.destroyed) {
        done();
        this.connect(client, tried);
        return;
      }
      client.destroy();
    });
    upstream.once('close', () => {
      done();
      if (piped && !client.writableEnded) client.destroy();
    });
    client.once('close', () => upstream.destroy());
  }
}
