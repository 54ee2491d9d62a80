/**
 * TLS for the gRPC channel, done by kubekeeper instead of grpc-js's createSsl: grpc-js sends
 * the endpoint's IP address as the TLS server name (SNI), which RFC 6066 forbids and Node
 * answers with a deprecation warning on every run against https://127.0.0.1:2379. Here an IP
 * endpoint sends no SNI (as Go's etcdctl does) and the certificate is still checked against
 * that IP; a DNS name is sent and checked as usual.
 */
import { isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect, type PeerCertificate, type SecureContext } from 'node:tls';
import * as grpc from '@grpc/grpc-js';

type SecureConnector = ReturnType<grpc.ChannelCredentials['_createSecureConnector']>;

/** What both transports (grpc-js and the http2 snapshot stream) need to set up TLS. */
export interface TlsSettings {
  secureContext: SecureContext;
  /** The endpoint's host, checked against the certificate's subjectAltName. */
  host: string;
  /** false only for --insecure-skip-tls-verify. */
  verify: boolean;
}

export class EtcdTlsCredentials extends grpc.ChannelCredentials {
  constructor(private readonly settings: TlsSettings) {
    super();
  }

  _isSecure(): boolean {
    return true;
  }

  _equals(other: grpc.ChannelCredentials): boolean {
    return other === this;
  }

  _createSecureConnector(_target: unknown, _options: unknown, callCredentials?: grpc.CallCredentials): SecureConnector {
    const { secureContext, host, verify } = this.settings;
    const credentials = callCredentials ?? grpc.credentials.createEmpty();
    return {
      connect(socket: Socket) {
        return new Promise((resolve, reject) => {
          const tlsSocket = connect({
            socket,
            secureContext,
            host,
            servername: isIP(host) ? undefined : host,
            ALPNProtocols: ['h2'],
            rejectUnauthorized: verify,
            checkServerIdentity: verify ? (_name: string, cert: PeerCertificate) => checkServerIdentity(host, cert) : () => undefined,
          }, () => {
            if (verify && !tlsSocket.authorized) reject(tlsSocket.authorizationError);
            else resolve({ socket: tlsSocket, secure: true });
          });
          tlsSocket.on('error', reject);
        });
      },
      waitForReady: () => Promise.resolve(),
      getCallCredentials: () => credentials,
      destroy: () => undefined,
    };
  }
}
