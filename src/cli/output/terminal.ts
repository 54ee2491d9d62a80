/**
 * Text that reaches a terminal: strings printed from a manifest, an error of a remote server or
 * any other input kubekeeper does not control may carry escape sequences that rewrite the
 * screen (hide a line, fake a prompt, set the window title). Every string written to stdout and
 * stderr goes through stripControl(); kubekeeper's own progress bar writes its redraw sequences
 * to the raw stream underneath.
 */
import { Writable } from 'node:stream';

/**
 * C0 controls except tab and newline, DEL, C1 controls, and the Unicode bidirectional
 * overrides and isolates (which can show a name reversed).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without terminal control characters (newlines and tabs are kept). */
export function stripControl(text: string): string {
  return text.replace(CONTROL, '');
}

/**
 * A stream that strips control characters from every string written to it and passes bytes
 * (Buffer, Uint8Array: snapshot data written to stdout) through unchanged.
 */
export class TerminalSafeStream extends Writable {
  /** The stream underneath, for kubekeeper's own control sequences (progress bar redraws). */
  readonly raw: Writable;

  constructor(raw: Writable) {
    super({ decodeStrings: false });
    this.raw = raw;
    raw.on('error', (err) => this.destroy(err));
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.raw.write(typeof chunk === 'string' ? stripControl(chunk) : (chunk as Uint8Array), callback);
  }
}

/** The stream to write kubekeeper's own control sequences to: the raw one under a TerminalSafeStream. */
export function rawTerminal(stream: Writable): Writable {
  return stream instanceof TerminalSafeStream ? stream.raw : stream;
}
