// Splits a text stream into NDJSON values, whatever the chunk boundaries.

/** Raised for a line that is not JSON. */
export class NdjsonError extends Error {
  constructor(
    message: string,
    readonly line: string,
  ) {
    super(message);
    this.name = 'NdjsonError';
  }
}

/** Incremental NDJSON parser: feed chunks, get whole values; blank lines are skipped. */
export class NdjsonSplitter {
  #rest = '';

  /** Values completed by this chunk. */
  push(chunk: string): unknown[] {
    const text = this.#rest + chunk;
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? '';
    return lines.filter((l) => l.trim() !== '').map(parseLine);
  }

  /** The last value if the stream ended without a newline. */
  end(): unknown[] {
    const rest = this.#rest;
    this.#rest = '';
    return rest.trim() === '' ? [] : [parseLine(rest)];
  }
}

const parseLine = (line: string): unknown => {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new NdjsonError(`invalid NDJSON line: ${error instanceof Error ? error.message : String(error)}`, line.slice(0, 200));
  }
};
