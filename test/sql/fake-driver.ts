/**
 * An object shaped like the parts of `mssql` that providers/sql/mssql.ts uses. It records every pool
 * config and every request (SQL text, parameters, per-request timeout) and answers from a script.
 */
import type { config as MssqlConfig } from "mssql";
import type { DriverInfoMessage, DriverPool, DriverRequest, MssqlDriver } from "../../providers/sql/mssql";

export interface RecordedParam {
  name: string;
  type: string;
  value: unknown;
}

export interface RecordedRequest {
  server: string;
  instanceName: string | undefined;
  sql: string;
  params: RecordedParam[];
  /** undefined: pool.request() (the pool's default timeout); a number: new Request(pool, { requestTimeout }). */
  requestTimeout: number | undefined;
}

export interface Answer {
  recordset?: unknown[];
  info?: string[];
  error?: Error;
}

/** Decides the answer to a request; the default answers everything with an empty result. */
export type Responder = (req: RecordedRequest) => Answer;

export class FakeMssql {
  readonly configs: MssqlConfig[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly closed: string[] = [];
  connectError: Error | undefined;
  respond: Responder = () => ({});

  readonly driver: MssqlDriver;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;

    class Request implements DriverRequest {
      private readonly params: RecordedParam[] = [];
      private readonly listeners: ((m: DriverInfoMessage) => void)[] = [];
      constructor(
        private readonly pool: Pool,
        private readonly overrides?: { requestTimeout: number },
      ) {}
      input(name: string, type: unknown, value: unknown): this {
        this.params.push({ name, type: String(type), value });
        return this;
      }
      on(_event: "info", listener: (m: DriverInfoMessage) => void): this {
        this.listeners.push(listener);
        return this;
      }
      async query(sql: string): Promise<{ recordset: unknown[] }> {
        const rec: RecordedRequest = {
          server: this.pool.config.server,
          instanceName: this.pool.config.options?.instanceName,
          sql,
          params: this.params,
          requestTimeout: this.overrides?.requestTimeout,
        };
        fake.requests.push(rec);
        const answer = fake.respond(rec);
        for (const m of answer.info ?? []) for (const l of this.listeners) l({ message: m, number: 3211 });
        if (answer.error) throw answer.error;
        return { recordset: answer.recordset ?? [] };
      }
    }

    class Pool implements DriverPool {
      constructor(readonly config: MssqlConfig) {
        fake.configs.push(config);
      }
      async connect(): Promise<this> {
        if (fake.connectError) throw fake.connectError;
        return this;
      }
      async close(): Promise<void> {
        fake.closed.push(`${this.config.server}\\${this.config.options?.instanceName ?? ""}`);
      }
      request(): DriverRequest {
        return new Request(this);
      }
      on(): this {
        return this;
      }
    }

    this.driver = {
      ConnectionPool: Pool,
      Request: Request as unknown as MssqlDriver["Request"],
      NVarChar: (length: number) => `NVarChar(${length})`,
      Int: "Int",
    };
  }
}

/** A RESTORE HEADERONLY row as tedious returns it (numeric(20,0) as a number, bit as boolean). */
export function headerRow(over: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    BackupName: null,
    BackupType: 1,
    Position: 1,
    DatabaseName: "nvprodb",
    BackupStartDate: new Date("2026-03-01T02:00:00.000Z"),
    BackupFinishDate: new Date("2026-03-01T02:03:12.250Z"),
    BackupSize: 734003200,
    HasBackupChecksums: true,
    IsCopyOnly: true,
    ...over,
  };
}

/** A mssql RequestError-like error with the earlier messages of the batch. */
export function requestError(message: string, preceding: string[] = [], code = "EREQUEST"): Error {
  const e = new Error(message) as Error & { code: string; precedingErrors: Error[] };
  e.name = "RequestError";
  e.code = code;
  e.precedingErrors = preceding.map((m) => new Error(m));
  return e;
}

/** The value, or a failed test when it is missing. */
export function must<T>(value: T | undefined | null, what = "value"): T {
  if (value === undefined || value === null) throw new Error(`expected a ${what}`);
  return value;
}
