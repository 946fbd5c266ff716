/**
 * The settings every AWS SDK client of this project is built with. Imports
 * no SDK: each adapter passes the result to its own client constructor.
 */

/** Where and how an adapter reaches AWS (or the local emulator). */
export interface AwsClientOptions {
  /**
   * Endpoint override, e.g. the moto emulator `http://127.0.0.1:5123`.
   * @default the standard `AWS_ENDPOINT_URL` environment variable, else AWS itself
   */
  endpoint?: string;
  /**
   * Credentials. With an endpoint override and no credentials in the environment, `test`/`test`.
   * @default the SDK's default provider chain
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Endpoint override in effect: the option, else `AWS_ENDPOINT_URL`, else none. */
export function endpointOverride(options: AwsClientOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return options.endpoint || env.AWS_ENDPOINT_URL || undefined;
}

/** Constructor settings shared by every client: our own retries (SDK retries off), endpoint and credentials. */
export function clientConfig(region: string, options: AwsClientOptions, env: NodeJS.ProcessEnv = process.env) {
  const endpoint = endpointOverride(options, env);
  const emulatorCredentials =
    endpoint !== undefined && !env.AWS_ACCESS_KEY_ID ? { accessKeyId: "test", secretAccessKey: "test" } : undefined;
  const credentials = options.credentials ?? emulatorCredentials;
  return {
    region,
    // The adapters retry within their own time budget (retry.ts); SDK retries would multiply it.
    maxAttempts: 1,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
  };
}
