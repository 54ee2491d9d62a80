export type { EtcdConnectOptions } from './connect-options.js';
