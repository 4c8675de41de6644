// TypeScript types of @geckoguard/agent-client.
import { EventEmitter } from 'events';

export type ReasonCode =
  | 'LICENSE_NOT_FOUND' | 'PRODUCT_MISMATCH' | 'LICENSE_REVOKED'
  | 'LICENSE_EXPIRED' | 'LICENSE_EXPIRED_RELATIVE' | 'HWID_MISMATCH'
  | 'HWID_LIMIT_EXCEEDED' | 'IP_MISMATCH' | 'IP_LIMIT_EXCEEDED'
  | 'IP_REGION_MISMATCH' | 'CONCURRENCY_LIMIT_EXCEEDED' | 'HWID_BLACKLISTED'
  | 'IP_BLACKLISTED' | 'AGENT_OFFLINE' | 'OFFLINE_GRACE_EXPIRED'
  | 'CLOCK_TAMPERED' | 'AGENT_UNAUTHORIZED' | 'AGENT_STOPPING'
  | 'AGENT_UNAVAILABLE' | 'CLIENT_INVALID_ARGUMENT';

export const REASONS: Readonly<{ [K in ReasonCode]: K }>;

/** The user-facing text for a reason code ("Validation failed" if unknown). */
export function defaultMessage(reasonCode: string | null | undefined): string;

/** An answer read by the one rule: allow only for ok, allow, no reasonCode, no error. */
export interface Verdict {
  ok: boolean;
  allow: boolean;
  /** null on allow; a ReasonCode (or a newer server code) on deny. */
  reasonCode: ReasonCode | string | null;
  message: string;
  /** online | cache | offline | local | client */
  source: string;
  sessionId?: string;
  effectiveExpiresAt?: string | null;
  graceEndsAt?: string | null;
  licenseId?: string;
  /** Set for a request error (VALIDATION_ERROR, SESSION_NOT_FOUND, ...). */
  errorCode?: string;
  /** verdict: an answer; error: a request error; protocol: made no sense. */
  kind: 'verdict' | 'error' | 'protocol';
}

export interface AgentEvent {
  type: 'verdict' | 'shutdown' | 'session_lost';
  /** The session it concerns; '' for shutdown. */
  sessionId: string;
  verdict: Verdict;
}

export interface AgentClientOptions {
  /** Socket path or pipe name; default GG_AGENT_SOCKET, then the system one. */
  path?: string;
  /** Bound on connecting and on each answer; default 15000 (above the agent's 5 s deadline). */
  timeoutMs?: number;
  /** A uid the agent may run as besides root, this user and "gg-agent". */
  agentUid?: number;
}

export interface AuthorizeOptions {
  app?: { name: string; version?: string };
  /** Outlives the connection; needs heartbeats. */
  detached?: boolean;
}

export class AgentClient extends EventEmitter {
  constructor(options?: AgentClientOptions);
  readonly path: string;
  timeoutMs: number;
  /** '' after a call that succeeded. */
  lastError: string;
  connect(): Promise<boolean>;
  /** Never rejects: a deny with AGENT_UNAVAILABLE when the agent is absent. */
  authorize(productId: string, licenseKey: string, options?: AuthorizeOptions): Promise<Verdict>;
  heartbeat(sessionId: string): Promise<Verdict>;
  release(sessionId: string): Promise<boolean>;
  status(): Promise<Record<string, unknown> | null>;
  call(request: Record<string, unknown>): Promise<Record<string, unknown> | null>;
  /** null on timeout; rejects with code AGENT_UNAVAILABLE when no connection could be made. */
  nextEvent(timeoutMs: number): Promise<AgentEvent | null>;
  close(): void;
  on(event: 'event', listener: (e: AgentEvent) => void): this;
}

export function verdictFromAnswer(answer: unknown): Verdict;
export function defaultEndpoint(env?: NodeJS.ProcessEnv): string;
export const DEFAULT_TIMEOUT_MS: number;
export const MAX_FRAME_BYTES: number;
