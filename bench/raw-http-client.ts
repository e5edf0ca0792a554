import net from 'node:net';

export interface RawResponse {
  statusCode: number;
  body: { text(): Promise<string> };
}

interface Pending {
  resolve: (res: RawResponse) => void;
  reject: (err: Error) => void;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * The phones' side of the check-in bench: keep-alive HTTP/1.1 on one socket, one request at a time, each written with
 * one call and answered by Content-Length. Real phones do not share the server's cores; on this 2-core box the load
 * generator does, and undici spent ~0.45 ms of CPU per check-in there (a seventh of the total). This client spends a
 * fraction of that, so the cores go to the server and the database being measured. Same interface as undici's
 * `Client.request` for what the bench uses.
 */
export class RawHttpClient {
  private socket: net.Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending | null = null;
  private readonly host: string;
  private readonly port: number;

  constructor(origin: string) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  request(opts: { path: string; method: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse> {
    if (this.pending) return Promise.reject(new Error('RawHttpClient: one request at a time'));
    const socket = this.socket ?? this.connect();
    let head = `${opts.method} ${opts.path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
    for (const [name, value] of Object.entries(opts.headers ?? {})) head += `${name}: ${value}\r\n`;
    const body = opts.body ?? '';
    head += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      socket.write(head + body);
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.end(resolve));
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.answer();
    });
    const fail = (err: Error) => {
      if (this.socket === socket) this.socket = null;
      this.buffer = Buffer.alloc(0);
      const pending = this.pending;
      this.pending = null;
      pending?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed before the answer')));
    this.socket = socket;
    return socket;
  }

  /** Completes the pending request once its head and Content-Length bytes of body are in. */
  private answer(): void {
    const end = this.buffer.indexOf(HEADER_END);
    if (end < 0 || !this.pending) return;
    const head = this.buffer.toString('latin1', 0, end);
    const statusCode = Number(head.slice(9, 12));
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!match) {
      const pending = this.pending;
      this.pending = null;
      pending.reject(new Error(`answer without Content-Length: ${head.split('\r\n')[0]}`));
      return;
    }
    const total = end + HEADER_END.length + Number(match[1]);
    if (this.buffer.length < total) return;
    const text = this.buffer.toString('utf8', end + HEADER_END.length, total);
    this.buffer = this.buffer.subarray(total);
    const pending = this.pending;
    this.pending = null;
    pending.resolve({ statusCode, body: { text: () => Promise.resolve(text) } });
  }
}
