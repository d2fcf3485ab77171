import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const AUTH_TOKEN_HEADER = 'X-Auth-Token';
const AUTH_USER_HEADER = 'X-Auth-User';

/** Compares digests, so neither the length nor the content of a secret leaks through timing. */
function matchesAny(secrets: readonly string[], given: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  const givenDigest = digest(given);
  let match = false;
  for (const secret of secrets) match = timingSafeEqual(digest(secret), givenDigest) || match;
  return match;
}

/** Judge0 takes the credential from the header or from a parameter of the same name. */
function credential(request: FastifyRequest, name: string): string {
  const header = request.headers[name.toLowerCase()];
  if (typeof header === 'string') return header;
  const param = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof param === 'string' ? param : '';
}

/**
 * Judge0's two gates. Authentication (X-Auth-Token) guards every Judge0 route when tokens are
 * configured: 401 otherwise. Authorization (X-Auth-User) guards the administrative routes and,
 * as in Judge0, refuses them (403) when no user is configured at all. Both answer with an empty
 * body, as Judge0 does.
 */
export class Judge0Auth {
  constructor(
    private readonly tokens: readonly string[],
    private readonly users: readonly string[],
  ) {}

  /** An onRequest hook; preflight requests carry no credentials and pass. */
  authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (request.method === 'OPTIONS' || this.tokens.length === 0) return undefined;
    if (matchesAny(this.tokens, credential(request, AUTH_TOKEN_HEADER))) return undefined;
    // Returning the reply ends the request here: the handler never runs.
    return reply.status(401).send();
  };

  /** A preHandler of the administrative routes. */
  authorize = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (this.users.length > 0 && matchesAny(this.users, credential(request, AUTH_USER_HEADER))) return undefined;
    return reply.status(403).send();
  };
}
