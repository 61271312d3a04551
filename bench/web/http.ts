import { Agent, request } from 'node:http';

// A browser-like client for one user: one kept-alive connection, the session cookie, form posts
// with the CSRF token read from the page, as the dashboard expects them.

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class BenchBrowser {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private cookie: string | undefined;

  constructor(private readonly baseUrl: string) {}

  send(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<HttpResponse> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const headers: Record<string, string> = { accept: 'text/html' };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.baseUrl), { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie']?.[0];
          if (setCookie) this.cookie = setCookie.split(';')[0];
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Logs in through GET /login and POST /login, like a person at the form. */
  async logIn(email: string, password: string): Promise<void> {
    const form = await this.send('GET', '/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
    if (form.status !== 200 || !csrf) throw new Error(`the login page did not load (status ${form.status})`);
    const answer = await this.send('POST', '/login', { _csrf: csrf, email, password });
    if (answer.status !== 303 || answer.headers.location !== '/connections') throw new Error(`login failed (status ${answer.status}, location ${String(answer.headers.location)})`);
  }

  close(): void {
    this.agent.destroy();
  }
}
