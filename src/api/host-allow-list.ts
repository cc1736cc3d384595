/** Names that always reach this machine's own loopback. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
/** Bind addresses that mean "every interface": not names a client sends. */
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** The host name of a `Host` header (`example.com:4000` → `example.com`, `[::1]:80` → `::1`), lower-cased. */
export function hostNameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const text = header.trim().toLowerCase();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    return end > 0 ? text.slice(1, end) : undefined;
  }
  const colon = text.indexOf(':');
  const name = colon === -1 ? text : text.slice(0, colon);
  return name.replace(/\.$/, '') || undefined;
}

/**
 * The `Host` names the API answers to: loopback names, the configured bind host (unless
 * it is a wildcard) and `api.allowedHosts`. A page on another site that rebinds its DNS
 * name to 127.0.0.1 still sends its own name in `Host`, so it is refused before any route
 * (even a public one) runs.
 *
 * @example allowedHostNames('0.0.0.0', ['homeostat.internal']) // Set { 'localhost', '127.0.0.1', '::1', 'homeostat.internal' }
 */
export function allowedHostNames(bindHost: string, extra: readonly string[] = []): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  for (const name of [bindHost, ...extra]) {
    const normalised = name.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (!WILDCARDS.has(normalised)) names.add(normalised);
  }
  return names;
}
