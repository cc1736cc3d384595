import type { DependencyGraph } from '../analyze/root-cause/dependency-graph.js';

/**
 * The services of homeostat.yaml split into the groups the loop correlates within: the
 * connected components of the `dependsOn` graph (edges taken both ways). A service in no
 * `dependsOn` relation is a group of its own and keeps one incident per service. Each
 * group is reconciled under one work-queue key (`group:<first name>`), so two symptoms of
 * one fault never race to open two incidents.
 *
 * @example new DependencyGroups({ api: { dependsOn: ['db'] }, db: { dependsOn: [] }, cron: { dependsOn: [] } }).queueKey('db') // 'group:api'
 * @example groups.queueKey('cron') // 'cron' (no relation: its own key, as before correlation)
 */
export class DependencyGroups {
  readonly graph: DependencyGraph;
  private readonly groupOf = new Map<string, string>();
  private readonly members = new Map<string, string[]>();

  constructor(services: Readonly<Record<string, { dependsOn: readonly string[] }>>) {
    const graph = new Map<string, string[]>();
    const neighbours = new Map<string, Set<string>>();
    const link = (a: string, b: string) => neighbours.set(a, (neighbours.get(a) ?? new Set()).add(b));
    for (const [name, service] of Object.entries(services)) {
      graph.set(name, [...service.dependsOn]);
      for (const target of service.dependsOn) {
        link(name, target);
        link(target, name);
      }
    }
    this.graph = graph;
    for (const name of [...neighbours.keys()].sort()) {
      if (this.groupOf.has(name)) continue;
      const id = `group:${name}`;
      const stack = [name];
      const members: string[] = [];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (this.groupOf.has(next)) continue;
        this.groupOf.set(next, id);
        members.push(next);
        stack.push(...(neighbours.get(next) ?? []));
      }
      this.members.set(id, members.sort());
    }
  }

  /** The work-queue key of `service`: its group's, or the service itself. */
  queueKey(service: string): string {
    return this.groupOf.get(service) ?? service;
  }

  /** The services reconciled under `key`. */
  servicesOf(key: string): string[] {
    return this.members.get(key) ?? [key];
  }

  /** Whether `key` is a correlated group (several services). */
  isGroup(key: string): boolean {
    return this.members.has(key);
  }

  /** The services correlated with `service` (itself included). */
  scope(service: string): string[] {
    return this.servicesOf(this.queueKey(service));
  }
}
