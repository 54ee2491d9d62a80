/**
 * Reads a secret from the terminal with echo off, as etcdctl does for `--user name` without a
 * password: the password never appears on the screen, in the shell history or in the process
 * list.
 */
import { AbortedError } from '../errors.js';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = ['\u007f', '\b'];

/** Prompts on `output` and reads one line from the TTY `input` without echoing it. */
export function readSecret(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = input.isRaw;
    // Echo off before the prompt shows: whatever is typed once it is visible is never echoed.
    input.setRawMode(true);
    output.write(prompt);
    input.setEncoding('utf8');
    input.resume();
    const finish = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n' || ch === CTRL_D) return finish();
        if (ch === CTRL_C) return finish(new AbortedError('Reading the password'));
        if (BACKSPACE.includes(ch)) value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}
