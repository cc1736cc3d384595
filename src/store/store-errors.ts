import { HomeostatError } from '../errors/homeostat-error.js';

/**
 * A checkpoint write was refused because another worker has claimed the run since
 * (its epoch moved on). The writer must drop the run: it is no longer its owner.
 */
export class FencedError extends HomeostatError {
  readonly runId: string;
  constructor(runId: string, epoch: number) {
    super('HS_FENCED', `run ${runId}: write refused, epoch ${epoch} is stale (another worker took the run over)`, {
      retryable: false,
    });
    this.runId = runId;
  }
}

/** The store file or URL could not be opened as a homeostat store. */
export class StoreOpenError extends HomeostatError {
  constructor(code: 'HS_STORE_CORRUPT' | 'HS_STORE_URL' | 'HS_STORE_OPEN', message: string, cause?: unknown) {
    super(code, message, { retryable: false, cause });
  }
}

/** No run with this id exists. */
export class RunNotFoundError extends HomeostatError {
  constructor(runId: string) {
    super('HS_RUN_NOT_FOUND', `no run with id ${JSON.stringify(runId)}`, { retryable: false });
  }
}

/** The run is not in a state that allows this operation (e.g. redrive of a running run). */
export class InvalidRunStateError extends HomeostatError {
  constructor(runId: string, status: string, operation: string) {
    super('HS_INVALID_RUN_STATE', `cannot ${operation} run ${runId}: it is ${status}`, { retryable: false });
  }
}

/**
 * The database could not be reached, or a connection broke mid-call, or the server
 * restarted since this run's history was loaded. Nothing was half-written: the engine
 * retries the run later from its recorded history.
 */
export class StoreUnavailableError extends HomeostatError {
  constructor(message: string, cause?: unknown) {
    super('HS_STORE_UNAVAILABLE', message, { retryable: true, cause });
  }
}

/** A leader action carried a fencing token of a term that is over (a deposed leader). */
export class NotLeaderError extends HomeostatError {
  constructor(name: string, token: number) {
    super('HS_NOT_LEADER', `lease ${JSON.stringify(name)}: token ${token} is no longer the current term; the action was refused`, {
      retryable: false,
    });
  }
}

/**
 * The store's disk is full (SQLite `SQLITE_FULL`): the write was refused and nothing of
 * it was applied. Reads still work. Retrying succeeds once space is freed.
 */
export class StoreFullError extends HomeostatError {
  constructor(path: string, cause?: unknown) {
    super('HS_STORE_FULL', `store ${path}: the disk is full, the write was not applied (free space on that filesystem; writes resume by themselves)`, { retryable: true, cause });
  }
}

/**
 * The store's file is no longer the one opened: deleted or replaced under a running
 * process. Every later call fails: writes would go into a file no one else can read.
 */
export class StoreLostError extends HomeostatError {
  constructor(path: string, what: string) {
    super('HS_STORE_LOST', `store ${path}: ${what}; nothing more is read or written through it (restart homeostat to open a new store, or restore the file, e.g. from the saved copy)`, { retryable: false });
  }
}

/** SQLite found a damaged page while running (`SQLITE_CORRUPT`), or a disk I/O error (`SQLITE_IOERR`). */
export class StoreDamagedError extends HomeostatError {
  constructor(code: 'HS_STORE_CORRUPT' | 'HS_STORE_IO', path: string, cause: unknown) {
    const detail = (cause as Error).message;
    super(code, code === 'HS_STORE_CORRUPT' ? `store ${path} is corrupt (${detail}): restore it from a backup, or move it aside to start empty` : `store ${path}: disk I/O error (${detail})`, {
      retryable: code === 'HS_STORE_IO',
      cause,
    });
  }
}
