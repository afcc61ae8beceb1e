import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { Tier } from '@tiergate/contracts';
import { API_KEY_AUTH_KEY, PUBLIC_KEY, ROLES_KEY } from '@tiergate/api-core';

export interface RouteInfo {
  method: string;
  path: string;
  controller: string;
  handler: string;
  isPublic: boolean;
  /** Authenticated by an API key inside the handler (the relay). */
  apiKeyAuth: boolean;
  roles: Tier[] | undefined;
}

function join(...parts: string[]): string {
  const path = parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
  return '/' + path.replace(/:(\w+)/g, '{$1}');
}

/** Every route Nest registered, with the guard metadata the AccessGuard reads. */
export function listRoutes(app: INestApplication): RouteInfo[] {
  const modules = app.get(ModulesContainer);
  const scanner = new MetadataScanner();
  const reflector = app.get(Reflector);
  const routes: RouteInfo[] = [];
  const controllers = [...modules.values()].flatMap((m) => [...m.controllers.values()]);
  for (const wrapper of controllers) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || !wrapper.metatype) continue;
    const prefixes = [].concat(Reflect.getMetadata(PATH_METADATA, wrapper.metatype) ?? '');
    const proto = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = (proto as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const targets = [handler, wrapper.metatype];
      const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true;
      const roles = reflector.getAllAndOverride<Tier[] | undefined>(ROLES_KEY, targets);
      const apiKeyAuth = reflector.getAllAndOverride<boolean>(API_KEY_AUTH_KEY, targets) === true;
      for (const prefix of prefixes) {
        for (const p of ([] as string[]).concat(path)) {
          routes.push({ method, path: join(prefix, p), controller: wrapper.name, handler: name, isPublic, apiKeyAuth, roles });
        }
      }
    }
  }
  return routes;
}
