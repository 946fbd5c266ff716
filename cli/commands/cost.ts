import { resolve } from "node:path";
import { parseConfig, profileNames, readJsonFile } from "../../functions/lib/config.ts";
import { ValidationError } from "../../functions/lib/errors.ts";
import type { CostLine } from "../../offline/cost/model.ts";
import { loadPrices } from "../../offline/cost/prices.ts";
import { buildCostReport, type CostReport } from "../../offline/cost/report.ts";
import { parseArgs } from "../args.ts";
import type { CliCommand, CliIO } from "../command.ts";
import { renderTable } from "../../functions/lib/table.ts";
import { parseCount } from "../count.ts";

const usage = `Usage: failover cost [--config <file>] [--profile <name>] [--queries <per month>] [--route53-endpoint by-target|aws|non-aws] [--signal-endpoint aws|non-aws] [--json]

Prices a deployment per month, line by line (Lambda, CloudWatch, SNS,
Route 53, data transfer, and the data-plane path: signal health checks,
calculated checks, the signal endpoint, its parameters) at the list prices
in offline/cost/prices.json, for each profile (default, economy and the
config's own), beside what Route 53's own health checks would cost for the
same targets.

Options:
  --config <file>           config file (default: $FAILOVER_CONFIG_FILE, else failover.config.json)
  --profile <name>          price only this profile (default: every profile)
  --queries <per month>     DNS queries a month for the records: 10000000, 10M, 500k (default: 10M)
  --route53-endpoint <type> how Route 53 would bill its checks: by-target (each target by
                            its provider: aws at the AWS-endpoint rate, gcp, azure and other
                            at the non-AWS rate), aws (every target an AWS resource of the
                            same account) or non-aws (default: by-target)
  --signal-endpoint <type>  how Route 53 bills the data-plane checks of the signal function
                            URLs: aws or non-aws (default: non-aws, the higher rate; AWS does
                            not say which a function URL is)
  --json                    print the report as JSON: profiles.<name>.monthlyUsd,
                            route53Native.monthlyUsd and every line
  -h, --help                show this help

Exit codes: 0 printed, 2 bad input (flags, config, price list).
`;

const command: CliCommand = {
  name: "cost",
  summary: "what a deployment costs a month, per profile, beside Route 53's own health checks",
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseArgs(
      args,
      {
        config: { type: "string" },
        profile: { type: "string" },
        queries: { type: "string" },
        "route53-endpoint": { type: "string", choices: ["by-target", "aws", "non-aws"] },
        "signal-endpoint": { type: "string", choices: ["aws", "non-aws"] },
        json: { type: "boolean" },
      },
      { names: [] },
    );
    if (parsed.help) {
      io.stdout(usage);
      return 0;
    }
    const queries = parsed.flags.queries === undefined ? undefined : parseCount(parsed.flags.queries, "--queries");
    const path = resolve(parsed.flags.config ?? io.env.FAILOVER_CONFIG_FILE ?? "failover.config.json");
    const input = readJsonFile(path, "config");
    const profile = parsed.flags.profile;
    const known = profileNames(parseConfig(input));
    if (profile !== undefined && !known.includes(profile)) {
      throw new ValidationError(
        "arguments",
        [{ path: "--profile", message: `expected one of ${known.join(", ")}, got "${profile}"` }],
        { hint: 'Define your own profiles under "profiles" in the config.' },
      );
    }
    const report = buildCostReport(input, loadPrices(), {
      ...(profile === undefined ? {} : { profiles: [profile] }),
      assumptions: {
        ...(queries === undefined ? {} : { queriesPerMonth: queries }),
        ...(parsed.flags["route53-endpoint"] === undefined
          ? {}
          : { route53EndpointType: parsed.flags["route53-endpoint"] as "by-target" | "aws" | "non-aws" }),
        ...(parsed.flags["signal-endpoint"] === undefined
          ? {}
          : { signalEndpointType: parsed.flags["signal-endpoint"] as "aws" | "non-aws" }),
      },
    });
    io.stdout(parsed.flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    return 0;
  },
};
export default command;

const usd = (value: number) => `$${value.toFixed(2)}`;
const amount = (value: number) =>
  Number.isInteger(value)
    ? value.toLocaleString("en-US")
    : value < 100
      ? value.toFixed(2)
      : Math.round(value).toLocaleString("en-US");
const unitPrice = (l: CostLine) =>
  `$${l.unitPriceUsd} per ${l.per === 1 ? "" : `${l.per.toLocaleString("en-US")} `}${l.unit}`;

function table(lines: CostLine[]): string {
  const rows = lines.map((l) => [
    `${l.service}: ${l.item}${l.shared ? " *" : ""}`,
    amount(l.quantity),
    unitPrice(l),
    usd(l.monthlyUsd),
  ]);
  return renderTable([["item", "quantity/month", "unit price", "USD/month"], ...rows]);
}

function renderReport(report: CostReport): string {
  const out: string[] = [
    `Monthly cost at ${report.prices.region} list prices (${report.prices.status}), no free tiers. * = paid the same with Route 53's own checks.`,
    "",
  ];
  for (const [name, estimate] of Object.entries(report.profiles)) {
    const selected = name === report.selectedProfile ? " (selected by the config)" : "";
    out.push(`Profile ${name}${selected}: ${estimate.description}`, table(estimate.lines));
    out.push(
      `Total ${usd(estimate.monthlyUsd)} a month (${usd(estimate.monitoringUsd)} without the * lines; ${usd(estimate.dataPlaneUsd)} of it the data-plane path).`,
      `Detection: ${estimate.detection.text}.`,
      "",
    );
  }
  const native = report.route53Native;
  out.push(
    `Route 53's own health checks: ${native.healthChecks} × (${native.options.join(", ")}), ${native.endpointType === "aws" ? "AWS" : native.endpointType === "non-aws" ? "non-AWS" : "AWS and non-AWS"} endpoints`,
    table(native.lines),
  );
  out.push(
    `Total ${usd(native.monthlyUsd)} a month (${usd(native.monitoringUsd)} without the * lines).`,
    `Detection: ${native.detection.text}.`,
    "",
  );
  out.push("Compared:");
  for (const [name, estimate] of Object.entries(report.profiles)) {
    const difference = estimate.monthlyUsd - native.monthlyUsd;
    out.push(
      `  ${name}: ${usd(estimate.monthlyUsd)} vs ${usd(native.monthlyUsd)}, ${difference <= 0 ? `${usd(-difference)} less` : `${usd(difference)} more`}; drains in ${estimate.detection.minSeconds}-${estimate.detection.maxSeconds} s vs ${native.detection.minSeconds}-${native.detection.maxSeconds} s, out of DNS answers in ${estimate.detection.dns.minSeconds}-${estimate.detection.dns.maxSeconds} s vs ${native.detection.dns.minSeconds}-${native.detection.dns.maxSeconds} s`,
    );
  }
  const a = report.assumptions;
  out.push(`  ${native.featureDifference}`, "");
  out.push(
    `Assumed: ${a.queriesPerMonth.toLocaleString("en-US")} DNS queries a month; a probe round takes ${a.probeRoundSeconds} s and a decider round ${a.deciderRoundSeconds} s; memory probe ${a.memoryMb.probe} MB, decider ${a.memoryMb.decider} MB, arm64; ${a.route53Checkers} Route 53 checkers ask each signal check every 10 s, ${a.signalInvocationSeconds} s per signal invocation, function URLs billed as ${a.signalEndpointType === "aws" ? "AWS" : "non-AWS"} endpoints. Prices read ${report.prices.readOn}.`,
  );
  return `${out.join("\n")}\n`;
}
