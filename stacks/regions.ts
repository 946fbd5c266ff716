import { lambdaNodejs } from "./bundling.ts";
import type { PermissionStatement } from "./iam.ts";
import { configEnvVar, logRetention } from "./settings.ts";

/**
 * Per-region plumbing shared by the stacks: one `aws.Provider` per region
 * (every resource names its provider explicitly, so nothing lands in the
 * SST home region by accident), logical names, and the function defaults.
 */

const providers = new Map<string, aws.Provider>();

/** The provider for `region`, created once per app. */
export function providerFor(region: string): aws.Provider {
  let provider = providers.get(region);
  if (!provider) {
    provider = new aws.Provider(logicalName("Region", region), { region: region as aws.Region });
    providers.set(region, provider);
  }
  return provider;
}

/** Forgets the providers (tests build the app more than once per process). */
export function resetProviders(): void {
  providers.clear();
}

/** A Pulumi logical name from parts: `logicalName("Probe", "eu-west-1")` → `ProbeEuWest1`. */
export function logicalName(...parts: string[]): string {
  return parts
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter((word) => word !== "")
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");
}

/** Arguments every function shares: arm64, Node 22, the runtime's AWS SDK (./bundling.ts), 2-week logs, the config in its environment. */
export function functionArgs(options: {
  handler: string;
  configJson: string;
  environment: Record<string, $util.Input<string>>;
  /** Statements, or an output of them when they hold an ARN only known at deploy time (the account id). */
  permissions: PermissionStatement[] | $util.Output<PermissionStatement[]>;
  timeoutSeconds: number;
  memoryMb: number;
  description: string;
}): sst.aws.FunctionArgs {
  return {
    handler: options.handler,
    description: options.description,
    runtime: "nodejs22.x",
    architecture: "arm64",
    nodejs: {
      format: lambdaNodejs.format,
      minify: lambdaNodejs.minify,
      esbuild: { external: [...lambdaNodejs.esbuild.external] },
    },
    memory: `${options.memoryMb} MB`,
    timeout: `${options.timeoutSeconds} seconds`,
    logging: { retention: logRetention },
    environment: { [configEnvVar]: options.configJson, ...options.environment },
    permissions: options.permissions,
    transform: {
      // SST 4.17.1 lets the whole account assume every function role (for
      // `sst dev`'s live Lambda); a deployed failover function's role is for
      // Lambda only.
      role: $dev
        ? undefined
        : (args) => {
            args.assumeRolePolicy = aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" });
          },
    },
  };
}
