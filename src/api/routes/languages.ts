import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { LanguageRegistry } from '../../languages/index.js';
import { LanguageSchema } from '../schemas.js';

export function languageRoutes(app: FastifyInstance, languages: LanguageRegistry): void {
  app.get(
    '/v1/languages',
    {
      schema: {
        summary: 'Languages this server can run, with the toolchain versions probed at start',
        tags: ['languages'],
        response: { 200: Type.Array(LanguageSchema) },
      },
    },
    async () => languages.list().map((l) => ({ id: l.id, name: l.name, version: l.version, compiled: l.compiled })),
  );
}
