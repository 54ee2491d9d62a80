/**
 * @peculiar/x509, ready to use: its decorators need the reflect-metadata polyfill loaded
 * first (ES modules evaluate imports in order, so it is imported above the library), and it
 * signs through node's WebCrypto.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
