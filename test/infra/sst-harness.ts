import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Builds the whole SST app (sst.config.ts → stacks/) offline under Pulumi's
 * unit-test mocks and returns every resource it registered.
 *
 * This leans on SST internals (the globals its CLI injects, and the local
 * RPC its Function component calls for `Provider.Aws.Bootstrap` and
 * `Runtime.Build`), so it is kept in this one file and pinned to
 * {@link sstVersion}. Network: one stub HTTP server on 127.0.0.1 only.
 */

/** The SST version this harness was written against (package.json pins the same). */
export const sstVersion = "4.17.1";

const root = fileURLToPath(new URL("../../", import.meta.url));
const platformDir = join(root, ".sst", "platform");

/** One resource the app registered, as the mocks saw it. */
export interface MockResource {
  /** Pulumi type token, e.g. `aws:cloudwatch/metricAlarm:MetricAlarm`; components are `sst:aws:Cron` etc. */
  type: string;
  /** Logical name. */
  name: string;
  inputs: Record<string, any>;
  /** Region of the resource's explicit provider; undefined when it uses the default provider (or is a component). */
  region: string | undefined;
  custom: boolean;
}

/** One function SST asked its CLI to build (the `Runtime.Build` RPC). */
export interface MockBuild {
  functionID: string;
  handler: string;
  /** Names of the resources linked to the function (e.g. `SlackWebhookUrl`). */
  links: string[];
}

export interface BuiltApp {
  resources: MockResource[];
  builds: MockBuild[];
  outputs: Record<string, unknown>;
}

export interface BuildOptions {
  /** SST stage. @default "ci" */
  stage?: string;
  /** Config file (FAILOVER_CONFIG_FILE). @default the example failover.config.json */
  configFile?: string;
}

/** Account id the mocks answer with. */
export const mockAccountId = "123456789012";

/**
 * Builds the app once under mocks. Pulumi's runtime state is process-global:
 * call it at most once per test file (vitest isolates files).
 */
export async function buildAppUnderMocks(options: BuildOptions = {}): Promise<BuiltApp> {
  assertPlatform();
  const stage = options.stage ?? "ci";
  const work = mkdtempSync(join(tmpdir(), "sst-harness-"));
  const resources: MockResource[] = [];
  const builds: MockBuild[] = [];
  const server = await startRpcStub(work, builds);
  const saved = { ...process.env };
  try {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("stub RPC server has no port");
    process.env.SST_SERVER = `http://127.0.0.1:${address.port}`;
    if (options.configFile) process.env.FAILOVER_CONFIG_FILE = options.configFile;
    else delete process.env.FAILOVER_CONFIG_FILE;

    const pulumi = await importPlatform("@pulumi/pulumi");
    await pulumi.runtime.setMocks(createMocks(resources), "regional-failover", stage, false);
    await installGlobals(pulumi, stage, work);

    const config = (await import(pathToFileURL(join(root, "sst.config.ts")).href)).default as {
      app(input: { stage: string }): Promise<{ name: string }>;
      run(): Promise<Record<string, unknown>>;
    };
    const app = await config.app({ stage });
    (globalThis as any).$app.name = app.name;
    const outputs = await config.run();
    const resolved = await settle(pulumi, outputs, resources);
    return { resources, builds, outputs: resolved };
  } finally {
    process.env = saved;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(work, { recursive: true, force: true });
  }
}

function assertPlatform(): void {
  let version: string;
  try {
    version = readFileSync(join(platformDir, "version"), "utf8").trim();
  } catch {
    throw new Error("The SST platform is not set up (.sst/platform is missing). Run: node scripts/sst-platform.mjs");
  }
  if (version !== sstVersion) {
    throw new Error(
      `.sst/platform is SST ${version}, this harness is pinned to ${sstVersion}. Remove .sst/ and run: node scripts/sst-platform.mjs`,
    );
  }
}

/** Imports a package from .sst/platform/node_modules (the copy SST's components use: two copies break Pulumi). */
async function importPlatform(name: "@pulumi/pulumi" | "@pulumi/aws"): Promise<any> {
  // The specifier is a variable so the root `tsc` does not try to resolve
  // @pulumi/* (installed only under .sst/platform); vitest's alias maps it.
  const specifier: string = name;
  const module = await import(specifier);
  return module.default ?? module;
}

/** The globals SST's CLI injects into the program (src/shim/run.js and the `$app`/`$cli` context). */
async function installGlobals(pulumi: any, stage: string, work: string): Promise<void> {
  const g = globalThis as any;
  const src = (path: string) => pathToFileURL(join(platformDir, "src", path)).href;
  // Context first: some component modules read $app at import time.
  g.$app = { name: "regional-failover", stage, removal: "remove", providers: {}, protect: false };
  g.$dev = false;
  g.$cli = { command: "deploy", paths: { root, work, platform: platformDir, home: work }, state: { version: {} } };
  const components = await import(src("components/index.ts"));
  const { $transform, $asset } = await import(src("components/component.ts"));
  const { Link } = await import(src("components/link.ts"));
  g.$config = (input: unknown) => input;
  g.$util = pulumi;
  g.$output = pulumi.output;
  g.$apply = pulumi.apply;
  g.$resolve = pulumi.all;
  g.$interpolate = pulumi.interpolate;
  g.$concat = pulumi.concat;
  g.$jsonParse = pulumi.jsonParse;
  g.$jsonStringify = pulumi.jsonStringify;
  g.$transform = $transform;
  g.$asset = $asset;
  g.$linkable = Link.makeLinkable;
  g.$secrets = {};
  g.$print = () => undefined;
  g.sst = components;
  g.aws = await importPlatform("@pulumi/aws");
}

/** Answers SST's CLI RPC: bootstrap data per region, and a no-op build that records what was linked. */
function startRpcStub(work: string, builds: MockBuild[]): Promise<Server> {
  const bundle = join(work, "bundle");
  mkdirSync(bundle, { recursive: true });
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const { method, params } = JSON.parse(body) as { method: string; params: any[] };
      const input = params[0] ?? {};
      let result: unknown;
      if (method === "Provider.Aws.Bootstrap") {
        result = {
          asset: `sst-asset-${input.region}`,
          assetEcrRegistryId: mockAccountId,
          assetEcrUrl: `${mockAccountId}.dkr.ecr.${input.region}.amazonaws.com/sst-asset`,
          state: `sst-state-${input.region}`,
          appsyncHttp: "",
          appsyncRealtime: "",
        };
      } else if (method === "Runtime.Build") {
        builds.push({ functionID: input.functionID, handler: input.handler, links: Object.keys(input.links ?? {}) });
        result = { handler: "index.handler", out: bundle, errors: [], sourcemaps: [] };
      } else {
        response.end(JSON.stringify({ error: `rpc: can't find method ${method}` }));
        return;
      }
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ result, error: null }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function createMocks(resources: MockResource[]) {
  /** Provider logical name → region. A provider reference is "<urn>::<id>" and its URN ends with "::<name>". */
  const providerRegions = new Map<string, string>();
  const regionOfRef = (reference: string | undefined): string | undefined => {
    if (!reference) return undefined;
    const urn = reference.slice(0, reference.lastIndexOf("::"));
    return providerRegions.get(urn.slice(urn.lastIndexOf("::") + 2));
  };
  return {
    newResource(args: { type: string; name: string; inputs: any; provider?: string; custom?: boolean }) {
      if (args.type === "pulumi:providers:aws") providerRegions.set(args.name, args.inputs.region);
      const region = regionOfRef(args.provider);
      resources.push({ type: args.type, name: args.name, inputs: args.inputs, region, custom: args.custom ?? true });
      const physicalName = args.inputs.name ?? `${args.name.toLowerCase()}-physical`;
      const state: Record<string, unknown> = {
        ...args.inputs,
        name: physicalName,
        arn: fakeArn(args.type, region, physicalName),
      };
      if (args.type === "random:index/randomBytes:RandomBytes") state.base64 = Buffer.alloc(32).toString("base64");
      // AWS assigns a function URL's address; the mock makes up one so outputs that carry it resolve.
      if (args.type === "aws:lambda/functionUrl:FunctionUrl")
        state.functionUrl = `https://${args.name.toLowerCase()}.lambda-url.${region ?? "us-east-1"}.on.aws/`;
      return { id: `${args.name}-id`, state };
    },
    call(args: { token: string; inputs: any; provider?: string }) {
      const region = regionOfRef(args.provider) ?? "us-east-1";
      switch (args.token) {
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:index/getRegion:getRegion":
          return { name: region, region, id: region };
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return {
            accountId: mockAccountId,
            arn: `arn:aws:iam::${mockAccountId}:user/ci`,
            userId: "ci",
            id: mockAccountId,
          };
        case "aws:iam/getPolicyDocument:getPolicyDocument":
          return { ...args.inputs, json: JSON.stringify(renderPolicyDocument(args.inputs)), id: "policy" };
        default:
          return args.inputs;
      }
    },
  };
}

/** A plausible ARN for a mocked resource, so ARNs flowing between resources (roles, topics, functions) can be traced. */
function fakeArn(type: string, region: string | undefined, name: string): string {
  const [, module = "x"] = /^aws:([a-z0-9]+)\//.exec(type) ?? [];
  const kind = type.slice(type.lastIndexOf(":") + 1).toLowerCase();
  if (module === "iam") return `arn:aws:iam::${mockAccountId}:${kind}/${name}`;
  if (module === "lambda" && kind === "function")
    return `arn:aws:lambda:${region ?? "us-east-1"}:${mockAccountId}:function:${name}`;
  if (module === "sns" && kind === "topic") return `arn:aws:sns:${region ?? "us-east-1"}:${mockAccountId}:${name}`;
  return `arn:aws:${module}:${region ?? "us-east-1"}:${mockAccountId}:${kind}/${name}`;
}

/** What aws.iam.getPolicyDocument would return: the statements as IAM JSON. */
function renderPolicyDocument(inputs: { statements?: any[] }): unknown {
  return {
    Version: "2012-10-17",
    Statement: (inputs.statements ?? []).map((statement) => {
      const rendered: Record<string, unknown> = {
        Effect: statement.effect ?? "Allow",
        Action: statement.actions,
        Resource: statement.resources,
      };
      if (statement.principals)
        rendered.Principal = Object.fromEntries(statement.principals.map((p: any) => [p.type, p.identifiers]));
      if (statement.conditions?.length) {
        const condition: Record<string, Record<string, string[]>> = {};
        for (const { test, variable, values } of statement.conditions) {
          condition[test] ??= {};
          condition[test][variable] = values;
        }
        rendered.Condition = condition;
      }
      return rendered;
    }),
  };
}

/**
 * Waits until the program has registered everything: components create
 * resources inside `apply` callbacks, so wait for the outputs, then until
 * the resource count stops changing (bounded: 20 s).
 */
async function settle(
  pulumi: any,
  outputs: Record<string, unknown>,
  resources: MockResource[],
): Promise<Record<string, unknown>> {
  const resolved = await new Promise<Record<string, unknown>>((resolve) =>
    pulumi.output(outputs).apply((value: Record<string, unknown>) => resolve(value)),
  );
  const pause = () => new Promise((resolve) => setTimeout(resolve, 25));
  let stableRounds = 0;
  for (let round = 0; round < 800 && stableRounds < 8; round++) {
    const before = resources.length;
    await pause();
    stableRounds = resources.length === before ? stableRounds + 1 : 0;
  }
  if (stableRounds < 8) throw new Error(`the app kept registering resources for 20 s (${resources.length} so far)`);
  return resolved;
}
