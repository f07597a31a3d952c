// The part of autocannon's API that bench/serve.ts uses (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string;
    method?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    connections?: number;
    duration?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
  }
  interface Stats {
    average: number;
    p50: number;
    p99: number;
    total?: number;
  }
  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    latency: Stats;
    requests: Stats;
  }
  interface Instance extends PromiseLike<Result> {
    /** Every response: status, bytes, and the time from sending the request, in ms (not rounded). */
    on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, ms: number) => void): this;
    stop(): void;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
}
