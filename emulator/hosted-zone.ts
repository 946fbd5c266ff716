import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { badAnswer, route53Failure, type Route53SwitcherOptions } from "../functions/lib/aws/route53.ts";
import { clientConfig } from "../functions/lib/aws/client-config.ts";
import { retrySettings, withRetry } from "../functions/lib/aws/retry.ts";

/**
 * Creates a public hosted zone (the drill, scripts, benches and tests,
 * against the emulator; in AWS the zone exists before the deployment) and
 * returns its id without the `/hostedzone/` prefix.
 */
export async function createHostedZone(name: string, options: Route53SwitcherOptions = {}): Promise<string> {
  const client = options.client ?? new Route53Client(clientConfig("us-east-1", options));
  const retry = retrySettings(options.retry);
  const output = await withRetry(
    (signal) =>
      client.send(
        new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Date.now()}-${Math.random()}` }),
        { abortSignal: signal },
      ),
    retry,
    (giveUp) => route53Failure("CreateHostedZone", giveUp, name),
  );
  const id = output.HostedZone?.Id?.replace(/^\/hostedzone\//, "");
  if (!id) throw badAnswer("CreateHostedZone", "HostedZone.Id is missing");
  return id;
}
