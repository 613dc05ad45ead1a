import type { FastifyInstance, HTTPMethods } from 'fastify';
import { HttpFailure } from './failures.js';

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Collects the routes a plugin registers; `close()` then adds, for every path, a route for
 * each other method that fails with 405 and an Allow header, so that the plugin's own error
 * handler answers it in the surface's shape. Call `close()` after the plugin's last route.
 */
export function trackMethodsPerPath(instance: FastifyInstance): { close(): void } {
  const methodsByPath = new Map<string, Set<string>>();
  instance.addHook('onRoute', (route) => {
    if (route.config?.methodNotAllowed) return;
    // route.url includes the plugin prefix; routes added through `instance` get it again.
    const url = route.url.slice(route.prefix.length);
    const methods = methodsByPath.get(url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByPath.set(url, methods);
  });
  return {
    close() {
      // A route at '/' under a prefix is registered at the bare prefix too (seen here as '' and
      // '/'): one path, whose 405 route at '/' covers both.
      const bare = methodsByPath.get('');
      const slash = methodsByPath.get('/');
      if (bare && slash) {
        for (const method of bare) slash.add(method);
        methodsByPath.delete('');
      }
      for (const [url, allowed] of methodsByPath) {
        const others = METHODS.filter((m) => !allowed.has(m));
        if (others.length === 0) continue;
        const allow = [...allowed].filter((m) => m !== 'HEAD').join(', ');
        instance.route({
          method: others,
          url,
          config: { methodNotAllowed: true },
          schema: { hide: true },
          handler: async (request) => {
            throw new HttpFailure('method_not_allowed', `${request.method} is not allowed here; allowed: ${allow}`, [], { allow });
          },
        });
      }
    },
  };
}
